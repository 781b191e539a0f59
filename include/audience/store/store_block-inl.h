// Store::CheckBlock and Store::ApplyBlock: the kColumns operation of a
// WriteBatch (store/column_block.h), validated per column and applied one
// index at a time.
#ifndef AUDIENCE_STORE_STORE_BLOCK_INL_H_
#define AUDIENCE_STORE_STORE_BLOCK_INL_H_

#include <algorithm>
#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "audience/store/column_block.h"
#include "audience/store/store.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC void Store::CheckBlock(
    const ColumnBlock& block, uint64_t op_row,
    absl::FunctionRef<void(uint64_t row, std::string_view message)> fail) const {
  const size_t n = block.size();
  for (size_t r = 0; r < n; ++r) {
    absl::Status s = IdMap::ValidateId(block.ids()[r]);
    if (!s.ok()) fail(block.SourceRow(r), fmt::format("id: {}", s.message()));
  }
  for (const auto& [name, values] : block.attributes()) {
    std::optional<AttributeId> a = schema_.AttributeIdOf(name);
    if (!a) {
      fail(op_row, fmt::format("unknown attribute '{}'", name));
    } else if (values.size() != n) {
      fail(op_row, fmt::format("column '{}' has {} values for {} rows", name, values.size(), n));
    } else {
      attributes_[*a].CheckColumn(values, [&](size_t r, std::string_view message) {
        fail(block.SourceRow(r), message);
      });
    }
  }
  for (const TagColumn& column : block.tags()) {
    std::optional<DimensionId> d = schema_.DimensionIdOf(column.dimension());
    if (!d) {
      fail(op_row, fmt::format("unknown dimension '{}'", column.dimension()));
      continue;
    }
    if (column.rows() != n) {
      fail(op_row, fmt::format("tag column '{}' has {} rows for {} rows", column.dimension(),
                               column.rows(), n));
      continue;
    }
    if (absl::Status s = store_internal::CheckTagOptions(column.options()); !s.ok()) {
      fail(op_row, fmt::format("tag column '{}': {}", column.dimension(), s.message()));
    }
    const TagDimension& dim = dimensions_[*d];
    // One verdict per dictionary value; the rows holding it share it.
    std::vector<std::string> verdict(column.dictionary().size());
    for (size_t c = 0; c < verdict.size(); ++c) {
      absl::Status s =
          store_internal::CheckTagValue(dim, column.dictionary()[c], /*must_exist=*/false);
      if (!s.ok()) verdict[c] = std::string(StdView(s.message()));
    }
    const bool exclusive = dim.kind() == DimensionKind::kExclusive;
    for (size_t r = 0; r < n; ++r) {
      const size_t begin = column.offsets()[r], end = column.offsets()[r + 1];
      if (exclusive && end - begin > 1) {
        fail(block.SourceRow(r),
             fmt::format("exclusive dimension '{}' takes one value", dim.name()));
      }
      for (size_t k = begin; k < end; ++k) {
        if (!verdict[column.values()[k]].empty()) {
          fail(block.SourceRow(r), verdict[column.values()[k]]);
        }
      }
    }
  }
}

