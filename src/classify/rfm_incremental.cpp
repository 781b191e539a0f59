// Compiled-mode definitions for audience/classify/rfm_incremental.h.
#include "audience/classify/rfm_incremental.h"
#include "audience/classify/rfm_incremental-inl.h"
