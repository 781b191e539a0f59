// Compiled-mode definitions for audience/query/suggest.h.
#include "audience/query/suggest.h"
#include "audience/query/suggest-inl.h"
