#include "audience/query/plan.h"
#include "audience/query/plan-inl.h"
