// Part of the Bitmap unit (included by bitmap-inl.h only): the binary set
// operations and the intersection count, walked container by container so
// that a pair of bitset containers (1024 words each) goes through our dense
// kernels (dense_kernels.h) instead of CRoaring's generic-x86-64 build.
// Every other container pair uses CRoaring's own container functions, with
// the ownership rules of its roaring_bitmap_and/or/andnot(_inplace).
#ifndef AUDIENCE_STORAGE_BITMAP_MERGE_INL_H_
#define AUDIENCE_STORAGE_BITMAP_MERGE_INL_H_

#include <roaring/roaring.h>

#include <cstdlib>

#include "audience/storage/dense_kernels.h"

AUDIENCE_BEGIN_NAMESPACE

namespace bitmap_internal {

enum class SetOp { kAnd, kAndNot, kOr };

inline constexpr size_t kBitsetWords = BITSET_CONTAINER_SIZE_IN_WORDS;

inline void* CheckedContainer(void* c) {
  if (c == nullptr) std::abort();
  return c;
}

// A bitset container whose words hold `card` set bits, in the form CRoaring
// requires for that count: itself above 4096 ids, else a new array container
// (the bitset is freed); null (and freed) when empty.
inline void* Settle(bitset_container_t* b, uint64_t card, uint8_t* type) {
  if (card == 0) {
    bitset_container_free(b);
    return nullptr;
  }
  if (card > DEFAULT_MAX_SIZE) {
    b->cardinality = static_cast<int32_t>(card);
    *type = BITSET_CONTAINER_TYPE_CODE;
    return b;
  }
  auto* a = static_cast<array_container_t*>(
      CheckedContainer(array_container_create_given_capacity(static_cast<int32_t>(card))));
  dense::ExtractSetBits(b->array, kBitsetWords, a->array);
  a->cardinality = static_cast<int32_t>(card);
  bitset_container_free(b);
  *type = ARRAY_CONTAINER_TYPE_CODE;
  return a;
}

inline uint64_t DenseOp(SetOp op, const uint64_t* a, const uint64_t* b, uint64_t* out) {
  switch (op) {
    case SetOp::kAnd: return dense::And(a, b, out, kBitsetWords);
    case SetOp::kAndNot: return dense::AndNot(a, b, out, kBitsetWords);
    case SetOp::kOr: return dense::Or(a, b, out, kBitsetWords);
  }
  return 0;
}

// op(c1, c2) for two containers of the same key. With `reuse`, c1 belongs to
// the caller's consumed bitmap: a bitset c1 holds the result, any other is
// freed.
// Returns null for an empty result.
inline void* PairOp(SetOp op, void* c1, uint8_t t1, const void* c2, uint8_t t2, bool reuse,
                    uint8_t* type) {
  const void* u2 = container_unwrap_shared(c2, &t2);
  if (reuse) c1 = get_writable_copy_if_shared(c1, &t1);
  uint8_t u1t = t1;
  const void* u1 = container_unwrap_shared(c1, &u1t);
  if (u1t == BITSET_CONTAINER_TYPE_CODE && t2 == BITSET_CONTAINER_TYPE_CODE) {
    const uint64_t* w1 = static_cast<const bitset_container_t*>(u1)->array;
    const uint64_t* w2 = static_cast<const bitset_container_t*>(u2)->array;
    auto* out = reuse ? static_cast<bitset_container_t*>(c1)
                      : static_cast<bitset_container_t*>(
                            CheckedContainer(bitset_container_create()));
    return Settle(out, DenseOp(op, w1, w2, out->array), type);
  }
  // Other pairings use CRoaring's container functions with the ownership
  // rules of its own callers: after iand/ior the caller frees a replaced c1;
  // iandnot frees it itself, so and-not builds a new container instead.
  void* c = nullptr;
  switch (op) {
    case SetOp::kAnd:
      c = reuse ? container_iand(c1, t1, u2, t2, type) : container_and(c1, t1, u2, t2, type);
      break;
    case SetOp::kOr:
      c = reuse ? container_ior(c1, t1, u2, t2, type) : container_or(c1, t1, u2, t2, type);
      break;
    case SetOp::kAndNot:
      c = container_andnot(c1, t1, u2, t2, type);
      break;
  }
  CheckedContainer(c);
  if (reuse && c != c1) container_free(c1, t1);
  if (!container_nonzero_cardinality(c, *type)) {
    container_free(c, *type);
    return nullptr;
  }
  return c;
}

// A copy of container i of `ra`, appended to `out`.
inline void AppendClone(roaring_array_t* out, const roaring_array_t& ra, int32_t i) {
  uint8_t t = ra.typecodes[i];
  const void* c = container_unwrap_shared(ra.containers[i], &t);
  ra_append(out, ra.keys[i], CheckedContainer(container_clone(c, t)), t);
}

// op(x, y) as a new bitmap. With `consume`, x's containers are reused for
// the result or freed, and x is left empty (the caller frees it).
inline roaring_bitmap_t* Merge(SetOp op, roaring_bitmap_t* x, const roaring_bitmap_t* y,
                               bool consume) {
  roaring_array_t& a = x->high_low_container;
  const roaring_array_t& b = y->high_low_container;
  const int32_t na = a.size, nb = b.size;
  const int32_t cap = op == SetOp::kOr ? na + nb : na;
  roaring_bitmap_t* r = roaring_bitmap_create_with_capacity(static_cast<uint32_t>(cap));
  if (r == nullptr) std::abort();
  roaring_array_t* out = &r->high_low_container;
  int32_t i = 0, j = 0;
  while (i < na || j < nb) {
    const bool has_a = i < na, has_b = j < nb;
    if (has_a && (!has_b || a.keys[i] < b.keys[j])) {
      // A key only x has: kept by and-not and or, dropped by and.
      if (op != SetOp::kAnd) {
        if (consume) {
          ra_append(out, a.keys[i], a.containers[i], a.typecodes[i]);
        } else {
          AppendClone(out, a, i);
        }
        ++i;
      } else if (consume) {
        container_free(a.containers[i], a.typecodes[i]);
        ++i;
      } else {
        i = has_b ? ra_advance_until(&a, b.keys[j], i) : na;
      }
    } else if (has_b && (!has_a || b.keys[j] < a.keys[i])) {
      // A key only y has: only a union keeps it.
      if (op == SetOp::kOr) {
        AppendClone(out, b, j);
        ++j;
      } else {
        j = has_a ? ra_advance_until(&b, a.keys[i], j) : nb;
      }
    } else {
      uint8_t type = 0;
      void* c = PairOp(op, a.containers[i], a.typecodes[i], b.containers[j], b.typecodes[j],
                       consume, &type);
      if (c != nullptr) ra_append(out, a.keys[i], c, type);
      ++i;
      ++j;
    }
  }
  if (consume) a.size = 0;  // every container was moved or freed above
  return r;
}

// |x & y| without building it.
inline uint64_t AndCount(const roaring_bitmap_t* x, const roaring_bitmap_t* y) {
  const roaring_array_t& a = x->high_low_container;
  const roaring_array_t& b = y->high_low_container;
  uint64_t n = 0;
  int32_t i = 0, j = 0;
  while (i < a.size && j < b.size) {
    if (a.keys[i] < b.keys[j]) {
      i = ra_advance_until(&a, b.keys[j], i);
    } else if (b.keys[j] < a.keys[i]) {
      j = ra_advance_until(&b, a.keys[i], j);
    } else {
      uint8_t t1 = a.typecodes[i], t2 = b.typecodes[j];
      const void* c1 = container_unwrap_shared(a.containers[i], &t1);
      const void* c2 = container_unwrap_shared(b.containers[j], &t2);
      if (t1 == BITSET_CONTAINER_TYPE_CODE && t2 == BITSET_CONTAINER_TYPE_CODE) {
        n += dense::AndCount(static_cast<const bitset_container_t*>(c1)->array,
                             static_cast<const bitset_container_t*>(c2)->array, kBitsetWords);
      } else {
        n += static_cast<uint64_t>(container_and_cardinality(c1, t1, c2, t2));
      }
      ++i;
      ++j;
    }
  }
  return n;
}

}  // namespace bitmap_internal

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_BITMAP_MERGE_INL_H_
