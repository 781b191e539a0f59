// Compiled-mode definitions for audience/storage/bit_sliced_index.h.
#include "audience/storage/bit_sliced_index.h"
#include "audience/storage/bit_sliced_index-inl.h"
