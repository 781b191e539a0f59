// Compiled-mode definitions for audience/storage/attribute_column.h.
#include "audience/storage/attribute_column.h"
#include "audience/storage/attribute_column-inl.h"
