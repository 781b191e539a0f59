// Compiled-mode definitions for audience/classify/stage_presets.h.
#include "audience/classify/stage_presets.h"
#include "audience/classify/stage_presets-inl.h"
