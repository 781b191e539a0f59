#include "audience/classify/store_inputs.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "audience/audience.h"
#include "classify/customer_summary_test_util.h"
#include "store/test_store_util.h"

using namespace audience;
using audience_test::Day;
using audience_test::FullStore;
using audience_test::MustApply;

namespace {

using Freq = RfmStoreOptions::Frequency;
using Mon = RfmStoreOptions::Monetary;

constexpr int64_t kDay = 86400;

absl::Time At(int y, int m, int d, int hour = 0) { return Day(y, m, d) + absl::Hours(hour); }
UnixSeconds Secs(absl::Time t) { return absl::ToUnixSeconds(t); }

// A purchase log kept beside the store: the oracle's input.
struct Raw {
  int64_t id;  // external id
  UnixSeconds time;
  double amount;
};

PersonId P(const Store& s, int64_t id) { return *s.Find(ExternalId::Int(id)); }

std::vector<Transaction> ToTransactions(const Store& s, const std::vector<Raw>& raw) {
  std::vector<Transaction> out;
  for (const Raw& r : raw) out.push_back({P(s, r.id), r.time, r.amount});
  return out;
}

// Person 1: Jan 1 10:00 $10 and 15:00 $5, Jan 5 12:00 $20, Feb 1 $7.
// Person 2: 2019-12-31 $100. Person 3: Feb 10 $3. Person 4: visits only.
Store HandStore() {
  Store store = FullStore();
  WriteBatch b(Day(2020, 3, 1));
  b.Purchase(ExternalId::Int(1), At(2020, 1, 1, 10), 10, {{"category", "cd"}});
  b.Purchase(ExternalId::Int(1), At(2020, 1, 1, 15), 5, {{"category", "dvd"}});
  b.Purchase(ExternalId::Int(1), At(2020, 1, 5, 12), 20);
  b.Purchase(ExternalId::Int(1), At(2020, 2, 1), 7);
  b.Purchase(ExternalId::Int(2), At(2019, 12, 31), 100);
  b.Purchase(ExternalId::Int(3), At(2020, 2, 10), 3);
  b.AddEvent(ExternalId::Int(4), "visit", At(2020, 1, 2));
  MustApply(store, b);
  return store;
}

RfmStoreInputs MustRfm(const Store& s, const RfmStoreOptions& o, const Bitmap* people = nullptr) {
  auto r = RfmInputsFromStore(s, o, people);
  INFO(r.status().message());
  REQUIRE(r.ok());
  REQUIRE(r->people.size() == r->inputs.size());
  return *std::move(r);
}

// The naive RFM oracle over the raw log.
RfmStoreInputs NaiveRfm(const Store& s, const std::vector<Raw>& raw, const RfmStoreOptions& o,
                        const Bitmap* people) {
  const UnixSeconds hi = absl::ToUnixSeconds(o.now);
  const UnixSeconds lo = o.window ? absl::ToUnixSeconds(o.now - *o.window) : INT64_MIN;
  std::map<PersonId, std::vector<Raw>> by_person;
  for (const Raw& r : raw) {
    PersonId p = P(s, r.id);
    if (r.time > lo && r.time <= hi && (people == nullptr || people->Contains(p))) {
      by_person[p].push_back(r);
    }
  }
  RfmStoreInputs out;
  for (const auto& [p, events] : by_person) {
    std::set<int64_t> days;
    double sum = 0;
    UnixSeconds last = INT64_MIN;
    for (const Raw& r : events) {
      days.insert(static_cast<int64_t>(std::floor(static_cast<double>(r.time) / kDay)));
      sum += r.amount;
      last = std::max(last, r.time);
    }
    double f = o.frequency == Freq::kEvents ? static_cast<double>(events.size())
                                            : static_cast<double>(days.size());
    out.people.push_back(p);
    out.inputs.push_back({absl::ToDoubleSeconds(o.now - absl::FromUnixSeconds(last)) / kDay, f,
                          o.monetary == Mon::kSum ? sum : sum / f});
  }
  return out;
}

void CheckSameRfm(const RfmStoreInputs& a, const RfmStoreInputs& b) {
  REQUIRE(a.people == b.people);
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    INFO("person " << a.people[i]);
    CHECK(a.inputs[i].recency_days == b.inputs[i].recency_days);
    CHECK(a.inputs[i].frequency == b.inputs[i].frequency);
    CHECK(a.inputs[i].monetary == b.inputs[i].monetary);
  }
}

