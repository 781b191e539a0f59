// Dense word kernels with runtime CPU dispatch: the loops over plain 64-bit
// words of ids that sit behind Bitmap's bitset containers (a container of a
// dense bitmap is 1024 words) and behind Bitmap::FromWords.
//
//   uint64_t both = dense::AndCount(a, b, 1024);     // |a & b|
//   uint64_t kept = dense::AndNot(a, b, out, 1024);  // out = a & ~b, |out|
//   dense::SetIsa(dense::Isa::kPortable);            // tests: force a level
//
// Why our own: Debian's CRoaring is built for generic x86-64, where every
// popcount is a library call; these loops use POPCNT or AVX2 when the CPU
// has them (checked once, with cpuid), and a branch-free SWAR popcount
// otherwise. Every level returns the same results (tested against each
// other); only the speed differs.
//
// Arrays need no alignment; `out` may alias `a` or `b`. Thread-safe, except
// that SetIsa must not race with kernel calls.
#ifndef AUDIENCE_STORAGE_DENSE_KERNELS_H_
#define AUDIENCE_STORAGE_DENSE_KERNELS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

namespace dense {

// Instruction-set levels, each including the ones before it (kAvx2 also
// needs BMI1/BMI2, which every AVX2 CPU we know of has).
enum class Isa : uint8_t { kPortable = 0, kPopcnt = 1, kAvx2 = 2 };

std::string_view IsaName(Isa isa);
// The best level the running CPU supports.
Isa DetectedIsa();
// The level the kernels use now; DetectedIsa() unless SetIsa changed it.
Isa ActiveIsa();
// Uses `isa`, clamped to DetectedIsa(); returns the level now in use.
Isa SetIsa(Isa isa);

// A chunk of 1024 words (Bitmap::kChunkWords) all zero, and all ones.
alignas(64) inline constexpr uint64_t kZeroChunk[1024] = {};
inline constexpr auto kOnesChunk = [] {
  std::array<uint64_t, 1024> ones{};
  ones.fill(~uint64_t{0});
  return ones;
}();

// Number of set bits in a[0..n).
uint64_t Popcount(const uint64_t* a, size_t n);
// Set bits of a & b and of a & ~b, without writing anything.
uint64_t AndCount(const uint64_t* a, const uint64_t* b, size_t n);
uint64_t AndNotCount(const uint64_t* a, const uint64_t* b, size_t n);
// out[i] = a[i] op b[i] for i < n; each returns the number of set bits of out.
uint64_t And(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n);
uint64_t AndNot(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n);
uint64_t Or(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n);
uint64_t Xor(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n);
// Writes the index of every set bit of a[0..n), ascending, to `out` (room
// for Popcount(a, n) values; n <= 1024 so that indexes fit 16 bits).
// Returns the number written.
size_t ExtractSetBits(const uint64_t* a, size_t n, uint16_t* out);

// Sets bit `ids[k]` of `words` for every k < n (ids in any order; the
// words must hold bit max(ids)): an array container OR-ed into a chunk.
void SetBits(const uint16_t* ids, size_t n, uint64_t* words);

// Transposes the 64x64 bit matrix whose row r is rows[r]: afterwards bit r
// of rows[i] is what bit i of the old rows[r] was (64 keys in, their 64 bit
// slices out, one word each). Portable: six rounds of block swaps.
void Transpose64(uint64_t rows[64]);

// A range test over bit-sliced keys, 64 people per word: the person of bit
// b of word i has a key whose bit j is bit b of slices[j][i] (j < depth).
// Writes out[i] = mask[i] & {bits whose key lies in [lo, hi]} and returns
// the number of set bits written; with `out` null it only counts. Requires
// depth <= 64 and lo <= hi <= the largest depth-bit key. Reads only the
// slices at or above the lowest bit where lo has a one or hi a zero (below
// it the answer is already known), so `slices` may hold nulls there. A
// sparse mask (fewer than one set bit in kSparseRatio words) is answered
// person by person instead of word by word. `mask_count`, when the caller
// knows it, is the mask's number of set bits (saves a pass to count them).
inline constexpr uint64_t kSparseRatio = 8;
inline constexpr uint64_t kUnknownCount = ~uint64_t{0};
uint64_t SliceRange(const uint64_t* const* slices, size_t depth, uint64_t lo, uint64_t hi,
                    const uint64_t* mask, uint64_t* out, size_t n,
                    uint64_t mask_count = kUnknownCount);
// The lowest slice SliceRange reads for these bounds (depth when none).
size_t SliceRangeBottom(size_t depth, uint64_t lo, uint64_t hi);

}  // namespace dense

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/storage/dense_kernels-inl.h"
#endif

#endif  // AUDIENCE_STORAGE_DENSE_KERNELS_H_
