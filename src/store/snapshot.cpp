// Compiled-mode definitions for audience/store/snapshot.h.
#include "audience/store/snapshot.h"
#include "audience/store/snapshot-inl.h"
