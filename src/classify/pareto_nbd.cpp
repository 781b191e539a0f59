// Compiled-mode definitions for audience/classify/pareto_nbd.h.
#include "audience/classify/pareto_nbd.h"
#include "audience/classify/pareto_nbd-inl.h"
