// Compiled-mode definitions for audience/sql/export.h.
#include "audience/sql/export.h"
#include "audience/sql/export-inl.h"
