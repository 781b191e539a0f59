// The parallel profile read gives the same block, errors, counts, progress
// calls and store for every thread count (1 is the single-threaded read).
#include <random>
#include <tuple>

#include "audience/io/importer.h"
#include "store/test_store_util.h"

using namespace audience;
using audience_test::FullStore;

namespace {

// A seeded profile CSV with good rows and every kind of bad one: reader
// errors (junk after a closing quote, invalid UTF-8), too few fields, empty
// ids, bad ints/doubles/dates/bools, two values for an exclusive dimension,
// values the store rejects (closed enum, closed dimension), plus quoted
// fields with delimiters and line breaks, repeated ids and blank lines.
std::string MakeCsv(uint32_t seed, size_t rows, bool with_bad_rows) {
  std::mt19937 rng(seed);
  auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  const char* kInterests[] = {"fashion", "tech", "golf", "travel", "food", "cars", "music"};
  const char* kGenders[] = {"F", "M", "U"};
  const char* kPowers[] = {"high", "mid", "low"};
  std::string csv = "id,age,score,gender,region,joined,vip,interests,power,ignored\n";
  for (size_t r = 0; r < rows; ++r) {
    const uint32_t bad = with_bad_rows ? pick(40) : 99;
    std::string id = "u" + std::to_string(pick(static_cast<uint32_t>(rows * 3 / 4) + 1));
    if (pick(10) == 0) id = "\"" + id + ",x\"";  // quoted id with a delimiter
    if (bad == 0) id = "";
    if (bad == 1) {
      csv += "\"u1\"junk,1,2,F,r,2020-01-01,true,,,\n";  // reader: after closing quote
      continue;
    }
    if (bad == 2) {
      csv += "u2,1,2,F,\xff\xfe,2020-01-01,true,,,\n";  // reader: invalid UTF-8
      continue;
    }
    if (bad == 3) {
      csv += "u3,1,2\n";  // too few fields
      continue;
    }
    if (bad == 4) csv += "\n";  // a blank line: no record
    std::string age = pick(8) == 0 ? "" : std::to_string(18 + pick(60));
    if (bad == 5) age = "x" + age;
    std::string score = pick(9) == 0 ? "" : std::to_string(pick(100000)) + ".25";
    if (bad == 6) score = "1.2.3";
    std::string gender = pick(7) == 0 ? "" : kGenders[pick(3)];
    if (bad == 7) gender = "X";  // closed enum: rejected by the store
    std::string region = "r" + std::to_string(pick(50));
    if (pick(13) == 0) region = "\"r,\n" + std::to_string(pick(5)) + "\"\"\"";  // quoted break
    if (pick(11) == 0) region = "";
    std::string joined = pick(6) == 0 ? "" : "20" + std::to_string(10 + pick(15)) + "-0" +
                                               std::to_string(1 + pick(9)) + "-1" +
                                               std::to_string(pick(10));
    if (bad == 8) joined = "2023-02-30";
    std::string vip = pick(5) == 0 ? "" : (pick(2) == 0 ? "true" : "false");
    if (bad == 9) vip = "maybe";
    std::string interests;
    const uint32_t n = pick(5);
    for (uint32_t k = 0; k < n; ++k) {
      if (k > 0) interests += pick(10) == 0 ? "||" : "|";
      interests += kInterests[(pick(7) + r / 1000) % 7];
    }
    if (pick(20) == 0) interests = "\"" + interests + "|new" + std::to_string(r % 97) + "\"";
    std::string power = pick(3) == 0 ? "" : kPowers[pick(3)];
    if (bad == 10) power = "high|low";  // exclusive: one value
    if (bad == 11) power = "hihg";      // closed dimension: rejected by the store
    csv += id + "," + age + "," + score + "," + gender + "," + region + "," + joined + "," + vip +
           "," + interests + "," + power + ",z" + (pick(2) == 0 ? "\r\n" : "\n");
  }
  return csv;
}

ImportSpec Spec(unsigned threads) {
  ImportSpec spec;
  spec.kind = ImportKind::kProfiles;
  spec.id_column = "id";
  spec.attributes = {{"age", "age"},       {"score", "score"},          {"gender", "gender"},
                     {"region", "region"}, {"joined", "registered_at"}, {"vip", "vip"}};
  spec.tags = {{"interests", "interest"}, {"power", "power"}};
  spec.threads = threads;
  return spec;
}

struct Read {
  ColumnBlock block;
  ImportReport report;
  uint64_t error_count = 0;
  std::vector<std::tuple<uint64_t, uint64_t, std::optional<uint64_t>>> progress;
};

void CheckSameBlock(const ColumnBlock& a, const ColumnBlock& b) {
  REQUIRE(a.size() == b.size());
  CHECK(a.ids() == b.ids());
  for (size_t r = 0; r < a.size(); ++r) {
    if (a.SourceRow(r) != b.SourceRow(r)) FAIL("source row " << r);
  }
  REQUIRE(a.attributes().size() == b.attributes().size());
  for (size_t c = 0; c < a.attributes().size(); ++c) {
    const auto& [name_a, x] = a.attributes()[c];
    const auto& [name_b, y] = b.attributes()[c];
    INFO("attribute " << name_a);
    CHECK(name_a == name_b);
    CHECK(x.type() == y.type());
    CHECK(x.size() == a.size());
    CHECK(x.ints() == y.ints());
    CHECK(x.doubles() == y.doubles());
    CHECK(x.dictionary() == y.dictionary());
    CHECK(x.nulls() == y.nulls());
    CHECK(x.has_nulls() == y.has_nulls());
  }
  REQUIRE(a.tags().size() == b.tags().size());
  for (size_t c = 0; c < a.tags().size(); ++c) {
    const TagColumn& x = a.tags()[c];
    const TagColumn& y = b.tags()[c];
    INFO("tags " << x.dimension());
    CHECK(x.dimension() == y.dimension());
    CHECK(x.options().source == y.options().source);
    CHECK(x.rows() == a.size());
    CHECK(x.offsets() == y.offsets());
    CHECK(x.values() == y.values());
    CHECK(x.dictionary() == y.dictionary());
  }
}

}  // namespace