void CheckSameSummaries(const std::vector<CustomerSummary>& a,
                        const std::vector<CustomerSummary>& b, bool exact_first = true) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("customer " << a[i].customer);
    REQUIRE(a[i].customer == b[i].customer);
    CHECK(a[i].x == b[i].x);
    CHECK(a[i].t_x == b[i].t_x);
    CHECK(a[i].T == b[i].T);
    CHECK(a[i].monetary_value == b[i].monetary_value);
    CHECK(a[i].calibration_transactions == b[i].calibration_transactions);
    CHECK(a[i].holdout_periods == b[i].holdout_periods);
    CHECK(a[i].holdout_amount == b[i].holdout_amount);
    CHECK(a[i].total_periods == b[i].total_periods);
    if (exact_first) {
      CHECK(a[i].first_purchase == b[i].first_purchase);
    } else {  // compacted: day resolution
      CHECK(a[i].first_purchase / kDay == b[i].first_purchase / kDay);
    }
  }
}

// Random purchases of `people` customers over 2019-2020, amounts multiples of
// 0.25 (so every sum is exact and results compare with ==), some days with
// several purchases, some in two categories.
std::vector<Raw> RandomLog(Store& store, int people, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Raw> raw;
  WriteBatch b(Day(2021, 1, 1));
  const UnixSeconds start = Secs(Day(2019, 1, 1));
  for (int id = 1; id <= people; ++id) {
    const int n = std::uniform_int_distribution<int>(1, 12)(rng);
    UnixSeconds t = start + std::uniform_int_distribution<int64_t>(0, 600 * kDay)(rng);
    for (int k = 0; k < n; ++k) {
      const double amount = 0.25 * std::uniform_int_distribution<int>(-20, 2000)(rng);
      raw.push_back({id, t, amount});
      b.Purchase(ExternalId::Int(id), absl::FromUnixSeconds(t), amount,
                 {{"category", rng() % 2 ? "a" : "b"}});
      // Next purchase: same day (30%), else up to 60 days later.
      t += rng() % 10 < 3 ? std::uniform_int_distribution<int64_t>(0, 3 * 3600)(rng)
                          : std::uniform_int_distribution<int64_t>(kDay, 60 * kDay)(rng);
    }
  }
  MustApply(store, b);
  return raw;
}

}  // namespace

