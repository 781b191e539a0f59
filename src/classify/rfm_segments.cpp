// Compiled-mode definitions for audience/classify/rfm_segments.h.
#include "audience/classify/rfm_segments.h"
#include "audience/classify/rfm_segments-inl.h"
