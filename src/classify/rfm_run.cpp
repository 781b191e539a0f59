#include "audience/classify/rfm_run.h"
#include "audience/classify/rfm_run-inl.h"
