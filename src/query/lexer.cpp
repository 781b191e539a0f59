// Compiled-mode definitions for audience/query/lexer.h.
#include "audience/query/lexer.h"
#include "audience/query/lexer-inl.h"
