#include "audience/classify/model_run.h"
#include "audience/classify/model_run-inl.h"
