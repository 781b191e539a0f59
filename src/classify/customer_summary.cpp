// Compiled-mode definitions for audience/classify/customer_summary.h.
#include "audience/classify/customer_summary.h"
#include "audience/classify/customer_summary-inl.h"
