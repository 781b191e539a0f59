// Pass: count only (optimizer.h). When only the size is asked, the last
// step does not build its set: an intersection, difference or union of two
// inputs is counted with the bitmap layer's cardinality kernels, which
// allocate nothing.
#ifndef AUDIENCE_QUERY_OPTIMIZER_COUNT_INL_H_
#define AUDIENCE_QUERY_OPTIMIZER_COUNT_INL_H_

#include "audience/query/optimizer.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC void MarkCountOnly(Plan* plan) {
  if (!plan->steps.empty()) plan->steps.back().count_only = true;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_OPTIMIZER_COUNT_INL_H_
