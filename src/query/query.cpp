#include "audience/query/query.h"
#include "audience/query/query-inl.h"
