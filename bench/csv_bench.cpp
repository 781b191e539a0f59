// CsvReader throughput: the two real files (gzip CSV, whitespace text) and a
// synthetic 50 MB in-memory CSV, plain and heavily quoted. Reports records/s
// and uncompressed bytes/s.
//
//   build/bench/csv_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>

#include "audience/io/csv_reader.h"
#include "audience/io/field_parse.h"

#ifndef AUDIENCE_DATA_DIR
#error "AUDIENCE_DATA_DIR must name the shared data folder"
#endif

namespace {

using audience::CsvOptions;
using audience::CsvReader;
using audience::CsvRecord;

// Reads every record; returns the record count, or -1 on any error.
int64_t Drain(CsvReader& reader, uint64_t* field_bytes) {
  CsvRecord rec;
  int64_t n = 0;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&rec);
    if (!more.ok()) return -1;
    if (!*more) return n;
    ++n;
    for (std::string_view f : rec.fields) *field_bytes += f.size();
  }
}

void ReadFile(benchmark::State& state, const std::string& path, CsvOptions options) {
  int64_t records = 0, bytes = 0;
  uint64_t sink = 0;
  for (auto _ : state) {
    auto reader = CsvReader::OpenFile(path, options);
    if (!reader.ok()) {
      state.SkipWithError(std::string(reader.status().message()).c_str());
      return;
    }
    int64_t n = Drain(**reader, &sink);
    if (n < 0) {
      state.SkipWithError("read error");
      return;
    }
    records += n;
    bytes += static_cast<int64_t>((*reader)->bytes_consumed());
  }
  benchmark::DoNotOptimize(sink);
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(records);
  state.counters["records"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}

void BM_OnlineRetailGzip(benchmark::State& state) {
  ReadFile(state, AUDIENCE_DATA_DIR "/online-retail/online_retail.csv.gz", {});
}
BENCHMARK(BM_OnlineRetailGzip)->Unit(benchmark::kMillisecond);

void BM_CdnowWhitespace(benchmark::State& state) {
  ReadFile(state, AUDIENCE_DATA_DIR "/cdnow/lifetimes/CDNOW_master.txt",
           {.whitespace_separated = true});
}
BENCHMARK(BM_CdnowWhitespace)->Unit(benchmark::kMillisecond);

// About 50 MB of order lines; `quoted` quotes every text field and puts a
// doubled quote in one row of 16.
const std::string& Synthetic(bool quoted) {
  static std::string text[2];
  std::string& out = text[quoted ? 1 : 0];
  if (!out.empty()) return out;
  std::mt19937_64 rng(42);
  out = "invoice,sku,description,quantity,date,price,customer,country\n";
  while (out.size() < (size_t{50} << 20)) {
    uint64_t r = rng();
    std::string desc = "ITEM " + std::to_string(r % 5000) + " RED HEART HOLDER";
    if (quoted) {
      desc = (r % 16 == 0) ? "\"ITEM \"\"" + std::to_string(r % 5000) + "\"\" HOLDER\""
                           : "\"" + desc + "\"";
    }
    out += std::to_string(536000 + r % 40000) + ',' + (quoted ? "\"85123A\"" : "85123A") + ',' +
           desc + ',' + std::to_string(r % 48) + ",2011-0" + std::to_string(1 + r % 9) +
           "-15 08:26:00," + std::to_string(r % 100) + '.' + std::to_string(r % 90 + 10) + ',' +
           std::to_string(12000 + r % 6000) + ',' + (quoted ? "\"United Kingdom\"" : "UK") + '\n';
  }
  return out;
}

void ReadSynthetic(benchmark::State& state, bool quoted) {
  const std::string& text = Synthetic(quoted);
  int64_t records = 0;
  uint64_t sink = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string copy = text;
    state.ResumeTiming();
    auto reader = CsvReader::FromString(std::move(copy));
    int64_t n = Drain(*reader, &sink);
    if (n < 0) {
      state.SkipWithError("read error");
      return;
    }
    records += n;
  }
  benchmark::DoNotOptimize(sink);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.SetItemsProcessed(records);
  state.counters["records"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}

void BM_Synthetic50MBPlain(benchmark::State& state) { ReadSynthetic(state, false); }
BENCHMARK(BM_Synthetic50MBPlain)->Unit(benchmark::kMillisecond);

void BM_Synthetic50MBQuoted(benchmark::State& state) { ReadSynthetic(state, true); }
BENCHMARK(BM_Synthetic50MBQuoted)->Unit(benchmark::kMillisecond);

// Field parsers on the shapes of the real data.
void BM_ParseTime(benchmark::State& state) {
  auto format = audience::TimeFormat::Parse("%Y-%m-%d %H:%M:%S");
  int64_t sink = 0;
  for (auto _ : state) {
    auto t = format->ParseTime("2011-12-09 12:50:00");
    sink += t.ok() ? *t : 0;
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseTime);

void BM_ParseDouble(benchmark::State& state) {
  double sink = 0;
  for (auto _ : state) {
    auto v = audience::ParseDouble("11.77");
    sink += v.ok() ? *v : 0;
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseDouble);

}  // namespace

BENCHMARK_MAIN();
