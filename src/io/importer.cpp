// Compiled-mode definitions for audience/io/importer.h.
#include "audience/io/importer.h"
#include "audience/io/importer-inl.h"
