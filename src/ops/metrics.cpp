#include "audience/ops/metrics.h"
#include "audience/ops/metrics-inl.h"
