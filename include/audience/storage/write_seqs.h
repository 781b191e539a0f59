// WriteSeqs: the write seq of every row of one attribute column (the seq of
// the person's last write, for merges: the later write wins), stored in
// pages of 4096 rows. A page whose rows all hold one seq (never written, or
// written by one bulk block) keeps only that seq; a page that differs keeps
// its 4096 seqs. A bulk-loaded column so costs a few bytes per page instead
// of four per row (44 of the 149 attribute bytes per person of the query
// benchmark's store, eleven columns).
//
//   WriteSeqs seqs;
//   seqs.Resize(10'000);        // rows 0..9999, all 0
//   seqs.SetAll(people, 7);     // pages wholly covered become uniform
//   seqs.Set(42, 9);            // that page gets its array
//   seqs.Get(42);               // 9
//
// Encoding: u64 count, then count u32 seqs (the plain array, whatever the
// pages look like in memory).
// Not thread-safe for mutation; concurrent const use is safe.
#ifndef AUDIENCE_STORAGE_WRITE_SEQS_H_
#define AUDIENCE_STORAGE_WRITE_SEQS_H_

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "audience/base/byte_io.h"
#include "audience/base/config.h"
#include "audience/base/status_macros.h"
#include "audience/base/types.h"
#include "audience/storage/bitmap.h"

AUDIENCE_BEGIN_NAMESPACE

class WriteSeqs {
 public:
  static constexpr size_t kPageBits = 12;
  static constexpr size_t kPageRows = size_t{1} << kPageBits;

  size_t size() const { return rows_; }

  // Grows to `rows` rows; new rows hold 0. Never shrinks.
  void Resize(size_t rows) {
    if (rows <= rows_) return;
    // A partial last page that is uniform with a non-zero seq would lend
    // that seq to the new rows: give it its array first.
    if (!pages_.empty() && rows_ % kPageRows != 0) {
      Page& last = pages_.back();
      if (last.seqs.empty() && last.uniform != 0) Materialize(pages_.size() - 1);
    }
    rows_ = rows;
    pages_.resize((rows + kPageRows - 1) >> kPageBits);
  }

  // Precondition: row < size().
  WriteSeq Get(size_t row) const {
    assert(row < rows_);
    const Page& page = pages_[row >> kPageBits];
    return page.seqs.empty() ? page.uniform : page.seqs[row & (kPageRows - 1)];
  }

  // Precondition: row < size().
  void Set(size_t row, WriteSeq seq) {
    assert(row < rows_);
    Page& page = pages_[row >> kPageBits];
    if (page.seqs.empty()) {
      if (page.uniform == seq) return;
      Materialize(row >> kPageBits);
    }
    page.seqs[row & (kPageRows - 1)] = seq;
  }

  // Sets `seq` on every row of `rows` (each < size()). A page whose rows
  // are all in `rows` becomes uniform without an array being touched.
  void SetAll(const Bitmap& rows, WriteSeq seq) {
    std::vector<uint32_t> in_page;
    size_t page = SIZE_MAX;
    auto flush = [&] {
      if (page == SIZE_MAX) return;
      if (in_page.size() == RowsIn(page)) {
        pages_[page].seqs = std::vector<WriteSeq>();
        pages_[page].uniform = seq;
      } else {
        for (uint32_t r : in_page) Set(r, seq);
      }
      in_page.clear();
    };
    rows.ForEach([&](uint32_t r) {
      if ((r >> kPageBits) != page) {
        flush();
        page = r >> kPageBits;
      }
      in_page.push_back(r);
      return true;
    });
    flush();
  }

  // Drops the array of every page whose rows came to hold one seq.
  void Compact() {
    for (size_t p = 0; p < pages_.size(); ++p) {
      Page& page = pages_[p];
      if (page.seqs.empty()) continue;
      const auto end = page.seqs.begin() + static_cast<std::ptrdiff_t>(RowsIn(p));
      if (std::all_of(page.seqs.begin(), end, [&](WriteSeq s) { return s == page.seqs[0]; })) {
        page.uniform = page.seqs[0];
        page.seqs = std::vector<WriteSeq>();
      }
    }
    pages_.shrink_to_fit();
  }

  size_t MemoryBytes() const {
    size_t bytes = pages_.capacity() * sizeof(Page);
    for (const Page& page : pages_) bytes += page.seqs.capacity() * sizeof(WriteSeq);
    return bytes;
  }

  void Serialize(ByteWriter& out) const {
    out.PutU64(rows_);
    std::array<WriteSeq, kPageRows> uniform;
    for (size_t p = 0; p < pages_.size(); ++p) {
      const Page& page = pages_[p];
      const WriteSeq* seqs = page.seqs.data();
      if (page.seqs.empty()) {
        std::fill(uniform.begin(), uniform.end(), page.uniform);
        seqs = uniform.data();
      }
      out.PutBytes(seqs, RowsIn(p) * sizeof(WriteSeq));
    }
  }

  // Reads what Serialize wrote; a page whose seqs are all equal is kept
  // uniform, so opening a bulk-loaded store allocates no seq arrays.
  static absl::StatusOr<WriteSeqs> Deserialize(ByteReader& in, std::string_view what) {
    AUDIENCE_ASSIGN_OR_RETURN(std::string_view bytes, in.GetArrayBytes(what, sizeof(WriteSeq)));
    WriteSeqs out;
    out.Resize(bytes.size() / sizeof(WriteSeq));
    std::array<WriteSeq, kPageRows> buf;
    for (size_t p = 0; p < out.pages_.size(); ++p) {
      const size_t n = out.RowsIn(p);
      std::memcpy(buf.data(), bytes.data() + p * kPageRows * sizeof(WriteSeq),
                  n * sizeof(WriteSeq));
      Page& page = out.pages_[p];
      if (std::all_of(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n),
                      [&](WriteSeq s) { return s == buf[0]; })) {
        page.uniform = buf[0];
      } else {
        page.seqs.assign(kPageRows, 0);
        std::copy(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n), page.seqs.begin());
      }
    }
    return out;
  }

  // Logical equality; rows one side lacks count as 0 (never written).
  friend bool operator==(const WriteSeqs& a, const WriteSeqs& b) {
    const size_t n = std::max(a.rows_, b.rows_);
    for (size_t r = 0; r < n; ++r) {
      if ((r < a.rows_ ? a.Get(r) : 0) != (r < b.rows_ ? b.Get(r) : 0)) return false;
    }
    return true;
  }

 private:
  // `seqs` is empty when every row of the page holds `uniform`; otherwise
  // it has kPageRows entries, those past the last row 0.
  struct Page {
    WriteSeq uniform = 0;
    std::vector<WriteSeq> seqs;
  };

  size_t RowsIn(size_t page) const {
    return std::min(kPageRows, rows_ - (page << kPageBits));
  }

  void Materialize(size_t p) {
    Page& page = pages_[p];
    page.seqs.assign(kPageRows, 0);
    std::fill(page.seqs.begin(), page.seqs.begin() + static_cast<std::ptrdiff_t>(RowsIn(p)),
              page.uniform);
  }

  std::vector<Page> pages_;
  size_t rows_ = 0;
};

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_WRITE_SEQS_H_
