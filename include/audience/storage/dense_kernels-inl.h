// Definitions for dense_kernels.h: one loop template per instruction-set
// level, instantiated per operation, and a table of pointers picked once.
#ifndef AUDIENCE_STORAGE_DENSE_KERNELS_INL_H_
#define AUDIENCE_STORAGE_DENSE_KERNELS_INL_H_

#include <algorithm>
#include <atomic>

#include "audience/storage/dense_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AUDIENCE_DENSE_X86 1
#include <immintrin.h>
#else
#define AUDIENCE_DENSE_X86 0
#endif

AUDIENCE_BEGIN_NAMESPACE

namespace dense {
namespace dense_internal {

// kFirst: the words of a alone (b is not read).
enum class Op { kFirst, kAnd, kAndNot, kOr, kXor };

template <Op op>
inline uint64_t Combine(uint64_t a, uint64_t b) {
  if constexpr (op == Op::kFirst) return a;
  if constexpr (op == Op::kAnd) return a & b;
  if constexpr (op == Op::kAndNot) return a & ~b;
  if constexpr (op == Op::kOr) return a | b;
  if constexpr (op == Op::kXor) return a ^ b;
}

// Branch-free popcount for CPUs without POPCNT (the library call the
// compiler emits instead is several times slower).
inline uint64_t SwarPopcount(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return (x * 0x0101010101010101ULL) >> 56;
}

template <Op op, bool kStore>
uint64_t PortableKernel(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n) {
  uint64_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t w = Combine<op>(a[i], op == Op::kFirst ? 0 : b[i]);
    if constexpr (kStore) out[i] = w;
    count += SwarPopcount(w);
  }
  return count;
}

// Set-bit positions, lowest first.
inline size_t ExtractLoop(const uint64_t* a, size_t n, uint16_t* out) {
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t w = a[i];
    const auto base = static_cast<uint16_t>(i * 64);
    while (w != 0) {
      out[k++] = static_cast<uint16_t>(base + __builtin_ctzll(w));
      w &= w - 1;
    }
  }
  return k;
}

inline size_t PortableExtract(const uint64_t* a, size_t n, uint16_t* out) {
  return ExtractLoop(a, n, out);
}

// One read-modify-write per id. (Merging neighbours that share a word in a
// register first looks faster on one array in a loop, but on ever new
// arrays its branch mispredicts and it runs 2.5x slower.)
inline void SetBitsLoop(const uint16_t* ids, size_t n, uint64_t* words) {
  for (size_t k = 0; k < n; ++k) words[ids[k] >> 6] |= uint64_t{1} << (ids[k] & 63);
}

#if AUDIENCE_DENSE_X86

template <Op op, bool kStore>
__attribute__((target("popcnt"))) uint64_t PopcntKernel(const uint64_t* a, const uint64_t* b,
                                                       uint64_t* out, size_t n) {
  // Four accumulators so that the popcounts are not one dependency chain.
  uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint64_t w0 = Combine<op>(a[i], op == Op::kFirst ? 0 : b[i]);
    const uint64_t w1 = Combine<op>(a[i + 1], op == Op::kFirst ? 0 : b[i + 1]);
    const uint64_t w2 = Combine<op>(a[i + 2], op == Op::kFirst ? 0 : b[i + 2]);
    const uint64_t w3 = Combine<op>(a[i + 3], op == Op::kFirst ? 0 : b[i + 3]);
    if constexpr (kStore) {
      out[i] = w0;
      out[i + 1] = w1;
      out[i + 2] = w2;
      out[i + 3] = w3;
    }
    c0 += static_cast<uint64_t>(__builtin_popcountll(w0));
    c1 += static_cast<uint64_t>(__builtin_popcountll(w1));
    c2 += static_cast<uint64_t>(__builtin_popcountll(w2));
    c3 += static_cast<uint64_t>(__builtin_popcountll(w3));
  }
  for (; i < n; ++i) {
    const uint64_t w = Combine<op>(a[i], op == Op::kFirst ? 0 : b[i]);
    if constexpr (kStore) out[i] = w;
    c0 += static_cast<uint64_t>(__builtin_popcountll(w));
  }
  return c0 + c1 + c2 + c3;
}

