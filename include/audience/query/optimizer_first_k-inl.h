// Pass: first K (optimizer.h). The executor evaluates the plan over
// consecutive chunks of the id space, in id order, and stops once it holds
// K ids; every step then works on one chunk's containers only. This pass
// sizes the first chunk from the estimated selectivity so that one round
// usually suffices (with 2x slack); later rounds double the chunk.
#ifndef AUDIENCE_QUERY_OPTIMIZER_FIRST_K_INL_H_
#define AUDIENCE_QUERY_OPTIMIZER_FIRST_K_INL_H_

#include <algorithm>
#include <cmath>

#include "audience/query/optimizer.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC void SizeFirstChunk(const Store& store, Plan* plan) {
  constexpr double kContainer = 65536;
  const Bitmap& universe = store.universe();
  double span = universe.IsEmpty() ? kContainer : static_cast<double>(universe.Maximum()) + 1;
  double density = static_cast<double>(store.person_count()) / span;
  double selectivity = std::max(plan->root.estimate, 1.0) /
                       std::max(static_cast<double>(store.person_count()), 1.0);
  double ids = 2.0 * static_cast<double>(std::max<size_t>(plan->k, 1)) /
               std::max(selectivity * density, 1e-9);
  double chunks = std::ceil(std::min(ids, 4294967296.0) / kContainer);
  plan->first_chunk = static_cast<uint64_t>(std::max(chunks, 1.0) * kContainer);
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_OPTIMIZER_FIRST_K_INL_H_
