// Compiled-mode definitions for audience/schema/schema_json.h.
#include "audience/schema/schema_json.h"
#include "audience/schema/schema_json-inl.h"
