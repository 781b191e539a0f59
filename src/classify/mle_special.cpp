// Compiled-mode definitions for audience/classify/mle_special.h.
#include "audience/classify/mle_special.h"
#include "audience/classify/mle_special-inl.h"