AUDIENCE_FUNC void Store::ApplyBlock(const ColumnBlock& block, WriteSeq seq, UnixSeconds now,
                                     ApplyResult* result) {
  const size_t n = block.size();
  std::vector<PersonId> people(n);
  // A block large against the store reserves room for all its ids up front
  // (no rehashing on the way); a small one grows the tables as usual, so
  // many small blocks do not resize them each time.
  if (n * 4 >= ids_.capacity()) {
    size_t int_ids = 0;
    for (const ExternalId& id : block.ids()) int_ids += id.is_int() ? 1 : 0;
    if (int_ids > 0) ids_.Reserve(ids_.capacity() + int_ids);
    if (int_ids < n) ids_.ReserveStrings(ids_.capacity() + (n - int_ids));
  }
  // Into a store that has issued no person yet, a block of distinct ids
  // maps row r to person r. The column tasks assume so and start at once,
  // beside the id inserts (1.2 s for 10M ids on one thread); if some id
  // repeats after all, the indexes they built are put back and the block is
  // applied again with the real mapping.
  const unsigned threads_wanted = std::max(block.apply_threads(), 1u);
  const bool speculate =
      ids_.capacity() == 0 && n >= kSpeculateRows && n < kNoPerson && threads_wanted > 1;
  bool identity = true;  // written by the id thread when speculating
  auto insert_ids = [&, result] {
    const absl::Span<const ExternalId> ids = block.ids();
    if (!speculate) {
      result->people_created += *ids_.GetOrCreateMany(ids, absl::MakeSpan(people));  // validated
      return;
    }
    // The guess is being read: the real persons go through a buffer.
    std::vector<PersonId> got(std::min<size_t>(n, 1 << 16));
    for (size_t begin = 0; begin < n; begin += got.size()) {
      const size_t count = std::min(got.size(), n - begin);
      result->people_created +=
          *ids_.GetOrCreateMany(ids.subspan(begin, count), absl::MakeSpan(got.data(), count));
      for (size_t k = 0; k < count; ++k) identity = identity && got[k] == begin + k;
    }
  };
  if (speculate) {
    for (size_t r = 0; r < n; ++r) people[r] = static_cast<PersonId>(r);
  } else {
    insert_ids();
  }
  // Persons issued once the ids are in (what an exclusive dimension sizes
  // its scratch by; the id table itself may be growing meanwhile).
  PersonId capacity = speculate ? static_cast<PersonId>(n) : ids_.capacity();
  // One task per attribute and per dimension (two columns of one attribute
  // or dimension run in block order); tasks touch disjoint indexes, so they
  // may run on several threads. Sources are interned first: the registry
  // is shared. Each task carries a rough cost (cells, a range index counted
  // four times), and the costliest start first: a 10M-row tag column with 8
  // values a row started last kept one of two threads idle for 1.7 s.
  std::vector<std::pair<uint64_t, std::function<void()>>> costed;
  absl::flat_hash_map<AttributeId, std::vector<const ColumnValues*>> by_attr;
  std::vector<AttributeId> attr_order;
  for (const auto& [name, values] : block.attributes()) {
    const AttributeId a = *schema_.AttributeIdOf(name);
    if (!by_attr.contains(a)) attr_order.push_back(a);
    by_attr[a].push_back(&values);
  }
  for (AttributeId a : attr_order) {
    const AttributeType type = schema_.attributes()[a].type;
    const bool ranged = type == AttributeType::kInt64 || type == AttributeType::kDouble ||
                        type == AttributeType::kTimestamp;
    costed.emplace_back(by_attr[a].size() * n * (ranged ? 4 : 1),
                        [this, a, &columns = by_attr[a], &people, seq] {
                          for (const ColumnValues* values : columns) {
                            attributes_[a].SetColumn(people, *values, seq);
                          }
                        });
  }
  absl::flat_hash_map<DimensionId, std::vector<std::pair<const TagColumn*, SourceId>>> by_dim;
  std::vector<DimensionId> dim_order;
  for (const TagColumn& column : block.tags()) {
    const DimensionId d = *schema_.DimensionIdOf(column.dimension());
    if (!by_dim.contains(d)) dim_order.push_back(d);
    by_dim[d].emplace_back(&column, sources_.Intern(column.options().source));
  }
  for (DimensionId d : dim_order) {
    uint64_t cells = 0;
    for (const auto& [column, source] : by_dim[d]) cells += column->values().size() + n;
    costed.emplace_back(cells, [this, d, &columns = by_dim[d], &people, &capacity, seq, now] {
      for (const auto& [column, source] : columns) {
        ApplyTagColumn(*column, d, source, people, capacity, seq, now);
      }
    });
  }
  std::stable_sort(costed.begin(), costed.end(),
                   [](const auto& x, const auto& y) { return x.first > y.first; });
  std::vector<std::function<void()>> tasks;
  for (auto& [cost, task] : costed) tasks.push_back(std::move(task));
  // What the tasks change, kept while they run on a guess (small: the store
  // holds no one yet).
  std::vector<std::pair<AttributeId, AttributeColumn>> saved_attributes;
  std::vector<std::pair<DimensionId, TagDimension>> saved_dimensions;
  if (speculate) {
    for (AttributeId a : attr_order) saved_attributes.emplace_back(a, attributes_[a]);
    for (DimensionId d : dim_order) saved_dimensions.emplace_back(d, dimensions_[d]);
  }
  auto run_tasks = [&](bool with_ids) {
    const size_t threads = std::min<size_t>(threads_wanted, tasks.size() + (with_ids ? 1 : 0));
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t t = next++; t < tasks.size(); t = next++) tasks[t]();
    };
    std::vector<std::thread> helpers;
    if (with_ids) {
      helpers.emplace_back([&] {
        insert_ids();
        work();
      });
    }
    while (helpers.size() + 1 < threads) helpers.emplace_back(work);
    work();
    for (std::thread& h : helpers) h.join();
  };
  run_tasks(speculate);
  if (!speculate || identity) return;
  for (auto& [a, column] : saved_attributes) attributes_[a] = std::move(column);
  for (auto& [d, dim] : saved_dimensions) dimensions_[d] = std::move(dim);
  for (size_t r = 0; r < n; ++r) people[r] = *ids_.Find(block.ids()[r]);
  capacity = ids_.capacity();
  run_tasks(false);
}

AUDIENCE_FUNC void Store::ApplyTagColumn(const TagColumn& column, DimensionId d, SourceId source,
                                         absl::Span<const PersonId> people, PersonId capacity,
                                         WriteSeq seq, UnixSeconds now) {
  TagDimension& dim = dimensions_[d];
  const DimensionSpec& spec = schema_.dimensions()[d];
  std::optional<UnixSeconds> expires;
  if (column.options().expires_at) {
    expires = absl::ToUnixSeconds(*column.options().expires_at);
  } else if (spec.default_ttl) {
    expires = now + absl::ToInt64Seconds(*spec.default_ttl);
  }
  const size_t n = people.size();
  // Members per dictionary value. An exclusive dimension takes each
  // person's last row with a value (rows are walked backwards).
  std::vector<std::vector<PersonId>> members(column.dictionary().size());
  if (dim.kind() == DimensionKind::kExclusive) {
    std::vector<bool> seen(capacity);
    for (size_t r = n; r-- > 0;) {
      const size_t begin = column.offsets()[r];
      if (begin == column.offsets()[r + 1] || seen[people[r]]) continue;
      seen[people[r]] = true;
      members[column.values()[begin]].push_back(people[r]);
    }
  } else {
    for (size_t r = 0; r < n; ++r) {
      for (size_t k = column.offsets()[r]; k < column.offsets()[r + 1]; ++k) {
        members[column.values()[k]].push_back(people[r]);
      }
    }
  }
  for (size_t c = 0; c < members.size(); ++c) {
    if (members[c].empty()) continue;  // an open dimension gains only held values
    const uint32_t v = *dim.InternValue(column.dictionary()[c]);
    dim.AssignMany(Bitmap::FromIds(members[c]), v, expires, source, seq);
  }
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORE_STORE_BLOCK_INL_H_
