// Compiled-mode definitions for audience/storage/bitmap.h.
#include "audience/storage/bitmap.h"
#include "audience/storage/bitmap-inl.h"
