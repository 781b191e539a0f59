// Compiled-mode definitions for audience/storage/sorted_bins.h.
#include "audience/storage/sorted_bins.h"
#include "audience/storage/sorted_bins-inl.h"
