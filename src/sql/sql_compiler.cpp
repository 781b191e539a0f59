// Compiled-mode definitions for audience/sql/sql_compiler.h.
#include "audience/sql/sql_compiler.h"
#include "audience/sql/sql_compiler-inl.h"
