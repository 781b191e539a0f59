// Compiled-mode definitions for audience/io/field_parse.h.
#include "audience/io/field_parse.h"
#include "audience/io/field_parse-inl.h"
