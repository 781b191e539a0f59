// Buy-till-you-die models on the CDNOW sample (2,357 customers of an online
// music shop, 1997-1998), read from a Store: import the purchase log, build
// per-customer summaries from the store's event index, fit BG/NBD,
// Pareto/NBD and Gamma-Gamma, compare with the published estimates, and
// score a few customers (P(alive), expected purchases, spend, 12-month CLV).
//
//   cdnow_models [DATA_DIR]      (default: ../shared/data)
//
// Exits 1 when any fitted parameter is more than 1% from its published value.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "audience/audience.h"
#include "fmt/format.h"

namespace aud = audience;

namespace {

int Fail(const absl::Status& s) {
  fmt::print(stderr, "error: {}\n", s.message());
  return 1;
}

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// One row of the comparison table; counts the parameters more than 1% off.
int bad_params = 0;
void Row(const char* model, const char* name, double ours, double published) {
  const double rel = (ours - published) / std::abs(published);
  const bool off = std::abs(rel) > 0.01;
  bad_params += off;
  fmt::print("  {:<11} {:<6} {:>11.4f} {:>11.4f} {:>+8.2f}%{}\n", model, name, ours, published,
             100 * rel, off ? "  <-- more than 1% off" : "");
}
void Footer(double ll, double published_ll, int evaluations, double ms) {
  fmt::print("  {:<11} {:<6} {:>11.2f} {:>11}   ({} evaluations, {:.1f} ms)\n", "", "LL", ll,
             std::isnan(published_ll) ? std::string("-") : fmt::format("{:.2f}", published_ll),
             evaluations, ms);
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = argc > 1 ? argv[1] : "../shared/data";
  std::string path = data + "/cdnow/lifetimes/CDNOW_sample.txt";

  // 1. Import. The file has no header: master id, sample id, yyyymmdd date,
  //    number of CDs, dollar value. Customers are keyed by the sample id.
  aud::Schema schema;
  if (auto s = schema.AddEventType({.name = "purchase"}); !s.ok()) return Fail(s.status());
  absl::StatusOr<aud::Store> created = aud::Store::Create(std::move(schema));
  if (!created.ok()) return Fail(created.status());
  aud::Store store = *std::move(created);
  aud::ImportSpec spec;
  spec.kind = aud::ImportKind::kEvents;
  spec.csv.whitespace_separated = true;
  spec.csv.has_header = false;  // columns are then named "1".."5"
  spec.id_column = "2";
  spec.id_type = aud::IdType::kInt;
  spec.event_type = "purchase";
  spec.time_column = "3";
  spec.time_format = "%Y%m%d";
  spec.amount_columns = {"5"};
  auto t0 = std::chrono::steady_clock::now();
  absl::StatusOr<aud::ImportReport> report = aud::ImportCsvFile(store, path, spec);
  if (!report.ok()) return Fail(report.status());
  fmt::print("Imported {}: {} purchases of {} customers in {:.0f} ms\n", path,
             report->events_added, store.person_count(), MsSince(t0));

  // 2. Summaries: weeks, same-day purchases merged, calibration through
  //    1997-09-30 (the rest of the log, to 1998-06-30, is holdout).
  aud::SummaryOptions options;
  options.calibration_end =
      absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(1997, 9, 30), absl::UTCTimeZone()));
  t0 = std::chrono::steady_clock::now();
  absl::StatusOr<std::vector<aud::CustomerSummary>> summaries =
      aud::SummariesFromStore(store, "purchase", options);
  if (!summaries.ok()) return Fail(summaries.status());
  const std::vector<aud::RftGroup> groups = aud::GroupRft(*summaries);
  const std::vector<aud::SpendRow> spend_rows = aud::SpendRowsFrom(*summaries);
  fmt::print("Summaries: {} customers ({} distinct (x, t_x, T) rows, {} repeat buyers) in "
             "{:.1f} ms\n\n", summaries->size(), groups.size(), spend_rows.size(), MsSince(t0));

  // 3. Fits, beside the published estimates (Fader, Hardie & Lee 2005 for
  //    BG/NBD; BTYD for Pareto/NBD; lifetimes for Gamma-Gamma).
  fmt::print("  {:<11} {:<6} {:>11} {:>11} {:>9}\n", "model", "param", "ours", "published", "diff");
  t0 = std::chrono::steady_clock::now();
  absl::StatusOr<aud::BgNbdFit> bg = aud::FitBgNbd(groups);
  const double bg_ms = MsSince(t0);
  if (!bg.ok()) return Fail(bg.status());
  Row("BG/NBD", "r", bg->params.r, 0.2426);
  Row("", "alpha", bg->params.alpha, 4.4137);
  Row("", "a", bg->params.a, 0.7930);
  Row("", "b", bg->params.b, 2.4262);
  Footer(bg->log_likelihood, -9582.43, bg->evaluations, bg_ms);

  t0 = std::chrono::steady_clock::now();
  absl::StatusOr<aud::ParetoNbdFit> pn = aud::FitParetoNbd(groups);
  const double pn_ms = MsSince(t0);
  if (!pn.ok()) return Fail(pn.status());
  Row("Pareto/NBD", "r", pn->params.r, 0.553);
  Row("", "alpha", pn->params.alpha, 10.578);
  Row("", "s", pn->params.s, 0.606);
  Row("", "beta", pn->params.beta, 11.669);
  Footer(pn->log_likelihood, -9594.98, pn->evaluations, pn_ms);

  t0 = std::chrono::steady_clock::now();
  absl::StatusOr<aud::GammaGammaFit> gg = aud::FitGammaGamma(spend_rows);
  const double gg_ms = MsSince(t0);
  if (!gg.ok()) return Fail(gg.status());
  Row("Gamma-Gamma", "p", gg->params.p, 6.25);
  Row("", "q", gg->params.q, 3.74);
  Row("", "gamma", gg->params.gamma, 15.44);
  Footer(gg->log_likelihood, std::nan(""), gg->evaluations, gg_ms);

  // 4. Per customer: BG/NBD for the purchase process, Gamma-Gamma for spend,
  //    CLV over 12 months at 1% a month (4.345 weeks a month).
  struct Scored {
    const aud::CustomerSummary* s;
    int64_t id;  // the sample id, from the store's id map
    double alive, next39, spend, clv;
  };
  const aud::ClvOptions clv{.months = 12, .monthly_discount_rate = 0.01,
                            .units_per_month = 4.345};
  std::vector<Scored> scored;
  t0 = std::chrono::steady_clock::now();
  for (const aud::CustomerSummary& s : *summaries) {
    auto alive = aud::BgNbdProbabilityAlive(bg->params, s.x, s.t_x, s.T);
    auto next = aud::BgNbdConditionalExpectedPurchases(bg->params, 39, s.x, s.t_x, s.T);
    auto spend = aud::GammaGammaConditionalExpectedSpend(gg->params, s.x, s.monetary_value);
    auto value = aud::BgNbdGammaGammaClv(bg->params, gg->params, s.x, s.t_x, s.T,
                                         s.monetary_value, clv);
    for (const absl::Status& st : {alive.status(), next.status(), spend.status(), value.status()}) {
      if (!st.ok()) return Fail(st);
    }
    scored.push_back({&s, store.ids().PrimaryId(s.customer)->int_value(), *alive, *next, *spend,
                      *value});
  }
  fmt::print("\nScored {} customers in {:.1f} ms (P(alive), 39-week forecast, spend, CLV)\n",
             scored.size(), MsSince(t0));
  auto print = [](const Scored& c) {
    fmt::print("  {:>8} {:>3} {:>7.2f} {:>7.2f} {:>8.3f} {:>8.3f} {:>9.2f} {:>9.2f}\n", c.id,
               c.s->x, c.s->t_x, c.s->T, c.alive, c.next39, c.spend, c.clv);
  };
  auto header = [] {
    fmt::print("  {:>8} {:>3} {:>7} {:>7} {:>8} {:>8} {:>9} {:>9}\n", "customer", "x", "t_x",
               "T", "P(alive)", "E[39 wk]", "E[spend]", "CLV 12mo");
  };
  std::sort(scored.begin(), scored.end(),
            [](const Scored& a, const Scored& b) { return a.id < b.id; });
  fmt::print("\nFirst five customers (x, t_x, T in weeks; E[spend] per purchase, $):\n");
  header();
  for (size_t i = 0; i < 5 && i < scored.size(); ++i) print(scored[i]);
  std::sort(scored.begin(), scored.end(),
            [](const Scored& a, const Scored& b) { return a.clv > b.clv; });
  fmt::print("\nTop five by 12-month CLV:\n");
  header();
  for (size_t i = 0; i < 5 && i < scored.size(); ++i) print(scored[i]);

  if (bad_params > 0) {
    fmt::print(stderr, "\n{} fitted parameter(s) more than 1% from the published values\n",
               bad_params);
    return 1;
  }
  fmt::print("\nEvery fitted parameter is within 1% of its published value.\n");
  return 0;
}
