// Store::CheckBlock and Store::ApplyBlock: the kColumns operation of a
// WriteBatch (store/column_block.h), validated per column and applied one
// index at a time.
#ifndef AUDIENCE_STORE_STORE_BLOCK_INL_H_
#define AUDIENCE_STORE_STORE_BLOCK_INL_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>
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
  for (size_t r = 0; r < n; ++r) {
    bool created = false;
    people[r] = *ids_.GetOrCreate(block.ids()[r], &created);  // validated
    if (created) ++result->people_created;
  }
  // One task per attribute and per dimension (two columns of one attribute
  // or dimension run in block order); tasks touch disjoint indexes, so they
  // may run on several threads. Sources are interned first: the registry
  // is shared.
  std::vector<std::function<void()>> tasks;
  absl::flat_hash_map<AttributeId, std::vector<const ColumnValues*>> by_attr;
  std::vector<AttributeId> attr_order;
  for (const auto& [name, values] : block.attributes()) {
    const AttributeId a = *schema_.AttributeIdOf(name);
    if (!by_attr.contains(a)) attr_order.push_back(a);
    by_attr[a].push_back(&values);
  }
  for (AttributeId a : attr_order) {
    tasks.push_back([this, a, &columns = by_attr[a], &people, seq] {
      for (const ColumnValues* values : columns) attributes_[a].SetColumn(people, *values, seq);
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
    tasks.push_back([this, d, &columns = by_dim[d], &people, seq, now] {
      for (const auto& [column, source] : columns) {
        ApplyTagColumn(*column, d, source, people, seq, now);
      }
    });
  }
  const size_t threads = std::min<size_t>(std::max(block.apply_threads(), 1u), tasks.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t t = next++; t < tasks.size(); t = next++) tasks[t]();
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& h : helpers) h.join();
}

AUDIENCE_FUNC void Store::ApplyTagColumn(const TagColumn& column, DimensionId d, SourceId source,
                                         absl::Span<const PersonId> people, WriteSeq seq,
                                         UnixSeconds now) {
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
    std::vector<bool> seen(ids_.capacity());
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
