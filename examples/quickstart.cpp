// The program of docs/getting-started.md: schema, a write batch, reads, a
// snapshot round trip. Exits non-zero if anything is off.
#include <cstdio>
#include <filesystem>

#include "audience/audience.h"
#include "fmt/format.h"

using namespace audience;

int main() {
  Schema schema;
  bool declared =
      schema.AddDimension({.name = "interest"}).ok() &&
      schema.AddDimension({.name = "power", .kind = DimensionKind::kExclusive,
                           .values = {"high", "mid", "low"}}).ok() &&
      schema.AddDimension({.name = "campaign", .default_ttl = absl::Hours(24 * 7)}).ok() &&
      schema.AddAttribute({.name = "age", .type = AttributeType::kInt64}).ok() &&
      schema.AddAttribute({.name = "gender", .type = AttributeType::kEnum,
                           .enum_values = {"F", "M", "U"}}).ok() &&
      schema.AddEventType({.name = "purchase",
                           .properties = {{.name = "category", .indexed = true}}}).ok();
  absl::StatusOr<Store> store = Store::Create(schema);
  if (!declared || !store.ok()) return 1;

  absl::Time now = absl::FromCivil(absl::CivilDay(2026, 5, 1), absl::UTCTimeZone());
  WriteBatch batch(now);
  batch.Tag(ExternalId::Str("u1"), "interest", "fashion");
  batch.Tag(ExternalId::Str("u1"), "power", "high");
  batch.Tag(ExternalId::Str("u1"), "campaign", "spring");
  batch.SetAttribute(ExternalId::Str("u1"), "age", Value::Int(27));
  batch.Purchase(ExternalId::Str("u1"), now - absl::Hours(30), 59.0, {{"category", "skincare"}});
  batch.Link(ExternalId::Str("u1"), ExternalId::Int(13800000000));
  batch.Tag(ExternalId::Str("u2"), "interest", "fashion");
  batch.SetAttribute(ExternalId::Str("u2"), "age", Value::Int(45));
  absl::StatusOr<ApplyResult> applied = store->Apply(batch);
  if (!applied.ok()) {
    fmt::print(stderr, "{}\n", applied.status().message());
    return 1;
  }

  uint64_t fans = *store->CountTag("interest", "fashion", now);
  Bitmap young = *store->attribute(*store->schema().AttributeIdOf("age"))
                      .Between(Value::Int(20), Value::Int(30));
  absl::StatusOr<Profile> p = store->GetProfile(ExternalId::Int(13800000000), now);
  fmt::print("fashion fans: {}, aged 20-30: {}, u1 has {} tags and {} ids\n", fans,
             young.Cardinality(), p->tags.size(), p->ids.size());
  uint64_t campaign_later =
      *store->CountTag("campaign", "spring", now + absl::Hours(24 * 8));
  fmt::print("campaign tag holders 8 days later: {}\n", campaign_later);

  // A rejected batch changes nothing.
  WriteBatch bad(now);
  bad.Tag(ExternalId::Str("u3"), "power", "extreme");
  absl::StatusOr<ApplyResult> rejected = store->Apply(bad);
  fmt::print("bad batch: {}\n", rejected.status().message());

  std::string path = (std::filesystem::temp_directory_path() / "quickstart.aud").string();
  if (!SaveSnapshot(*store, path).ok()) return 1;
  absl::StatusOr<Store> reopened = OpenSnapshot(path);
  std::filesystem::remove(path);
  bool same = reopened.ok() && *reopened == *store;
  fmt::print("snapshot round trip: {}\n", same ? "identical" : "DIFFERENT");
  bool ok = fans == 2 && young.Cardinality() == 1 && p->ids.size() == 2 && campaign_later == 0 &&
            !rejected.ok() && store->person_count() == 2 && same;
  return ok ? 0 : 1;
}
