// Compiled-mode definitions for audience/classify/mle.h.
#include "audience/classify/mle.h"
#include "audience/classify/mle-inl.h"
