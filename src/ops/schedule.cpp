#include "audience/ops/schedule.h"
#include "audience/ops/schedule-inl.h"