TEST_CASE("transactions and summaries from a hand-built store", "[classify][store]") {
  Store store = HandStore();
  auto tx = TransactionsFromStore(store, "purchase");
  REQUIRE(tx.ok());
  const PersonId p1 = P(store, 1), p2 = P(store, 2), p3 = P(store, 3);
  std::vector<std::tuple<PersonId, UnixSeconds, double>> got, want = {
      {p1, Secs(At(2020, 1, 1, 10)), 10}, {p1, Secs(At(2020, 1, 1, 15)), 5},
      {p1, Secs(At(2020, 1, 5, 12)), 20}, {p1, Secs(At(2020, 2, 1)), 7},
      {p2, Secs(At(2019, 12, 31)), 100},  {p3, Secs(At(2020, 2, 10)), 3}};
  for (const Transaction& t : *tx) got.emplace_back(t.customer, t.time, t.amount);
  std::sort(want.begin(), want.end());  // PersonId order, then time
  CHECK(got == want);

  SummaryOptions so;
  so.calibration_end = Secs(Day(2020, 1, 31));
  auto s = SummariesFromStore(store, "purchase", so);
  REQUIRE(s.ok());
  REQUIRE(s->size() == 2);  // person 3 first buys after calibration end
  const CustomerSummary& a = (*s)[0].customer == p1 ? (*s)[0] : (*s)[1];
  const CustomerSummary& b = (*s)[0].customer == p1 ? (*s)[1] : (*s)[0];
  CHECK(a.x == 1);
  CHECK(a.t_x == Approx(4.0 / 7));
  CHECK(a.T == Approx(30.0 / 7));
  CHECK(a.monetary_value == 20);
  CHECK(a.calibration_transactions == 3);
  CHECK(a.holdout_periods == 1);
  CHECK(a.holdout_amount == 7);
  CHECK(b.customer == p2);
  CHECK(b.x == 0);
  CHECK(b.T == Approx(31.0 / 7));
  // The people filter.
  Bitmap only2 = Bitmap::FromIds(std::vector<uint32_t>{p2, 12345});
  auto tx2 = TransactionsFromStore(store, "purchase", &only2);
  REQUIRE(tx2.ok());
  REQUIRE(tx2->size() == 1);
  CHECK((*tx2)[0].customer == p2);
  auto s2 = SummariesFromStore(store, "purchase", so, &only2);
  REQUIRE(s2.ok());
  REQUIRE(s2->size() == 1);
  CHECK((*s2)[0].customer == p2);
  // Visits are their own event type.
  auto visits = TransactionsFromStore(store, "visit");
  REQUIRE(visits.ok());
  REQUIRE(visits->size() == 1);
  CHECK((*visits)[0].customer == P(store, 4));
}

TEST_CASE("RFM inputs from a hand-built store", "[classify][store]") {
  Store store = HandStore();
  const PersonId p1 = P(store, 1), p2 = P(store, 2);
  RfmStoreOptions o{.now = Day(2020, 1, 10)};
  auto find = [](const RfmStoreInputs& in, PersonId p) -> const RfmInput* {
    for (size_t i = 0; i < in.people.size(); ++i) {
      if (in.people[i] == p) return &in.inputs[i];
    }
    return nullptr;
  };
  // As of Jan 10: Feb purchases are in the future; person 3 has none yet and
  // person 4 never bought.
  RfmStoreInputs in = MustRfm(store, o);
  REQUIRE(in.people.size() == 2);
  CHECK(std::is_sorted(in.people.begin(), in.people.end()));
  CHECK(find(in, p1)->recency_days == 4.5);
  CHECK(find(in, p1)->frequency == 3);
  CHECK(find(in, p1)->monetary == 35);
  CHECK(find(in, p2)->recency_days == 10);
  CHECK(find(in, p2)->frequency == 1);
  CHECK(find(in, p2)->monetary == 100);

  o.frequency = Freq::kDistinctDays;
  in = MustRfm(store, o);
  CHECK(find(in, p1)->frequency == 2);
  CHECK(find(in, p1)->monetary == 35);
  o.monetary = Mon::kMean;
  in = MustRfm(store, o);
  CHECK(find(in, p1)->monetary == 17.5);
  o.frequency = Freq::kEvents;
  in = MustRfm(store, o);
  CHECK(find(in, p1)->monetary == Approx(35.0 / 3));

  // Window (now - 7d, now]: only the Jan 5 purchase; person 2 drops out.
  o = {.now = Day(2020, 1, 10), .window = absl::Hours(24 * 7)};
  in = MustRfm(store, o);
  REQUIRE(in.people == std::vector<PersonId>{p1});
  CHECK(in.inputs[0].frequency == 1);
  CHECK(in.inputs[0].monetary == 20);
  CHECK(in.inputs[0].recency_days == 4.5);
  // Edges: an event exactly at now - window is out, one exactly at now is in.
  o = {.now = At(2020, 1, 5, 12), .window = absl::Hours(4 * 24 + 2)};  // from Jan 1 10:00
  in = MustRfm(store, o);
  CHECK(find(in, p1)->frequency == 2);
  CHECK(find(in, p1)->recency_days == 0);
  // One second before an event, it has not happened yet (both paths).
  for (Freq f : {Freq::kEvents, Freq::kDistinctDays}) {
    o = {.now = At(2020, 1, 5, 12) - absl::Seconds(1), .frequency = f};
    in = MustRfm(store, o);
    CHECK(find(in, p1)->monetary == 15);
    o.window = absl::Hours(4 * 24 + 2) - absl::Seconds(1);  // from Jan 1 10:00 exclusive
    CHECK(MustRfm(store, o).inputs[0].monetary == 5);
  }
  // A sub-second `now` counts in recency; the event at floor(now) is in.
  o = {.now = At(2020, 1, 5, 12) + absl::Milliseconds(500)};
  in = MustRfm(store, o);
  CHECK(find(in, p1)->recency_days == 0.5 / kDay);
  // People filter: ids without purchases (or unknown) are ignored.
  Bitmap filter = Bitmap::FromIds(std::vector<uint32_t>{p2, P(store, 4), 999});
  in = MustRfm(store, {.now = Day(2020, 3, 1)}, &filter);
  REQUIRE(in.people == std::vector<PersonId>{p2});
  // Before any purchase: nobody.
  CHECK(MustRfm(store, {.now = Day(2019, 1, 1)}).people.empty());
  // Another event type.
  in = MustRfm(store, {.now = Day(2020, 3, 1), .event_type = "visit"});
  CHECK(in.people == std::vector<PersonId>{P(store, 4)});
  CHECK(in.inputs[0].monetary == 0);
}

