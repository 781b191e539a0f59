#include "audience/query/binder.h"
#include "audience/query/binder-inl.h"
