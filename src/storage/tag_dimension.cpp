// Compiled-mode definitions for audience/storage/tag_dimension.h.
#include "audience/storage/tag_dimension.h"
#include "audience/storage/tag_dimension-inl.h"