// Popcount of 256-bit vectors by nibble lookup (vpshufb), summed per 64-bit
// lane with vpsadbw: about twice the speed of scalar POPCNT on a full
// container, and the combine and store come for free in the same loop.
// Adds the set bits of each 64-bit lane of v to that lane of `total`.
__attribute__((target("avx2"))) inline __m256i Avx2AddPopcount(__m256i total, __m256i v) {
  const __m256i lookup = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1,
                                          2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0F);
  const __m256i lo = _mm256_shuffle_epi8(lookup, _mm256_and_si256(v, low));
  const __m256i hi = _mm256_shuffle_epi8(lookup, _mm256_and_si256(_mm256_srli_epi16(v, 4), low));
  return _mm256_add_epi64(total,
                          _mm256_sad_epu8(_mm256_add_epi8(lo, hi), _mm256_setzero_si256()));
}

__attribute__((target("avx2"))) inline uint64_t Avx2LaneSum(__m256i total) {
  return static_cast<uint64_t>(_mm256_extract_epi64(total, 0)) +
         static_cast<uint64_t>(_mm256_extract_epi64(total, 1)) +
         static_cast<uint64_t>(_mm256_extract_epi64(total, 2)) +
         static_cast<uint64_t>(_mm256_extract_epi64(total, 3));
}

template <Op op, bool kStore>
__attribute__((target("avx2,popcnt"))) uint64_t Avx2Kernel(const uint64_t* a, const uint64_t* b,
                                                           uint64_t* out, size_t n) {
  __m256i total = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256i va = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
    __m256i v = va;
    if constexpr (op != Op::kFirst) {
      const __m256i vb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
      if constexpr (op == Op::kAnd) v = _mm256_and_si256(va, vb);
      if constexpr (op == Op::kAndNot) v = _mm256_andnot_si256(vb, va);
      if constexpr (op == Op::kOr) v = _mm256_or_si256(va, vb);
      if constexpr (op == Op::kXor) v = _mm256_xor_si256(va, vb);
    }
    if constexpr (kStore) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), v);
    total = Avx2AddPopcount(total, v);
  }
  uint64_t count = Avx2LaneSum(total);
  for (; i < n; ++i) {
    const uint64_t w = Combine<op>(a[i], op == Op::kFirst ? 0 : b[i]);
    if constexpr (kStore) out[i] = w;
    count += static_cast<uint64_t>(__builtin_popcountll(w));
  }
  return count;
}

#endif  // AUDIENCE_DENSE_X86

// SliceRange, planned once per call: the slices to read, top bit first, and
// at each whether the lower / upper bound is still tested there and what
// its bit is. Below a bound's last tested bit the bound is all zeros (lo)
// or all ones (hi), so people still equal on the bits above satisfy it.
struct RangeStep {
  const uint64_t* words = nullptr;
  bool lo = false, lo_one = false, hi = false, hi_one = false;
};
struct RangePlan {
  RangeStep steps[64];
  size_t count = 0;
  bool lo = false, hi = false;  // whether each bound is tested at all
};

inline size_t LoStop(size_t depth, uint64_t lo) {
  return lo == 0 ? depth : static_cast<size_t>(__builtin_ctzll(lo));
}
inline size_t HiStop(size_t depth, uint64_t hi) {
  const uint64_t all = depth >= 64 ? ~uint64_t{0} : (uint64_t{1} << depth) - 1;
  return hi == all ? depth : static_cast<size_t>(__builtin_ctzll(~hi));
}

inline RangePlan PlanRange(const uint64_t* const* slices, size_t depth, uint64_t lo,
                           uint64_t hi) {
  RangePlan p;
  const size_t lo_stop = LoStop(depth, lo), hi_stop = HiStop(depth, hi);
  p.lo = lo_stop < depth;
  p.hi = hi_stop < depth;
  for (size_t j = depth; j-- > std::min(lo_stop, hi_stop);) {
    RangeStep& st = p.steps[p.count++];
    st.words = slices[j];
    st.lo = j >= lo_stop;
    st.lo_one = ((lo >> j) & 1) != 0;
    st.hi = j >= hi_stop;
    st.hi_one = ((hi >> j) & 1) != 0;
  }
  return p;
}

