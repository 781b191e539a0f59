#include "audience/ops/report.h"
#include "audience/ops/report-inl.h"
