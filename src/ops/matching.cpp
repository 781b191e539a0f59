#include "audience/ops/matching.h"
#include "audience/ops/matching-inl.h"
