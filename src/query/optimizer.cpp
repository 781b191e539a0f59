#include "audience/query/optimizer.h"
#include "audience/query/optimizer-inl.h"