// One word: gt/lt collect people already known to be above lo / below hi,
// eq_lo/eq_hi those still equal to the bound on the bits read so far.
inline uint64_t RangeWord(const RangePlan& p, uint64_t m, size_t i) {
  uint64_t gt = 0, eq_lo = m, lt = 0, eq_hi = m;
  for (size_t k = 0; k < p.count; ++k) {
    const RangeStep& st = p.steps[k];
    const uint64_t s = st.words[i];
    if (st.lo) {
      if (st.lo_one) {
        eq_lo &= s;
      } else {
        gt |= eq_lo & s;
        eq_lo &= ~s;
      }
    }
    if (st.hi) {
      if (st.hi_one) {
        lt |= eq_hi & ~s;
        eq_hi &= s;
      } else {
        eq_hi &= ~s;
      }
    }
  }
  return (p.lo ? gt | eq_lo : m) & (p.hi ? lt | eq_hi : m);
}

template <bool kHardwarePopcount>
[[gnu::always_inline]] inline uint64_t ScalarRange(const RangePlan& p, const uint64_t* mask,
                                                   uint64_t* out, size_t n) {
  uint64_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t w = RangeWord(p, mask[i], i);
    if (out != nullptr) out[i] = w;
    if constexpr (kHardwarePopcount) {
      count += static_cast<uint64_t>(__builtin_popcountll(w));
    } else {
      count += SwarPopcount(w);
    }
  }
  return count;
}

inline uint64_t PortableRange(const RangePlan& p, const uint64_t* mask, uint64_t* out,
                              size_t n) {
  return ScalarRange<false>(p, mask, out, n);
}

// SliceRange for a sparse mask: each masked person's key is gathered bit by
// bit from the slices at or above `bottom` and compared with the bounds
// shifted alike (below bottom lo is all zeros and hi all ones, so the
// shifted comparison is exact). Cost per person, not per word.
inline uint64_t SparseRange(const uint64_t* const* slices, size_t depth, size_t bottom,
                            uint64_t lo, uint64_t hi, const uint64_t* mask, uint64_t* out,
                            size_t n) {
  uint16_t ids[1024];
  const size_t m = ExtractLoop(mask, n, ids);
  if (out != nullptr) std::fill(out, out + n, uint64_t{0});
  const uint64_t lo_s = lo >> bottom, hi_s = hi >> bottom;  // bottom < depth <= 64
  uint64_t count = 0;
  for (size_t k = 0; k < m; ++k) {
    const size_t word = ids[k] >> 6, bit = ids[k] & 63;
    uint64_t key = 0;
    for (size_t j = depth; j-- > bottom;) key = (key << 1) | ((slices[j][word] >> bit) & 1);
    if (key < lo_s || key > hi_s) continue;
    ++count;
    if (out != nullptr) out[word] |= uint64_t{1} << bit;
  }
  return count;
}

#if AUDIENCE_DENSE_X86

__attribute__((target("popcnt"))) inline uint64_t PopcntRange(const RangePlan& p,
                                                             const uint64_t* mask,
                                                             uint64_t* out, size_t n) {
  return ScalarRange<true>(p, mask, out, n);
}

