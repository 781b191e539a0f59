// Compiled-mode definitions for audience/query/parser.h.
#include "audience/query/parser.h"
#include "audience/query/parser-inl.h"