TEST_CASE("parallel profile import: same store, report and rejection for 1, 2, 3, 7 threads",
          "[io][import][parallel]") {
  // Enough rows that the threaded runs take row r as person r while the ids
  // go in (Store::kSpeculateRows); the ids repeat, so that guess is undone
  // and the block applied again (under ThreadSanitizer in scripts/tsan).
  const std::string csv = MakeCsv(5, 8000, true);
  ImportSpec spec = Spec(1);
  spec.skip_bad_rows = true;
  spec.max_reported_errors = 50;
  Store one = FullStore();
  absl::StatusOr<ImportReport> r1 = ImportCsvText(one, csv, spec);
  REQUIRE(r1.ok());
  REQUIRE(r1->rows_skipped > 0);
  REQUIRE(r1->people_created > 1000);
  REQUIRE(r1->rows_imported >= Store::kSpeculateRows);
  ImportSpec strict = Spec(1);
  Store untouched = FullStore();
  absl::StatusOr<ImportReport> rejected1 = ImportCsvText(untouched, csv, strict);
  REQUIRE_FALSE(rejected1.ok());
  for (unsigned threads : {2u, 3u, 7u}) {
    INFO("threads " << threads);
    spec.threads = threads;
    Store many = FullStore();
    absl::StatusOr<ImportReport> r = ImportCsvText(many, csv, spec);
    REQUIRE(r.ok());
    CHECK(many == one);
    CHECK(r->rows_read == r1->rows_read);
    CHECK(r->rows_imported == r1->rows_imported);
    CHECK(r->rows_skipped == r1->rows_skipped);
    CHECK(r->people_created == r1->people_created);
    REQUIRE(r->errors.size() == r1->errors.size());
    for (size_t e = 0; e < r->errors.size(); ++e) {
      CHECK(r->errors[e].ToString() == r1->errors[e].ToString());
    }
    strict.threads = threads;
    Store still = FullStore();
    absl::StatusOr<ImportReport> rejected = ImportCsvText(still, csv, strict);
    REQUIRE_FALSE(rejected.ok());
    CHECK(rejected.status().message() == rejected1.status().message());
    CHECK(still == untouched);
  }
}

