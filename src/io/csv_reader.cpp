// Compiled-mode definitions for audience/io/csv_reader.h.
#include "audience/io/csv_reader.h"
#include "audience/io/csv_reader-inl.h"