TEST_CASE("store inputs report bad options and unknown event types", "[classify][store]") {
  Store store = HandStore();
  auto t = TransactionsFromStore(store, "order");
  REQUIRE(t.status().code() == absl::StatusCode::kNotFound);
  CHECK(t.status().message() == "unknown event type 'order' (known: 'purchase', 'visit')");
  SummaryOptions so;
  CHECK(SummariesFromStore(store, "order", so).status().code() == absl::StatusCode::kNotFound);
  so.period_seconds = 0;  // the summary builder's own validation comes through
  CHECK(SummariesFromStore(store, "purchase", so).status().code() ==
        absl::StatusCode::kInvalidArgument);
  RfmStoreOptions o{.now = Day(2020, 1, 10), .event_type = "order"};
  CHECK(RfmInputsFromStore(store, o).status().code() == absl::StatusCode::kNotFound);
  o.event_type = "purchase";
  for (absl::Duration w : {absl::ZeroDuration(), absl::Seconds(-1)}) {
    o.window = w;
    auto r = RfmInputsFromStore(store, o);
    REQUIRE(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(r.status().message().find("window") != std::string_view::npos);
  }
  o.window = std::nullopt;
  for (absl::Time now : {absl::InfiniteFuture(), absl::InfinitePast()}) {
    o.now = now;
    auto r = RfmInputsFromStore(store, o);
    REQUIRE(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(r.status().message().find("now") != std::string_view::npos);
  }
  // Extreme but finite times and windows are fine.
  o.now = absl::FromUnixSeconds(INT64_MAX / 2);
  o.window = absl::InfiniteDuration();
  CHECK(RfmInputsFromStore(store, o)->people.size() == 3);
  o.now = absl::FromUnixSeconds(INT64_MIN / 2);
  CHECK(RfmInputsFromStore(store, o)->people.empty());
  // A store without that event type at all.
  Store empty;
  auto e = TransactionsFromStore(empty, "purchase");
  CHECK(e.status().message() == "unknown event type 'purchase' (known: none)");
}

TEST_CASE("store inputs equal naive oracles on random data", "[classify][store]") {
  Store store = FullStore();
  const std::vector<Raw> raw = RandomLog(store, 300, 20240611);
  std::mt19937 rng(7);
  Bitmap subset;
  for (int id = 1; id <= 300; ++id) {
    if (rng() % 3 == 0) subset.Add(P(store, id));
  }
  const Bitmap* const filters[] = {nullptr, &subset};
  for (const Bitmap* filter : filters) {
    std::vector<Raw> kept;
    for (const Raw& r : raw) {
      if (filter == nullptr || filter->Contains(P(store, r.id))) kept.push_back(r);
    }
    // Transactions: the same multiset, grouped by person, time-ordered.
    auto tx = TransactionsFromStore(store, "purchase", filter);
    REQUIRE(tx.ok());
    auto key = [](const Transaction& t) { return std::tie(t.customer, t.time, t.amount); };
    CHECK(std::is_sorted(tx->begin(), tx->end(), [&](const auto& a, const auto& b) {
      return std::tie(a.customer, a.time) < std::tie(b.customer, b.time);
    }));
    std::vector<Transaction> want = ToTransactions(store, kept), got = *tx;
    auto by_key = [&](const auto& a, const auto& b) { return key(a) < key(b); };
    std::sort(want.begin(), want.end(), by_key);
    std::sort(got.begin(), got.end(), by_key);
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) CHECK(key(got[i]) == key(want[i]));
    // Summaries at a few calibration ends.
    for (absl::Time cal : {Day(2019, 6, 30), Day(2019, 12, 31), Day(2020, 6, 1)}) {
      SummaryOptions so;
      so.calibration_end = Secs(cal);
      auto s = SummariesFromStore(store, "purchase", so, filter);
      REQUIRE(s.ok());
      CheckSameSummaries(*s, *BuildCustomerSummaries(want, so));
    }
    // RFM inputs for random as-of times, windows and options.
    for (int k = 0; k < 80; ++k) {
      RfmStoreOptions o;
      // `now` and the window's start often fall on an event or next to one.
      auto any_time = [&] {
        return raw[rng() % raw.size()].time + static_cast<int64_t>(rng() % 3) - 1;
      };
      o.now = k % 3 == 0 ? Day(2019, 1, 1) + absl::Seconds(std::uniform_int_distribution<int64_t>(
                                                 0, 700 * kDay)(rng))
                         : absl::FromUnixSeconds(any_time());
      if (k % 5 == 4) o.now += absl::Milliseconds(250);
      if (k % 2) {
        const UnixSeconds from = any_time();
        o.window = from < absl::ToUnixSeconds(o.now)
                       ? o.now - absl::FromUnixSeconds(from)
                       : absl::Seconds(std::uniform_int_distribution<int64_t>(1, 200 * kDay)(rng));
      }
      o.frequency = k % 4 < 2 ? Freq::kEvents : Freq::kDistinctDays;
      o.monetary = k % 8 < 4 ? Mon::kSum : Mon::kMean;
      INFO("case " << k);
      CheckSameRfm(MustRfm(store, o, filter), NaiveRfm(store, kept, o, filter));
    }
  }
}

TEST_CASE("compacted history gives the same day-level inputs", "[classify][store]") {
  Store store = FullStore();
  const std::vector<Raw> raw = RandomLog(store, 200, 99);
  const UnixSeconds cal = Secs(Day(2019, 9, 30));
  std::vector<SummaryOptions> sos(2);
  sos[0].calibration_end = cal;
  sos[1].calibration_end = cal + 12 * 3600;  // inside a day
  sos[1].holdout_end = Secs(Day(2020, 3, 1));
  std::vector<std::vector<CustomerSummary>> before;
  for (const SummaryOptions& so : sos) before.push_back(*SummariesFromStore(store, "purchase", so));
  std::vector<RfmStoreOptions> rfms;
  for (Freq f : {Freq::kEvents, Freq::kDistinctDays}) {
    for (Mon m : {Mon::kSum, Mon::kMean}) {
      // `now` at a day's last second, windows in whole days: day-aligned.
      rfms.push_back({.now = Day(2019, 11, 1) - absl::Seconds(1), .frequency = f, .monetary = m});
      rfms.push_back({.now = Day(2020, 2, 1) - absl::Seconds(1), .window = absl::Hours(24 * 90),
                      .frequency = f, .monetary = m});
    }
  }
  std::vector<RfmStoreInputs> rfm_before;
  for (const RfmStoreOptions& o : rfms) rfm_before.push_back(MustRfm(store, o));

  const size_t removed = store.CompactEvents(Day(2020, 1, 1));
  REQUIRE(removed > 0);
  // Each compacted day is at 00:00, so some points now stand for several.
  bool multi = false;
  const EventIndex& index = store.event_type(*store.schema().EventTypeIdOf("purchase"));
  index.People().ForEach([&](PersonId p) {
    index.ForEachPoint(p, [&](const EventPoint& e) { multi |= e.count > 1; });
  });
  REQUIRE(multi);

  for (size_t i = 0; i < sos.size(); ++i) {
    CheckSameSummaries(*SummariesFromStore(store, "purchase", sos[i]), before[i], false);
    // The expanding path agrees too (amounts split evenly per point).
    auto via_tx = BuildCustomerSummaries(*TransactionsFromStore(store, "purchase"), sos[i]);
    REQUIRE(via_tx->size() == before[i].size());
    for (size_t j = 0; j < via_tx->size(); ++j) {
      CHECK((*via_tx)[j].x == before[i][j].x);
      CHECK((*via_tx)[j].calibration_transactions == before[i][j].calibration_transactions);
      CHECK((*via_tx)[j].monetary_value == Approx(before[i][j].monetary_value).margin(1e-9));
    }
  }
  auto tx = TransactionsFromStore(store, "purchase");
  REQUIRE(tx.ok());
  CHECK(tx->size() == raw.size());
  for (size_t i = 0; i < rfms.size(); ++i) {
    INFO("rfm case " << i);
    RfmStoreInputs after = MustRfm(store, rfms[i]);
    REQUIRE(after.people == rfm_before[i].people);
    for (size_t j = 0; j < after.people.size(); ++j) {
      CHECK(after.inputs[j].frequency == rfm_before[i].inputs[j].frequency);
      CHECK(after.inputs[j].monetary == Approx(rfm_before[i].inputs[j].monetary).margin(1e-9));
      // Recency is measured from the compacted day's start: same day.
      CHECK(std::floor(after.inputs[j].recency_days) ==
            std::floor(rfm_before[i].inputs[j].recency_days));
    }
  }
}

TEST_CASE("CDNOW sample imported into a store gives the published summaries",
          "[classify][store]") {
  Schema schema;
  REQUIRE(schema.AddEventType({.name = "purchase"}).ok());
  Store store = *Store::Create(schema);
  ImportSpec spec;
  spec.kind = ImportKind::kEvents;
  spec.csv.whitespace_separated = true;
  spec.csv.has_header = false;  // columns "1".."5": master id, sample id, date, CDs, $
  spec.id_column = "2";
  spec.id_type = IdType::kInt;
  spec.event_type = "purchase";
  spec.time_column = "3";
  spec.time_format = "%Y%m%d";
  spec.amount_columns = {"5"};
  auto report = ImportCsvFile(store, classify_test::DataPath("lifetimes/CDNOW_sample.txt"), spec);
  INFO(report.status().message());
  REQUIRE(report.ok());
  CHECK(report->events_added == 6919);

  SummaryOptions so;
  so.calibration_end = classify_test::kCalibrationEnd;
  auto from_store = SummariesFromStore(store, "purchase", so);
  REQUIRE(from_store.ok());
  const std::vector<CustomerSummary> direct = classify_test::CdnowSummaries();
  REQUIRE(direct.size() == 2357);
  REQUIRE(from_store->size() == 2357);
  std::map<int64_t, const CustomerSummary*> by_sample_id;
  for (const CustomerSummary& s : *from_store) {
    by_sample_id[store.ids().PrimaryId(s.customer)->int_value()] = &s;
  }
  REQUIRE(by_sample_id.size() == 2357);
  for (const CustomerSummary& d : direct) {
    INFO("customer " << d.customer);
    const CustomerSummary& s = *by_sample_id.at(d.customer);
    CHECK(s.x == d.x);
    CHECK(s.t_x == d.t_x);
    CHECK(s.T == d.T);
    CHECK(s.monetary_value == d.monetary_value);
    CHECK(s.calibration_transactions == d.calibration_transactions);
    CHECK(s.holdout_periods == d.holdout_periods);
    CHECK(s.first_purchase == d.first_purchase);
  }
}
