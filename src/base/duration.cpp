// Compiled-mode definitions for audience/base/duration.h.
#include "audience/base/duration.h"
#include "audience/base/duration-inl.h"
