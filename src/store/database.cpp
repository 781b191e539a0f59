// Compiled-mode definitions for audience/store/database.h.
#include "audience/store/database.h"
#include "audience/store/database-inl.h"
