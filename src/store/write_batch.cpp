// Compiled-mode definitions for audience/store/write_batch.h.
#include "audience/store/write_batch.h"
#include "audience/store/write_batch-inl.h"
