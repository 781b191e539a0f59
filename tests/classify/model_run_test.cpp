// RunModels end to end on CDNOW: purchases in the store -> BG/NBD or
// Pareto/NBD and Gamma-Gamma per customer as attributes, checked against the
// published figures and against the model functions called directly (CLV
// against the month-by-month formula).
#include "audience/classify/model_run.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

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

std::vector<CustomerSummary> Summaries(const Store& store, absl::Time now) {
  SummaryOptions so;
  so.calibration_end = absl::ToUnixSeconds(now);
  so.holdout_end = so.calibration_end;
  auto summaries = SummariesFromStore(store, "purchase", so);
  REQUIRE(summaries.ok());
  return *summaries;
}

// The CLV formula month by month, one conditional expectation per month.
template <typename Expected>
double MonthByMonthClv(Expected expected, double spend, const ClvOptions& o) {
  auto e = [&](double t) { return *expected(t); };
  absl::StatusOr<double> v = DiscountedClv(e, spend, o);
  REQUIRE(v.ok());
  return *v;
}

bool Near(double a, double b) { return std::abs(a - b) <= 1e-12 * std::abs(b) + 1e-300; }

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
  REQUIRE(run->bgnbd);
  CHECK_FALSE(run->pareto_nbd);
  CHECK(run->bgnbd->params.r == Approx(0.2426).epsilon(1e-3));
  CHECK(run->bgnbd->params.alpha == Approx(4.4137).epsilon(1e-3));
  CHECK(run->bgnbd->params.a == Approx(0.7930).epsilon(1e-3));
  CHECK(run->bgnbd->params.b == Approx(2.4262).epsilon(1e-3));
  CHECK(run->bgnbd->log_likelihood == Approx(-9582.43).margin(0.01));
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
    const double pa = *BgNbdProbabilityAlive(run->bgnbd->params, c.x, c.t_x, c.T);
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

TEST_CASE("RunModels with Pareto/NBD on CDNOW", "[classify][models]") {
  Store store = CdnowStore();
  ModelRunOptions o;
  o.now = Day(1997, 9, 30);
  o.horizon = 39;
  o.purchase_model = PurchaseModel::kParetoNbd;
  auto run = RunModels(store, o);
  INFO(run.status().message());
  REQUIRE(run.ok());
  CHECK(run->customers == 2357);
  CHECK_FALSE(run->bgnbd);
  REQUIRE(run->pareto_nbd);
  // Fader & Hardie (2005) / BTYD: r = 0.553, alpha = 10.578, s = 0.606,
  // beta = 11.669, LL -9594.98.
  const ParetoNbdParams& pn = run->pareto_nbd->params;
  CHECK(pn.r == Approx(0.553).epsilon(1e-3));
  CHECK(pn.alpha == Approx(10.578).epsilon(1e-3));
  CHECK(pn.s == Approx(0.606).epsilon(1e-3));
  CHECK(pn.beta == Approx(11.669).epsilon(1e-3));
  CHECK(run->pareto_nbd->log_likelihood == Approx(-9594.98).margin(0.01));
  REQUIRE(run->gamma_gamma);
  const GammaGammaParams& gg = run->gamma_gamma->params;

  // Stored values = the Pareto/NBD functions applied directly; CLV = the
  // month-by-month formula with the Pareto/NBD expectation.
  int checked = 0;
  for (const CustomerSummary& c : Summaries(store, o.now)) {
    const auto id = store.ids().PrimaryId(c.customer);
    REQUIRE(id);
    const double pa = *ParetoNbdProbabilityAlive(pn, c.x, c.t_x, c.T);
    CHECK(*store.GetAttribute(*id, "p_alive") == Value::Double(pa));
    const double e = *ParetoNbdConditionalExpectedPurchases(pn, 39, c.x, c.t_x, c.T);
    CHECK(Near(Attr(store, id->int_value(), "expected_purchases"), e));
    const double m = *GammaGammaConditionalExpectedSpend(gg, c.x, c.monetary_value);
    CHECK(Attr(store, id->int_value(), "expected_spend") == m);
    const double clv = MonthByMonthClv(
        [&](double t) { return ParetoNbdConditionalExpectedPurchases(pn, t, c.x, c.t_x, c.T); },
        m, o.clv);
    CHECK(Near(Attr(store, id->int_value(), "clv"), clv));
    ++checked;
  }
  CHECK(checked == 2357);
  // Unlike BG/NBD, a customer without repeats may be dead in Pareto/NBD.
  CHECK(Attr(store, 3, "p_alive") < 1.0);
}

