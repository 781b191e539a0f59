#include "audience/io/importer.h"

#include "store/test_store_util.h"

using namespace audience;
using audience_test::Day;
using audience_test::FullStore;

namespace {

std::string Data(const char* rel) { return std::string(AUDIENCE_TEST_DATA_DIR) + "/" + rel; }

Store PurchaseStore() {
  Schema s;
  REQUIRE(s.AddEventType({.name = "purchase",
                          .properties = {{.name = "cds"}, {.name = "product", .indexed = true},
                                         {.name = "country", .indexed = true}}})
              .ok());
  auto store = Store::Create(std::move(s));
  REQUIRE(store.ok());
  return *std::move(store);
}

ImportSpec ProfileSpec() {
  ImportSpec spec;
  spec.kind = ImportKind::kProfiles;
  spec.id_column = "id";
  spec.attributes = {{"age", "age"}, {"gender", "gender"}, {"joined", "registered_at"}};
  spec.tags = {{"interests", "interest"}, {"power", "power"}};
  return spec;
}

}  // namespace

TEST_CASE("profiles import with typed attributes and tags", "[io][import]") {
  Store store = FullStore();
  std::string csv =
      "\xEF\xBB\xBFid,age,gender,joined,interests,power\r\n"
      "u1,31,F,2024-05-01,fashion|tech,high\r\n"
      "u2,,M,2023-01-31,,\r\n"
      "\"u,3\",45,U,2020-02-29,\"golf\",low\r\n";
  auto r = ImportCsvText(store, csv, ProfileSpec());
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->rows_read == 3);
  CHECK(r->rows_imported == 3);
  CHECK(store.person_count() == 3);
  CHECK(*store.GetAttribute(ExternalId::Str("u1"), "age") == Value::Int(31));
  CHECK(store.GetAttribute(ExternalId::Str("u2"), "age")->is_null());
  CHECK(*store.GetAttribute(ExternalId::Str("u,3"), "registered_at") ==
        Value::Time(Day(2020, 2, 29)));
  absl::Time now = Day(2026, 1, 1);
  CHECK(*store.CountTag("interest", "tech", now) == 1);
  CHECK(*store.CountTag("power", "low", now) == 1);
  auto p = store.GetProfile(ExternalId::Str("u1"), now);
  REQUIRE(p.ok());
  CHECK(p->tags[0].source == "import");
}

TEST_CASE("one bad row rejects the file and names line, column and field", "[io][import][errors]") {
  Store store = FullStore();
  std::string csv =
      "id,age,gender,joined,interests,power\n"
      "u1,31,F,2024-05-01,fashion,high\n"
      "u2,thirty,M,2023-01-31,,\n"        // line 3: bad int
      "u3,40,X,2023-01-31,,\n"            // line 4: closed enum
      "u4,40,F,2023-02-30,,\n"            // line 5: bad date
      "u5,40,F,2023-01-31,,hihg\n"        // line 6: closed tag value
      "u6,40,F,2023-01-31,,high|low\n"    // line 7: two values, exclusive
      "u7,40\n"                           // line 8: too few fields
      ",40,F,2023-01-31,,\n"              // line 9: empty id
      "\"u8,40,F,2023-01-31,,\n";         // line 10: unterminated quote
  auto r = ImportCsvText(store, csv, ProfileSpec());
  REQUIRE_FALSE(r.ok());
  std::string msg(r.status().message());
  INFO(msg);
  CHECK(msg.find("import rejected, store unchanged: 8 bad rows of 9") != std::string::npos);
  CHECK(msg.find("line 3, column 4 (field 'age'): attribute 'age': ") != std::string::npos);
  CHECK(msg.find("thirty") != std::string::npos);
  CHECK(msg.find("line 4: ") != std::string::npos);
  CHECK(msg.find("line 5, column 9 (field 'joined')") != std::string::npos);
  CHECK(msg.find("line 6: dimension 'power' has no value 'hihg'") != std::string::npos);
  CHECK(msg.find("line 7, column 21 (field 'power'): exclusive dimension 'power' takes one value") !=
        std::string::npos);
  CHECK(msg.find("line 8: row has 2 fields, the mapping needs at least 6") != std::string::npos);
  CHECK(msg.find("line 9, column 1 (field 'id'): empty id") != std::string::npos);
  CHECK(msg.find("line 10, column 1: ") != std::string::npos);
  CHECK(store.person_count() == 0);
  CHECK(store.version() == FullStore().version());

  ImportSpec skip = ProfileSpec();
  skip.skip_bad_rows = true;
  auto s = ImportCsvText(store, csv, skip);
  INFO(s.status().message());
  REQUIRE(s.ok());
  CHECK(s->rows_read == 9);
  CHECK(s->rows_imported == 1);
  CHECK(s->rows_skipped == 8);
  REQUIRE(s->errors.size() == 8);
  CHECK(s->errors[0].line == 3);
  CHECK(s->errors[0].field == "age");
  CHECK(store.person_count() == 1);
}

