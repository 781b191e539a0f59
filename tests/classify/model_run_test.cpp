// RunModels end to end on CDNOW: purchases in the store -> BG/NBD and
// Gamma-Gamma per customer as attributes, checked against the published
// figures and against the model functions called directly.
#include "audience/classify/model_run.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "audience/audience.h"

using namespace audience;

namespace {

absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

Store CdnowStore() {
  Store store;
  REQUIRE(store.AddEventType({.name = "purchase"}).ok());
  ImportSpec spec;
  spec.kind = ImportKind::kEvents;
  spec.csv.whitespace_separated = true;
  spec.csv.has_header = false;  // master id, sample id, date, CDs, dollars
  spec.id_column = "2";
  spec.id_type = IdType::kInt;
  spec.event_type = "purchase";
  spec.time_column = "3";
  spec.time_format = "%Y%m%d";
  spec.amount_columns = {"5"};
  auto report = ImportCsvFile(
      store, std::string(AUDIENCE_TEST_DATA_DIR) + "/cdnow/lifetimes/CDNOW_sample.txt", spec);
  INFO(report.status().message());
  REQUIRE(report.ok());
  return store;
}

double Attr(const Store& store, int64_t id, const std::string& name) {
  absl::StatusOr<Value> v = store.GetAttribute(ExternalId::Int(id), name);
  REQUIRE(v.ok());
  REQUIRE_FALSE(v->is_null());
  return v->double_value();
}

}  // namespace

TEST_CASE("RunModels on CDNOW writes the published models' values", "[classify][models]") {
  Store store = CdnowStore();
  ModelRunOptions o;
  o.now = Day(1997, 9, 30);  // calibration through 1997-09-30, weeks
  o.horizon = 39;
  auto run = RunModels(store, o);
  INFO(run.status().message());
  REQUIRE(run.ok());
  CHECK(run->customers == 2357);
  CHECK(run->bgnbd.params.r == Approx(0.2426).epsilon(1e-3));
  CHECK(run->bgnbd.params.alpha == Approx(4.4137).epsilon(1e-3));
  CHECK(run->bgnbd.params.a == Approx(0.7930).epsilon(1e-3));
  CHECK(run->bgnbd.params.b == Approx(2.4262).epsilon(1e-3));
  CHECK(run->bgnbd.log_likelihood == Approx(-9582.43).margin(0.01));
  REQUIRE(run->gamma_gamma);
  CHECK(run->gamma_gamma->params.p == Approx(6.25).margin(0.005));
  // Customer 1 (x = 2, t_x = 30.43, T = 38.86): the paper's 1.226.
  CHECK(Attr(store, 1, "expected_purchases") == Approx(1.226).margin(0.001));
  CHECK(Attr(store, 1, "p_alive") == Approx(0.727).margin(0.001));
  CHECK(Attr(store, 1, "clv") == Approx(36.27).margin(0.01));
  // A customer without repeats: P(alive) is 1 in BG/NBD.
  CHECK(Attr(store, 3, "p_alive") == 1.0);

  // Every stored value equals the model functions applied to the summaries.
  SummaryOptions so;
  so.calibration_end = absl::ToUnixSeconds(o.now);
  so.holdout_end = so.calibration_end;
  auto summaries = SummariesFromStore(store, "purchase", so);
  REQUIRE(summaries.ok());
  uint64_t low = 0;
  for (const CustomerSummary& c : *summaries) {
    const double pa = *BgNbdProbabilityAlive(run->bgnbd.params, c.x, c.t_x, c.T);
    const auto id = store.ids().PrimaryId(c.customer);
    REQUIRE(id);
    CHECK(*store.GetAttribute(*id, "p_alive") == Value::Double(pa));
    low += pa < 0.3 ? 1 : 0;
  }
  // ... and the query language reaches them.
  auto q = Count(store, "p_alive < 0.3", QueryOptions{.now = o.now});
  REQUIRE(q.ok());
  CHECK(*q == low);
  CHECK(low > 0);
}

TEST_CASE("RunModels refuses bad options and clashing attributes", "[classify][models]") {
  Store store;
  REQUIRE(store.AddEventType({.name = "purchase"}).ok());
  ModelRunOptions o;
  o.now = Day(2026, 1, 1);
  auto r = RunModels(store, o);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()) ==
        "no 'purchase' events at or before now: nothing to fit");
  o.event_type = "order";
  r = RunModels(store, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kNotFound);
  o.event_type = "purchase";
  o.horizon = -1;
  CHECK_FALSE(RunModels(store, o).ok());

  Store cdnow = CdnowStore();
  REQUIRE(cdnow.AddAttribute({.name = "clv", .type = AttributeType::kInt64}).ok());
  ModelRunOptions ok;
  ok.now = Day(1997, 9, 30);
  r = RunModels(cdnow, ok);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()) ==
        "attribute 'clv' exists with type int64; RunModels writes double");
  CHECK_FALSE(cdnow.schema().AttributeIdOf("p_alive").has_value());  // schema untouched
}

TEST_CASE("RunModels reports why Gamma-Gamma was skipped and refuses bad names",
          "[classify][models]") {
  Store store;
  REQUIRE(store.AddEventType({.name = "purchase"}).ok());
  WriteBatch b(Day(2026, 1, 1));
  // Three customers, one of whom repeats: BG/NBD fits, Gamma-Gamma cannot.
  for (int i = 0; i < 3; ++i) b.Purchase(ExternalId::Int(i), Day(2025, 1, 1 + i), 10);
  b.Purchase(ExternalId::Int(0), Day(2025, 6, 1), 10);
  REQUIRE(store.Apply(b).ok());
  ModelRunOptions o;
  o.now = Day(2026, 1, 1);
  o.prefix = "Bad ";
  auto r = RunModels(store, o);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()).find("'Bad p_alive'") != std::string::npos);
  o.prefix = "";
  o.now = absl::InfiniteFuture();
  CHECK_FALSE(RunModels(store, o).ok());
  o.now = Day(2026, 1, 1);
  r = RunModels(store, o);
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK_FALSE(r->gamma_gamma);
  CHECK(r->gamma_gamma_skipped ==
        "1 repeat buyer(s) with positive spend; Gamma-Gamma needs at least 2");
  CHECK(store.GetAttribute(ExternalId::Int(0), "clv")->is_null());
  CHECK_FALSE(store.GetAttribute(ExternalId::Int(0), "p_alive")->is_null());
}
