// Compiled-mode definitions for audience/classify/bgnbd.h.
#include "audience/classify/bgnbd.h"
#include "audience/classify/bgnbd-inl.h"