TEST_CASE("mapping mistakes are reported before any row is read", "[io][import][errors]") {
  Store store = FullStore();
  ImportSpec spec;
  spec.id_column = "id";
  spec.attributes = {{"agee", "age"}};
  auto r = ImportCsvText(store, "id,age\nu1,3\n", spec);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()).find("column 'agee' is not in the header") !=
        std::string::npos);
  spec.attributes = {{"age", "years"}};
  r = ImportCsvText(store, "id,age\nu1,3\n", spec);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()).find("unknown attribute 'years'") != std::string::npos);
  CHECK_FALSE(ImportCsvFile(store, Data("no/such/file.csv"), ProfileSpec()).ok());
}

TEST_CASE("tag assignment files with expiry", "[io][import]") {
  Store store = FullStore();
  ImportSpec spec;
  spec.kind = ImportKind::kTags;
  spec.id_column = "1";
  spec.dimension_column = "2";
  spec.value_column = "3";
  spec.expires_column = "4";
  spec.csv.has_header = false;
  spec.source = "crm";
  spec.now = Day(2026, 1, 1);
  auto r = ImportCsvText(store, "7,interest,golf,2026-03-01\n8,interest,golf,\n8,campaign,x,\n",
                         spec);
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(*store.CountTag("interest", "golf", Day(2026, 2, 1)) == 2);
  CHECK(*store.CountTag("interest", "golf", Day(2026, 3, 1)) == 1);
  auto p = store.GetProfile(ExternalId::Str("8"), Day(2026, 1, 1));
  CHECK(p->tags.back().source == "crm");
  REQUIRE(p->tags.size() == 2);
  CHECK(p->tags.back().dimension == "campaign");
  CHECK(p->tags.back().expires_at == Day(2026, 1, 8));  // the TTL counts from spec.now
}

TEST_CASE("CDNOW master log imports 69,659 purchases of 23,570 customers", "[io][import][real]") {
  Store store = PurchaseStore();
  ImportSpec spec;
  spec.kind = ImportKind::kEvents;
  spec.csv.whitespace_separated = true;
  spec.id_column = "customer_id";
  spec.id_type = IdType::kInt;
  spec.event_type = "purchase";
  spec.time_column = "date";
  spec.time_format = "%Y%m%d";
  spec.amount_columns = {"dollar_value"};
  spec.properties = {{"number_of_cds", "cds"}};
  auto r = ImportCsvFile(store, Data("cdnow/lifetimes/CDNOW_master.txt"), spec);
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->rows_read == 69659);
  CHECK(r->events_added == 69659);
  CHECK(store.person_count() == 23570);
  const EventIndex& e = store.event_type(0);
  CHECK(e.event_count() == 69659);
  const PersonAggregate* first = e.Aggregate(*store.Find(ExternalId::Int(1)));
  REQUIRE(first != nullptr);
  CHECK(first->first_time == absl::ToUnixSeconds(Day(1997, 1, 1)));
}

TEST_CASE("R rfm orders import 4,906 rows", "[io][import][real]") {
  Store store = PurchaseStore();
  ImportSpec spec;
  spec.kind = ImportKind::kEvents;
  spec.id_column = "customer_id";
  spec.event_type = "purchase";
  spec.time_column = "order_date";
  spec.amount_columns = {"revenue"};
  auto r = ImportCsvFile(store, Data("rfm-r/rfm_data_orders.csv"), spec);
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->rows_read == 4906);
  CHECK(store.person_count() == 995);
  double revenue = 0;
  store.universe().ForEach([&](PersonId p) { revenue += store.event_type(0).Aggregate(p)->sum; });
  CHECK(revenue == Approx(464158.0));
}

TEST_CASE("Online Retail: 135,080 lines without a customer are reported", "[io][import][real]") {
  ImportSpec spec;
  spec.kind = ImportKind::kEvents;
  spec.id_column = "CustomerID";
  spec.id_type = IdType::kInt;
  spec.event_type = "purchase";
  spec.time_column = "InvoiceDate";
  spec.time_format = "%Y-%m-%d %H:%M:%S";
  spec.amount_columns = {"Quantity", "UnitPrice"};
  spec.properties = {{"StockCode", "product"}, {"Country", "country"}};
  std::string path = Data("online-retail/online_retail.csv.gz");

  Store strict = PurchaseStore();
  auto rejected = ImportCsvFile(strict, path, spec);
  REQUIRE_FALSE(rejected.ok());
  CHECK(std::string(rejected.status().message()).find("135080 bad rows of 541909") !=
        std::string::npos);
  CHECK(strict.person_count() == 0);

  Store store = PurchaseStore();
  spec.skip_bad_rows = true;
  auto r = ImportCsvFile(store, path, spec);
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->rows_read == 541909);
  CHECK(r->rows_skipped == 135080);
  CHECK(r->rows_imported == 406829);
  CHECK(r->errors.size() == spec.max_reported_errors);
  CHECK(r->errors[0].field == "CustomerID");
  CHECK(store.person_count() == 4372);
}

TEST_CASE("empty input and a bad header are reported", "[io][import][errors]") {
  Store store = FullStore();
  auto empty = ImportCsvText(store, "", ProfileSpec());
  REQUIRE_FALSE(empty.ok());
  CHECK(std::string(empty.status().message()) == "<text>: the file is empty");
  auto header = ImportCsvText(store, "id,\"age\n", ProfileSpec());
  REQUIRE_FALSE(header.ok());
  CHECK(std::string(header.status().message()).find("cannot read the header") != std::string::npos);
  CHECK(store.person_count() == 0);
}