TEST_CASE("RunModels stores the month-by-month BG/NBD CLV", "[classify][models]") {
  Store store = CdnowStore();
  ModelRunOptions o;
  o.now = Day(1997, 9, 30);
  o.clv.months = 40;  // three blocks of month ends
  o.clv.monthly_discount_rate = 0.02;
  auto run = RunModels(store, o);
  REQUIRE(run.ok());
  const BgNbdParams& bg = run->bgnbd->params;
  for (const CustomerSummary& c : Summaries(store, o.now)) {
    const auto id = store.ids().PrimaryId(c.customer);
    const double m = *GammaGammaConditionalExpectedSpend(run->gamma_gamma->params, c.x,
                                                         c.monetary_value);
    const double clv = MonthByMonthClv(
        [&](double t) { return BgNbdConditionalExpectedPurchases(bg, t, c.x, c.t_x, c.T); }, m,
        o.clv);
    CHECK(Near(Attr(store, id->int_value(), "clv"), clv));
    CHECK(Attr(store, id->int_value(), "expected_purchases") ==
          *BgNbdConditionalExpectedPurchases(bg, 52, c.x, c.t_x, c.T));
  }
}

TEST_CASE("RunModels with Gamma-Gamma alone writes expected_spend only",
          "[classify][models]") {
  Store store = CdnowStore();
  ModelRunOptions o;
  o.now = Day(1997, 9, 30);
  o.purchase_model = PurchaseModel::kNone;
  o.prefix = "gg.";
  auto run = RunModels(store, o);
  INFO(run.status().message());
  REQUIRE(run.ok());
  CHECK_FALSE(run->bgnbd);
  CHECK_FALSE(run->pareto_nbd);
  REQUIRE(run->gamma_gamma);
  CHECK(run->gamma_gamma->params.p == Approx(6.25).margin(0.005));
  for (const char* absent : {"gg.p_alive", "gg.expected_purchases", "gg.clv"}) {
    CHECK_FALSE(store.schema().AttributeIdOf(absent).has_value());
  }
  int checked = 0;
  for (const CustomerSummary& c : Summaries(store, o.now)) {
    const auto id = store.ids().PrimaryId(c.customer);
    CHECK(Attr(store, id->int_value(), "gg.expected_spend") ==
          *GammaGammaConditionalExpectedSpend(run->gamma_gamma->params, c.x, c.monetary_value));
    ++checked;
  }
  CHECK(checked == 2357);
  CHECK(*store.GetAttribute(ExternalId::Int(1), "gg.models_computed_at") ==
        Value::Time(o.now));

  // Attributes this choice does not write keep an earlier run's values.
  ModelRunOptions both;
  both.now = o.now;
  REQUIRE(RunModels(store, both).ok());
  const double alive = Attr(store, 1, "p_alive");
  o.prefix = "";
  o.now = Day(1997, 12, 31);
  REQUIRE(RunModels(store, o).ok());
  CHECK(Attr(store, 1, "p_alive") == alive);
  CHECK(*store.GetAttribute(ExternalId::Int(1), "models_computed_at") ==
        Value::Time(o.now));

  // Gamma-Gamma alone and it cannot be fitted: an error, nothing written.
  Store small;
  REQUIRE(small.AddEventType({.name = "purchase"}).ok());
  WriteBatch b(Day(2026, 1, 1));
  for (int i = 0; i < 3; ++i) b.Purchase(ExternalId::Int(i), Day(2025, 1, 1 + i), 10);
  REQUIRE(small.Apply(b).ok());
  ModelRunOptions gg_only;
  gg_only.now = Day(2026, 1, 1);
  gg_only.purchase_model = PurchaseModel::kNone;
  auto r = RunModels(small, gg_only);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(r.status().message()) ==
        "Gamma-Gamma could not be fitted (0 repeat buyer(s) with positive spend; Gamma-Gamma "
        "needs at least 2): nothing to write");
  CHECK_FALSE(small.schema().AttributeIdOf("expected_spend").has_value());
}

TEST_CASE("RunModels refuses invalid model choices", "[classify][models]") {
  Store store = CdnowStore();
  ModelRunOptions o;
  o.now = Day(1997, 9, 30);
  o.purchase_model = PurchaseModel::kNone;
  o.gamma_gamma = false;
  auto r = RunModels(store, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(r.status().message()) ==
        "purchase_model is kNone and gamma_gamma is false: nothing to fit");
  o.purchase_model = static_cast<PurchaseModel>(7);
  o.gamma_gamma = true;
  r = RunModels(store, o);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()) == "purchase_model 7 is not a PurchaseModel");
  o.purchase_model = PurchaseModel::kParetoNbd;
  o.clv.months = 0;
  r = RunModels(store, o);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()) == "clv: months must be in [1, 1200], got 0");
  // Without CLV the CLV options are not used.
  o.gamma_gamma = false;
  r = RunModels(store, o);
  REQUIRE(r.ok());
  CHECK_FALSE(r->gamma_gamma);
  CHECK(r->gamma_gamma_skipped.empty());
  CHECK_FALSE(store.schema().AttributeIdOf("clv").has_value());
  CHECK_FALSE(store.schema().AttributeIdOf("expected_spend").has_value());
  CHECK(store.schema().AttributeIdOf("p_alive").has_value());
  CHECK(PurchaseModelName(PurchaseModel::kParetoNbd) == "pareto");
  CHECK(PurchaseModelName(PurchaseModel::kBgNbd) == "bgnbd");
  CHECK(PurchaseModelName(PurchaseModel::kNone) == "none");
  CHECK(PurchaseModelName(static_cast<PurchaseModel>(7)) == "?");
}