// RangeWord on eight words (one cache line per slice) at a time. A group
// stops reading slices once none of its people still equals a bound that
// is tested further down: their answers are known, and the low slices of a
// range whose bounds end in many zero / one bits are mostly skipped (4.6 ->
// 3.2 us per chunk for `last_active_at < now - 30d` over 1M people in
// cache). Specialised on which bounds exist, so the inner loop tests less.
template <bool kLo, bool kHi>
__attribute__((target("avx2,popcnt"))) inline uint64_t Avx2RangeT(const RangePlan& p,
                                                                 const uint64_t* mask,
                                                                 uint64_t* out, size_t n) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i total = zero;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i m0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(mask + i));
    const __m256i m1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(mask + i + 4));
    __m256i gt0 = zero, eq_lo0 = m0, lt0 = zero, eq_hi0 = m0;
    __m256i gt1 = zero, eq_lo1 = m1, lt1 = zero, eq_hi1 = m1;
    for (size_t k = 0; k < p.count; ++k) {
      const RangeStep& st = p.steps[k];
      const __m256i s0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(st.words + i));
      const __m256i s1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(st.words + i + 4));
      if (kLo && st.lo) {
        if (st.lo_one) {
          eq_lo0 = _mm256_and_si256(eq_lo0, s0);
          eq_lo1 = _mm256_and_si256(eq_lo1, s1);
        } else {
          gt0 = _mm256_or_si256(gt0, _mm256_and_si256(eq_lo0, s0));
          gt1 = _mm256_or_si256(gt1, _mm256_and_si256(eq_lo1, s1));
          eq_lo0 = _mm256_andnot_si256(s0, eq_lo0);
          eq_lo1 = _mm256_andnot_si256(s1, eq_lo1);
        }
      }
      if (kHi && st.hi) {
        if (st.hi_one) {
          lt0 = _mm256_or_si256(lt0, _mm256_andnot_si256(s0, eq_hi0));
          lt1 = _mm256_or_si256(lt1, _mm256_andnot_si256(s1, eq_hi1));
          eq_hi0 = _mm256_and_si256(eq_hi0, s0);
          eq_hi1 = _mm256_and_si256(eq_hi1, s1);
        } else {
          eq_hi0 = _mm256_andnot_si256(s0, eq_hi0);
          eq_hi1 = _mm256_andnot_si256(s1, eq_hi1);
        }
      }
      __m256i open = zero;  // a bound no longer tested is settled
      if (kLo && st.lo) open = _mm256_or_si256(open, _mm256_or_si256(eq_lo0, eq_lo1));
      if (kHi && st.hi) open = _mm256_or_si256(open, _mm256_or_si256(eq_hi0, eq_hi1));
      if (_mm256_testz_si256(open, open)) break;
    }
    const __m256i v0 = _mm256_and_si256(kLo ? _mm256_or_si256(gt0, eq_lo0) : m0,
                                        kHi ? _mm256_or_si256(lt0, eq_hi0) : m0);
    const __m256i v1 = _mm256_and_si256(kLo ? _mm256_or_si256(gt1, eq_lo1) : m1,
                                        kHi ? _mm256_or_si256(lt1, eq_hi1) : m1);
    if (out != nullptr) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), v0);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + 4), v1);
    }
    total = Avx2AddPopcount(total, v0);
    total = Avx2AddPopcount(total, v1);
  }
  uint64_t count = Avx2LaneSum(total);
  for (; i < n; ++i) {
    const uint64_t w = RangeWord(p, mask[i], i);
    if (out != nullptr) out[i] = w;
    count += static_cast<uint64_t>(__builtin_popcountll(w));
  }
  return count;
}

__attribute__((target("avx2,popcnt"))) inline uint64_t Avx2Range(const RangePlan& p,
                                                                 const uint64_t* mask,
                                                                 uint64_t* out, size_t n) {
  if (p.lo && p.hi) return Avx2RangeT<true, true>(p, mask, out, n);
  if (p.lo) return Avx2RangeT<true, false>(p, mask, out, n);
  return Avx2RangeT<false, true>(p, mask, out, n);
}

#endif  // AUDIENCE_DENSE_X86

#if AUDIENCE_DENSE_X86

