#include "audience/query/executor.h"
#include "audience/query/executor-inl.h"
