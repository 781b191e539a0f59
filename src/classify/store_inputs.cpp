// Compiled-mode definitions for audience/classify/store_inputs.h.
#include "audience/classify/store_inputs.h"
#include "audience/classify/store_inputs-inl.h"
