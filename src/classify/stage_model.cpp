// Compiled-mode definitions for audience/classify/stage_model.h.
#include "audience/classify/stage_model.h"
#include "audience/classify/stage_model-inl.h"
