// Compiled-mode definitions for audience/classify/gamma_gamma.h.
#include "audience/classify/gamma_gamma.h"
#include "audience/classify/gamma_gamma-inl.h"
