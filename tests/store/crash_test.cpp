// Crash test: a child process writes numbered batches to a Database and
// reports each acknowledged number through a pipe; the parent kills it with
// SIGKILL at a random moment (mid-write, mid-sync, mid-checkpoint), reopens
// the database and checks that every acknowledged batch is there, that no
// batch is there in part, and that the invariants hold. AUDIENCE_CRASH_ITERATIONS
// sets the kills per sync policy (default 12; the long mode uses 300).
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>

#include "audience/store/database.h"
#include "scoped_temp_path.h"
#include "store/test_store_util.h"

using namespace audience;
using audience_test::Day;

namespace {

constexpr int kPeoplePerBatch = 200;

Schema CrashSchema() {
  Schema s;
  (void)s.AddDimension({.name = "side", .kind = DimensionKind::kExclusive});
  (void)s.AddAttribute({.name = "batch", .type = AttributeType::kInt64});
  return s;
}

ExternalId Member(int64_t batch, int k) {
  return ExternalId::Str("b" + std::to_string(batch) + "-" + std::to_string(k));
}

// The last batch the store holds, from the marker person 0 (0 when none).
int64_t LastBatch(const Store& store) {
  absl::StatusOr<Value> v = store.GetAttribute(ExternalId::Int(0), "batch");
  return v.ok() && !v->is_null() ? v->int_value() : 0;
}

// Batch i: kPeoplePerBatch new people on a side, 50 earlier people moved to
// the other side, and the marker set to i; all or nothing.
WriteBatch Numbered(int64_t i) {
  WriteBatch b(Day(2026, 5, 1));
  for (int k = 0; k < kPeoplePerBatch; ++k) {
    b.Tag(Member(i, k), "side", (i + k) % 2 ? "left" : "right");
    b.SetAttribute(Member(i, k), "batch", Value::Int(i));
  }
  for (int k = 0; k < 50 && i > 1; ++k) {
    const int64_t j = 1 + (i * 31 + k * 7) % (i - 1);
    b.Tag(Member(j, (k * 13) % kPeoplePerBatch), "side", k % 2 ? "left" : "right");
  }
  b.SetAttribute(ExternalId::Int(0), "batch", Value::Int(i));
  b.Tag(ExternalId::Int(0), "side", "left");
  return b;
}

// The child: writes batches after the last one stored until killed.
[[noreturn]] void Writer(const std::string& dir, SyncPolicy sync, int ack_fd, uint64_t seed) {
  absl::StatusOr<std::unique_ptr<Database>> db =
      Database::Open(dir, {.schema = CrashSchema(), .sync = sync,
                           .group_delay = absl::Microseconds(300)});
  if (!db.ok()) _exit(3);
  std::mt19937_64 rng(seed);
  for (int64_t i = LastBatch(*(*db)->Read()) + 1;; ++i) {
    if (!(*db)->Apply(Numbered(i)).ok()) _exit(4);
    if (::write(ack_fd, &i, sizeof(i)) != sizeof(i)) _exit(5);
    if (rng() % 4 == 0 && !(*db)->Checkpoint().ok()) _exit(6);
  }
}

// Reads acknowledgements until `want` arrived or the child ended; returns
// the last one seen (or `last`).
int64_t ReadAcks(int fd, int64_t last, int want) {
  for (int got = 0; want < 0 || got < want; ++got) {
    int64_t i = 0;
    if (::read(fd, &i, sizeof(i)) != sizeof(i)) break;
    last = i;
  }
  return last;
}

void CheckInvariants(const Store& store, int64_t last) {
  const absl::Time now = Day(2026, 5, 1);
  CHECK(store.person_count() == static_cast<uint64_t>(1 + kPeoplePerBatch * last));
  const uint64_t left = store.CountTag("side", "left", now).value_or(0);
  const uint64_t right = store.CountTag("side", "right", now).value_or(0);
  CHECK(left + right == store.person_count());
  // Every stored batch whole, nothing of the next one.
  for (int64_t i : {int64_t{1}, last / 2, last}) {
    if (i < 1) continue;
    for (int k : {0, kPeoplePerBatch / 2, kPeoplePerBatch - 1}) {
      CHECK(store.Find(Member(i, k)).has_value());
    }
  }
  CHECK_FALSE(store.Find(Member(last + 1, 0)).has_value());
}

int Iterations() {
  const char* env = std::getenv("AUDIENCE_CRASH_ITERATIONS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 12;
}

}  // namespace

TEST_CASE("killed writers lose no acknowledged batch and leave no partial one",
          "[store][database][crash]") {
  for (SyncPolicy sync : {SyncPolicy::kEveryWrite, SyncPolicy::kGrouped}) {
    const audience_test::ScopedTempPath tmp("crash_" + std::to_string(static_cast<int>(sync)));
    const std::string& dir = tmp.path();
    std::mt19937_64 rng(2026 + static_cast<uint64_t>(sync));
    int64_t acked = 0;
    uint64_t torn = 0;
    for (int iteration = 0; iteration < Iterations(); ++iteration) {
      int fds[2];
      REQUIRE(::pipe(fds) == 0);
      const pid_t child = ::fork();
      REQUIRE(child >= 0);
      if (child == 0) {
        ::close(fds[0]);
        Writer(dir, sync, fds[1], rng());
      }
      ::close(fds[1]);
      acked = ReadAcks(fds[0], acked, static_cast<int>(rng() % 12));
      ::usleep(static_cast<useconds_t>(rng() % 4000));
      ::kill(child, SIGKILL);
      int status = 0;
      ::waitpid(child, &status, 0);
      acked = ReadAcks(fds[0], acked, -1);  // sent before it died
      ::close(fds[0]);
      INFO("iteration " << iteration << ", policy " << static_cast<int>(sync));
      REQUIRE(WIFSIGNALED(status));  // it did not fail on its own

      absl::StatusOr<std::unique_ptr<Database>> db =
          Database::Open(dir, {.schema = CrashSchema(), .sync = sync});
      INFO(db.status().ToString());
      REQUIRE(db.ok());
      torn += (*db)->recovery().dropped_bytes > 0 ? 1 : 0;
      Database::Reader reader = (*db)->Read();
      const int64_t last = LastBatch(*reader);
      CHECK(last >= acked);      // every acknowledged batch is there
      CHECK(last <= acked + 1);  // at most the one in flight, whole
      CheckInvariants(*reader, last);
      acked = last;
    }
    CHECK(acked > 0);
    WARN("policy " << static_cast<int>(sync) << ": " << acked << " batches, " << torn
                   << " reopenings cut a torn tail");
  }
}