// ExtractLoop with tzcnt/blsr, writing four positions per step whatever the
// word's count (tzcnt of 0 is defined): the loop exit is then taken once
// per four bits instead of mispredicted on nearly every sparse word. The
// extra writes land inside `out` (checked against the total, counted
// first) and are overwritten by the next word's.
__attribute__((target("avx2,bmi,bmi2,popcnt"))) inline size_t BmiExtract(const uint64_t* a,
                                                                     size_t n, uint16_t* out) {
  const size_t total = Avx2Kernel<Op::kFirst, false>(a, nullptr, nullptr, n);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t w = a[i];
    if (w == 0) continue;
    const auto base = static_cast<uint16_t>(i * 64);
    const size_t count = static_cast<size_t>(__builtin_popcountll(w));
    if (k + ((count + 3) & ~size_t{3}) <= total) {
      for (size_t j = 0; j < count; j += 4) {
        for (size_t u = 0; u < 4; ++u) {
          out[k + j + u] = static_cast<uint16_t>(base + _tzcnt_u64(w));
          w = _blsr_u64(w);
        }
      }
    } else {
      for (size_t j = 0; j < count; ++j) {
        out[k + j] = static_cast<uint16_t>(base + _tzcnt_u64(w));
        w = _blsr_u64(w);
      }
    }
    k += count;
  }
  return k;
}

// Four ids per iteration with BMI2's shifts (shlx): 2.0 vs 2.4 us for a
// 4,000-id array.
__attribute__((target("bmi,bmi2"))) inline void BmiSetBits(const uint16_t* ids, size_t n,
                                                           uint64_t* words) {
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    const uint32_t a = ids[k], b = ids[k + 1], c = ids[k + 2], d = ids[k + 3];
    words[a >> 6] |= uint64_t{1} << (a & 63);
    words[b >> 6] |= uint64_t{1} << (b & 63);
    words[c >> 6] |= uint64_t{1} << (c & 63);
    words[d >> 6] |= uint64_t{1} << (d & 63);
  }
  SetBitsLoop(ids + k, n - k, words);
}

#endif  // AUDIENCE_DENSE_X86

using Kernel = uint64_t (*)(const uint64_t*, const uint64_t*, uint64_t*, size_t);
using SetBitsFn = void (*)(const uint16_t*, size_t, uint64_t*);

using Extract = size_t (*)(const uint64_t*, size_t, uint16_t*);
using Range = uint64_t (*)(const RangePlan&, const uint64_t*, uint64_t*, size_t);

struct Table {
  Kernel popcount, and_count, and_not_count, and_store, and_not_store, or_store, xor_store;
  Extract extract;
  Range range;
  SetBitsFn set_bits;
};

#define AUDIENCE_DENSE_TABLE(K, E, R, S)                                                         \
  Table {                                                                                        \
    &K<Op::kFirst, false>, &K<Op::kAnd, false>, &K<Op::kAndNot, false>, &K<Op::kAnd, true>,     \
        &K<Op::kAndNot, true>, &K<Op::kOr, true>, &K<Op::kXor, true>, &E, &R, &S                 \
  }

inline const Table& TableFor(Isa isa) {
  static const Table portable =
      AUDIENCE_DENSE_TABLE(PortableKernel, PortableExtract, PortableRange, SetBitsLoop);
#if AUDIENCE_DENSE_X86
  static const Table popcnt =
      AUDIENCE_DENSE_TABLE(PopcntKernel, PortableExtract, PopcntRange, SetBitsLoop);
  static const Table avx2 = AUDIENCE_DENSE_TABLE(Avx2Kernel, BmiExtract, Avx2Range, BmiSetBits);
  if (isa == Isa::kAvx2) return avx2;
  if (isa == Isa::kPopcnt) return popcnt;
#else
  (void)isa;
#endif
  return portable;
}

#undef AUDIENCE_DENSE_TABLE

inline Isa Detect() {
#if AUDIENCE_DENSE_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") &&
      __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2")) {
    return Isa::kAvx2;
  }
  if (__builtin_cpu_supports("popcnt")) return Isa::kPopcnt;
#endif
  return Isa::kPortable;
}

// The table in use. A function-local static so that header-only and
// compiled builds share one instance.
inline std::atomic<const Table*>& Active() {
  static std::atomic<const Table*> active{&TableFor(Detect())};
  return active;
}

inline const Table& Current() { return *Active().load(std::memory_order_relaxed); }

}  // namespace dense_internal

AUDIENCE_FUNC std::string_view IsaName(Isa isa) {
  switch (isa) {
    case Isa::kPortable: return "portable";
    case Isa::kPopcnt: return "popcnt";
    case Isa::kAvx2: return "avx2";
  }
  return "unknown";
}

