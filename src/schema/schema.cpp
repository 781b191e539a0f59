// Compiled-mode definitions for audience/schema/schema.h.
#include "audience/schema/schema.h"
#include "audience/schema/schema-inl.h"
