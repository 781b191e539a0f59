// The reader and parsers on the real public data sets in AUDIENCE_TEST_DATA_DIR
// (figures from the data folder's README, checked independently).
#include <catch2/catch.hpp>

#include "absl/container/flat_hash_set.h"
#include "audience/io/csv_reader.h"
#include "audience/io/field_parse.h"

using namespace audience;

TEST_CASE("CDNOW_master.txt: whitespace-separated, CRLF, header", "[io][real]") {
  auto reader = CsvReader::OpenFile(AUDIENCE_TEST_DATA_DIR "/cdnow/lifetimes/CDNOW_master.txt",
                                    {.whitespace_separated = true});
  REQUIRE(reader.ok());
  CsvReader& r = **reader;
  CHECK(r.header() ==
        std::vector<std::string>{"customer_id", "date", "number_of_cds", "dollar_value"});
  auto ymd = TimeFormat::Parse("%Y%m%d");
  REQUIRE(ymd.ok());
  absl::flat_hash_set<int64_t> customers;
  UnixSeconds first = INT64_MAX, last = INT64_MIN;
  double dollars = 0;
  CsvRecord rec;
  while (true) {
    absl::StatusOr<bool> more = r.Next(&rec);
    REQUIRE(more.ok());
    if (!*more) break;
    REQUIRE(rec.fields.size() == 4);
    REQUIRE(rec.line == r.records_read() + 1);
    absl::StatusOr<int64_t> id = ParseInt64(rec.fields[0]);
    absl::StatusOr<UnixSeconds> t = ymd->ParseTime(rec.fields[1]);
    absl::StatusOr<int64_t> cds = ParseInt64(rec.fields[2]);
    absl::StatusOr<double> value = ParseDouble(rec.fields[3]);
    REQUIRE(id.ok());
    REQUIRE(t.ok());
    REQUIRE(cds.ok());
    REQUIRE(value.ok());
    customers.insert(*id);
    first = std::min(first, *t);
    last = std::max(last, *t);
    dollars += *value;
  }
  CHECK(r.records_read() == 69659);
  CHECK(customers.size() == 23570);
  CHECK(first == *ymd->ParseTime("19970101"));
  CHECK(last == *ymd->ParseTime("19980630"));
  CHECK(dollars > 2'500'000);
  CHECK(r.bytes_consumed() == *r.total_bytes());
}

TEST_CASE("rfm_data_orders.csv: quoted names", "[io][real]") {
  auto reader = CsvReader::OpenFile(AUDIENCE_TEST_DATA_DIR "/rfm-r/rfm_data_orders.csv");
  REQUIRE(reader.ok());
  CsvReader& r = **reader;
  REQUIRE(r.ColumnIndex("order_date").has_value());
  const size_t date_col = *r.ColumnIndex("order_date");
  auto ymd = TimeFormat::Parse("%Y-%m-%d");
  CsvRecord rec;
  while (true) {
    absl::StatusOr<bool> more = r.Next(&rec);
    REQUIRE(more.ok());
    if (!*more) break;
    REQUIRE(rec.fields.size() == 6);
    REQUIRE(ymd->ParseTime(rec.fields[date_col]).ok());
    REQUIRE(ParseDouble(rec.fields[2]).ok());
  }
  CHECK(r.records_read() == 4906);
}

TEST_CASE("online_retail.csv.gz: gzip, quoted fields", "[io][real]") {
  auto reader = CsvReader::OpenFile(AUDIENCE_TEST_DATA_DIR "/online-retail/online_retail.csv.gz");
  REQUIRE(reader.ok());
  CsvReader& r = **reader;
  CHECK_FALSE(r.total_bytes().has_value());
  REQUIRE(r.header().size() == 8);
  const std::optional<size_t> customer = r.ColumnIndex("customerid");  // case-insensitive
  const std::optional<size_t> date = r.ColumnIndex("InvoiceDate");
  REQUIRE(customer == 6);
  REQUIRE(date == 4);
  // The brief expected "12/1/2010 8:26"; this copy has ISO-like times.
  auto format = TimeFormat::Parse("%Y-%m-%d %H:%M:%S");
  REQUIRE(format.ok());
  absl::flat_hash_set<std::string> customers;
  uint64_t no_customer = 0, bad_dates = 0;
  UnixSeconds first = INT64_MAX, last = INT64_MIN;
  CsvRecord rec;
  while (true) {
    absl::StatusOr<bool> more = r.Next(&rec);
    REQUIRE(more.ok());
    if (!*more) break;
    REQUIRE(rec.fields.size() == 8);
    if (rec.fields[*customer].empty()) {
      ++no_customer;
    } else {
      customers.emplace(rec.fields[*customer]);
    }
    absl::StatusOr<UnixSeconds> t = format->ParseTime(rec.fields[*date]);
    if (!t.ok()) {
      ++bad_dates;
      continue;
    }
    first = std::min(first, *t);
    last = std::max(last, *t);
  }
  CHECK(r.records_read() == 541909);
  CHECK(customers.size() == 4372);
  CHECK(no_customer == 135080);
  CHECK(bad_dates == 0);
  CHECK(first == *format->ParseTime("2010-12-01 08:26:00"));
  CHECK(last == *format->ParseTime("2011-12-09 12:50:00"));
  CHECK(r.bytes_consumed() == 52504639);  // the uncompressed size (gzip -l)
}