AUDIENCE_FUNC Isa DetectedIsa() {
  static const Isa detected = dense_internal::Detect();
  return detected;
}

AUDIENCE_FUNC Isa ActiveIsa() {
  const dense_internal::Table* t = &dense_internal::Current();
  for (Isa isa : {Isa::kAvx2, Isa::kPopcnt}) {
    if (isa <= DetectedIsa() && t == &dense_internal::TableFor(isa)) return isa;
  }
  return Isa::kPortable;
}

AUDIENCE_FUNC Isa SetIsa(Isa isa) {
  if (static_cast<uint8_t>(isa) > static_cast<uint8_t>(DetectedIsa())) isa = DetectedIsa();
  dense_internal::Active().store(&dense_internal::TableFor(isa), std::memory_order_relaxed);
  return isa;
}

AUDIENCE_FUNC uint64_t Popcount(const uint64_t* a, size_t n) {
  return dense_internal::Current().popcount(a, nullptr, nullptr, n);
}
AUDIENCE_FUNC uint64_t AndCount(const uint64_t* a, const uint64_t* b, size_t n) {
  return dense_internal::Current().and_count(a, b, nullptr, n);
}
AUDIENCE_FUNC uint64_t AndNotCount(const uint64_t* a, const uint64_t* b, size_t n) {
  return dense_internal::Current().and_not_count(a, b, nullptr, n);
}
AUDIENCE_FUNC uint64_t And(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n) {
  return dense_internal::Current().and_store(a, b, out, n);
}
AUDIENCE_FUNC uint64_t AndNot(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n) {
  return dense_internal::Current().and_not_store(a, b, out, n);
}
AUDIENCE_FUNC uint64_t Or(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n) {
  return dense_internal::Current().or_store(a, b, out, n);
}
AUDIENCE_FUNC uint64_t Xor(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n) {
  return dense_internal::Current().xor_store(a, b, out, n);
}

AUDIENCE_FUNC size_t ExtractSetBits(const uint64_t* a, size_t n, uint16_t* out) {
  return dense_internal::Current().extract(a, n, out);
}

AUDIENCE_FUNC void SetBits(const uint16_t* ids, size_t n, uint64_t* words) {
  dense_internal::Current().set_bits(ids, n, words);
}

AUDIENCE_FUNC uint64_t SliceRange(const uint64_t* const* slices, size_t depth, uint64_t lo,
                                  uint64_t hi, const uint64_t* mask, uint64_t* out, size_t n,
                                  uint64_t mask_count) {
  const size_t bottom = SliceRangeBottom(depth, lo, hi);
  if (n <= 1024 && bottom < depth &&
      (mask_count == kUnknownCount ? Popcount(mask, n) : mask_count) * kSparseRatio < n) {
    return dense_internal::SparseRange(slices, depth, bottom, lo, hi, mask, out, n);
  }
  const dense_internal::RangePlan plan = dense_internal::PlanRange(slices, depth, lo, hi);
  return dense_internal::Current().range(plan, mask, out, n);
}

AUDIENCE_FUNC void Transpose64(uint64_t rows[64]) {
  // Round j swaps the high j bits of row k with the low j bits of row k + j
  // in every pair of j-row blocks: halves, quarters, ... single bits.
  uint64_t mask = 0x00000000FFFFFFFFull;
  for (unsigned j = 32; j != 0; j >>= 1, mask ^= mask << j) {
    for (unsigned k = 0; k < 64; k = ((k | j) + 1) & ~j) {
      const uint64_t t = ((rows[k] >> j) ^ rows[k | j]) & mask;
      rows[k] ^= t << j;
      rows[k | j] ^= t;
    }
  }
}

AUDIENCE_FUNC size_t SliceRangeBottom(size_t depth, uint64_t lo, uint64_t hi) {
  return std::min(dense_internal::LoStop(depth, lo), dense_internal::HiStop(depth, hi));
}

}  // namespace dense

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_DENSE_KERNELS_INL_H_
