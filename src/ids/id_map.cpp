// Compiled-mode definitions for audience/ids/id_map.h.
#include "audience/ids/id_map.h"
#include "audience/ids/id_map-inl.h"
