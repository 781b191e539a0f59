// Compiled-mode definitions for audience/query/diagnostic.h.
#include "audience/query/diagnostic.h"
#include "audience/query/diagnostic-inl.h"
