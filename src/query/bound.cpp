#include "audience/query/bound.h"
#include "audience/query/bound-inl.h"
