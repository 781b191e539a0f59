// Compiled-mode definitions for audience/store/store.h.
#include "audience/store/store.h"
#include "audience/store/store-inl.h"
