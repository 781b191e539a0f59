// libFuzzer target for the query front end and engine: any bytes go through
// the lexer, parser and binder (tests/queries/schema.json, saved segments
// with a cycle and a broken one); whatever binds must
//   - print (Describe) to text that binds back to the same expression, and
//   - count the same people with and without the optimiser passes, and
//     with the chunked and the step-by-step executor,
// on a small store. Any crash, sanitizer report or mismatch is a finding.
// Built and run by scripts/fuzz (clang, -fsanitize=fuzzer,address,undefined).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audience/query/binder.h"
#include "audience/query/executor.h"
#include "audience/query/plan.h"
#include "audience/query/query.h"
#include "audience/schema/schema_json.h"
#include "audience/store/store.h"

namespace {

using namespace audience;

constexpr int64_t kNow = 1795428000;

Store* MakeStore() {
  auto* store = new Store(*Store::Create(*LoadSchemaFile(AUDIENCE_FUZZ_SCHEMA)));
  WriteBatch b(absl::FromUnixSeconds(kNow - 86400 * 40));
  const char* interests[] = {"fashion", "tech", "beauty"};
  for (int i = 0; i < 40; ++i) {
    ExternalId id = ExternalId::Int(i);
    b.Tag(id, "interest", interests[i % 3]);
    if (i % 4 == 0) b.Tag(id, "lifecycle", "dormant");
    if (i % 5 == 0) {
      b.Tag(id, "channel", "app", TagOptions{.expires_at = absl::FromUnixSeconds(kNow - 86400 * (i % 3))});
    }
    if (i % 3) b.SetAttribute(id, "age", Value::Int(18 + i));
    b.SetAttribute(id, "gender", Value::Enum(i % 2 ? "F" : "M"));
    if (i % 6) b.SetAttribute(id, "p_alive", Value::Double(i / 40.0));
    b.SetAttribute(id, "last_active_at", Value::Time(absl::FromUnixSeconds(kNow - 86400 * i)));
    if (i % 2) b.SetAttribute(id, "vip", Value::Bool(i % 3 == 0));
    for (int k = 0; k < i % 4; ++k) {
      b.Purchase(id, absl::FromUnixSeconds(kNow - 86400 * (k * 9 + i % 7)), 10.0 * k,
                 {{"category", k % 2 ? "skincare" : "shoes"}});
    }
  }
  if (!store->Apply(b).ok()) std::abort();
  for (auto [name, text] : {std::pair{"young", "age < 30"}, {"loop", "segment('loop')"},
                            {"broken", "age > 'x'"}, {"women", "gender = 'F'"}}) {
    if (!store->PutSegment(name, text).ok()) std::abort();
  }
  return store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Store* store = MakeStore();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  QueryOptions options{.now = absl::FromUnixSeconds(kNow)};
  options.parser.lex.max_query_bytes = 4096;
  CompileResult r = CompileQuery(*store, text, options);
  if (!r.query) {
    (void)RenderAll(r.diagnostics, text);
    return 0;
  }
  std::string canonical = Describe(r.query->expr(), store->schema());
  QueryOptions roomy{.now = options.now};  // expanded segments may be longer
  CompileResult again = CompileQuery(*store, canonical, roomy);
  if (!again.query || !(again.query->expr() == r.query->expr())) {
    std::fprintf(stderr, "round trip failed:\n%s\n", canonical.c_str());
    std::abort();
  }
  QueryOptions plain = options;
  plain.optimize = false;
  uint64_t optimized = Count(*store, *r.query);
  uint64_t lowered = Count(*store, *Query::Compile(*store, text, plain));
  if (optimized != lowered) {
    std::fprintf(stderr, "optimiser changed the count: %llu vs %llu\n%s\n",
                 static_cast<unsigned long long>(optimized),
                 static_cast<unsigned long long>(lowered), canonical.c_str());
    std::abort();
  }
  if (Evaluate(*store, *r.query).count() != optimized) std::abort();
  // The step-by-step executor must agree with the chunked one.
  Plan steps = BuildPlan(*store, r.query->expr(), kNow, {.mode = ExecMode::kCount, .chunked = false});
  if (Execute(*store, steps).count != optimized) {
    std::fprintf(stderr, "executors disagree\n%s\n", canonical.c_str());
    std::abort();
  }
  return 0;
}
