#include "audience/query/segment.h"
#include "audience/query/segment-inl.h"
