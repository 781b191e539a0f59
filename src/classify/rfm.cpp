// Compiled-mode definitions for audience/classify/rfm.h.
#include "audience/classify/rfm.h"
#include "audience/classify/rfm-inl.h"
