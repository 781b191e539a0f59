#include "audience/ops/journey.h"
#include "audience/ops/journey-inl.h"
