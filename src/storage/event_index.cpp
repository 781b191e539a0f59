// Compiled-mode definitions for audience/storage/event_index.h.
#include "audience/storage/event_index.h"
#include "audience/storage/event_index-inl.h"