TEST_CASE("ColumnBlock::Append joins parts into the block built in one go",
          "[store][column_block][parallel]") {
  // A block with an enum, a double and a tag column, filled row by row.
  struct Built {
    ColumnBlock b;
    ColumnValues* tier = &b.AddAttribute("tier", AttributeType::kEnum);
    ColumnValues* spend = &b.AddAttribute("spend", AttributeType::kDouble);
    TagColumn* tags = &b.AddTags("interest", {.source = "x"});
  };
  auto build = [](Built& built, int from, int to, bool rows) {
    for (int i = from; i < to; ++i) {
      built.b.AddRow(ExternalId::Int(i % 5), rows ? static_cast<uint64_t>(100 + i) : 0);
      if (i % 4 == 0) {
        built.tier->AppendNull();
      } else {
        built.tier->AppendEnum(std::string(1, static_cast<char>('a' + (i * 7) % 6)));
      }
      if (i % 3 == 0) {
        built.spend->AppendNull();
      } else {
        built.spend->AppendDouble(i * 1.5);
      }
      for (int k = 0; k < i % 3; ++k) built.tags->Add(std::to_string((i + k) % 9));
      built.tags->EndRow();
    }
  };
  for (bool rows : {false, true}) {
    for (int cut : {0, 1, 4, 9, 20}) {
      INFO("rows " << rows << ", cut " << cut);
      Built whole, head, tail;
      build(whole, 0, 20, rows);
      build(head, 0, cut, rows);
      build(tail, cut, 20, rows);
      head.b.Append(std::move(tail.b));
      CheckSameBlock(whole.b, head.b);
      CHECK(tail.b.size() == 0);
    }
  }
  // Source rows given only for the second part: the first part's rows are
  // named by position, as AddRow does.
  Built whole, head, tail;
  build(whole, 0, 3, false);
  build(whole, 3, 6, true);
  build(head, 0, 3, false);
  build(tail, 3, 6, true);
  head.b.Append(std::move(tail.b));
  CheckSameBlock(whole.b, head.b);
  CHECK(head.b.SourceRow(1) == 2);
  CHECK(head.b.SourceRow(4) == 104);
  // Mismatched columns: a programmer error; nothing is appended.
  ColumnBlock other;
  other.AddAttribute("tier", AttributeType::kInt64);
  other.AddAttribute("spend", AttributeType::kDouble);
  other.AddTags("interest");
  other.AddRow(ExternalId::Int(1));
  const size_t before = head.b.size();
  head.b.Append(std::move(other));
  CHECK(head.b.size() == before);
}

#ifdef AUDIENCE_HEADER_ONLY
// The read's internals (importer_internal) are reachable only when the
// library is compiled into the test, i.e. in the header-only test binary.
namespace {

// ReadProfileBlock on `csv`; chunk_rows 0: the path ImportCsv takes.
Read ReadBlock(const std::string& csv, ImportSpec spec, size_t chunk_rows = 0) {
  using namespace importer_internal;
  Read out;
  spec.progress = [&](uint64_t rows, uint64_t bytes, std::optional<uint64_t> total) {
    out.progress.emplace_back(rows, bytes, total);
  };
  Store store = FullStore();
  std::unique_ptr<CsvReader> reader = CsvReader::FromString(csv, spec.csv);
  REQUIRE(reader->ReadHeader().ok());
  Columns columns(*reader, "<text>");
  absl::StatusOr<importer_internal::Plan> plan = MakePlan(store, columns, spec, "<text>");
  REQUIRE(plan.ok());
  absl::StatusOr<TimeFormat> time_format = TimeFormat::Parse(spec.time_format);
  REQUIRE(time_format.ok());
  Errors errors{spec, out.report};
  if (chunk_rows == 0) {
    out.block = ReadProfileBlock(*reader, spec, *plan, *time_format, errors, out.report);
  } else {
    out.block = ReadProfileBlockParallel(*reader, spec, *plan, *time_format, errors, out.report,
                                         spec.threads, chunk_rows);
  }
  out.error_count = errors.count;
  return out;
}

void CheckSameRead(const Read& a, const Read& b) {
  CheckSameBlock(a.block, b.block);
  CHECK(a.report.rows_read == b.report.rows_read);
  CHECK(a.report.rows_skipped == b.report.rows_skipped);
  CHECK(a.error_count == b.error_count);
  REQUIRE(a.report.errors.size() == b.report.errors.size());
  for (size_t e = 0; e < a.report.errors.size(); ++e) {
    CHECK(a.report.errors[e].ToString() == b.report.errors[e].ToString());
  }
  CHECK(a.progress == b.progress);
}

}  // namespace

TEST_CASE("parallel profile read: same block and errors across chunk boundaries",
          "[io][import][parallel]") {
  const std::string csv = MakeCsv(7, 3000, true);
  ImportSpec spec = Spec(1);
  spec.batch_rows = 97;  // progress calls inside chunks too
  const Read one = ReadBlock(csv, spec);
  REQUIRE(one.error_count > 100);  // the data has bad rows of every kind
  REQUIRE(one.block.size() > 2000);
  REQUIRE(one.block.attributes()[3].second.dictionary().size() > 50);  // region, quoted ones
  for (unsigned threads : {2u, 3u, 7u}) {
    for (size_t chunk_rows : {1u, 7u, 100u, 1000u, 5000u}) {
      INFO("threads " << threads << ", chunk rows " << chunk_rows);
      spec.threads = threads;
      CheckSameRead(one, ReadBlock(csv, spec, chunk_rows));
    }
  }
}

TEST_CASE("parallel profile read: the error limit keeps the first errors in row order",
          "[io][import][parallel][errors]") {
  const std::string csv = MakeCsv(11, 2000, true);
  for (size_t limit : {0u, 1u, 5u, 40u}) {
    ImportSpec spec = Spec(1);
    spec.max_reported_errors = limit;
    const Read one = ReadBlock(csv, spec);
    REQUIRE(one.report.errors.size() == limit);
    REQUIRE(one.error_count > limit);
    for (unsigned threads : {2u, 3u, 7u}) {
      INFO("limit " << limit << ", threads " << threads);
      spec.threads = threads;
      CheckSameRead(one, ReadBlock(csv, spec, 13));
    }
  }
}

TEST_CASE("parallel profile read: the real chunk size, the reserve sample and no bad rows",
          "[io][import][parallel]") {
  // Past kChunkRows (65536) rows, so ImportSpec::threads alone splits it.
  const std::string csv = MakeCsv(3, 140000, false);
  ImportSpec spec = Spec(1);
  const Read one = ReadBlock(csv, spec);
  REQUIRE(one.error_count == 0);
  REQUIRE(one.block.size() == 140000);
  for (unsigned threads : {2u, 3u, 7u}) {
    INFO("threads " << threads);
    spec.threads = threads;
    CheckSameRead(one, ReadBlock(csv, spec));
  }
}

TEST_CASE("parallel profile read: empty input and only bad rows", "[io][import][parallel]") {
  for (const char* csv : {"id,age,score,gender,region,joined,vip,interests,power,ignored\n",
                          "id,age,score,gender,region,joined,vip,interests,power,ignored\n"
                          "\"a\"b,1\nu1,2\n\n,1,2,F,r,2020-01-01,true,,,\n"}) {
    const Read one = ReadBlock(csv, Spec(1));
    for (unsigned threads : {2u, 3u, 7u}) {
      INFO("threads " << threads);
      const Read many = ReadBlock(csv, Spec(threads), 1);
      CheckSameRead(one, many);
      CHECK(many.block.size() == 0);
      CHECK(many.block.attributes().size() == 6);
      CHECK(many.block.tags().size() == 2);
      CHECK(many.block.apply_threads() == threads);
    }
  }
}
#endif  // AUDIENCE_HEADER_ONLY
