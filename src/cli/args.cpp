// Definitions for args.h.
#include "args.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "audience/io/field_parse.h"
#include "fmt/format.h"

namespace audience_cli {

ArgCursor::ArgCursor(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) args_.emplace_back(argv[i]);
}

ArgCursor::Token ArgCursor::Next() {
  std::string arg = args_[pos_++];
  Token t;
  t.text = arg;
  if (!flags_ended_ && arg == "--") {
    flags_ended_ = true;
    return Next();  // Done() is false here: it treats a trailing "--" as the end
  }
  if (!flags_ended_ && arg == "-h") {
    t.is_flag = true;
    t.name = "help";
    return t;
  }
  if (!flags_ended_ && arg.size() > 2 && arg[0] == '-' && arg[1] == '-') {
    t.is_flag = true;
    size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      t.name = arg.substr(2);
    } else {
      t.name = arg.substr(2, eq - 2);
      t.inline_value = arg.substr(eq + 1);
    }
    return t;
  }
  if (!flags_ended_ && arg.size() > 1 && arg[0] == '-') {
    // "-x": there are no short flags besides -h; callers report it as unknown.
    t.is_flag = true;
    t.name = arg;
    return t;
  }
  t.name = std::move(arg);
  return t;
}

absl::StatusOr<std::string> ArgCursor::Value(const Token& flag) {
  if (flag.inline_value) return *flag.inline_value;
  if (Done()) return absl::InvalidArgumentError(fmt::format("--{} needs a value", flag.name));
  return args_[pos_++];
}

absl::Status ArgCursor::NoValue(const Token& flag) const {
  if (flag.inline_value) {
    return absl::InvalidArgumentError(fmt::format("--{} takes no value", flag.name));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> ParseNow(std::string_view text) {
  std::string s(text);
  if (absl::StatusOr<int64_t> secs = audience::ParseInt64(text); secs.ok()) {
    return absl::FromUnixSeconds(*secs);
  }
  static constexpr const char* kFormats[] = {
      "%Y-%m-%d",          "%Y-%m-%d %H:%M:%S",   "%Y-%m-%dT%H:%M:%S",
      "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%Ez", "%Y-%m-%d %H:%M:%S%Ez",
      "%Y-%m-%d %H:%M",    "%Y-%m-%dT%H:%MZ",
  };
  for (const char* format : kFormats) {
    absl::Time t;
    std::string err;
    if (absl::ParseTime(format, s, absl::UTCTimeZone(), &t, &err)) return t;
  }
  return absl::InvalidArgumentError(fmt::format(
      "--now '{}': expected YYYY-MM-DD, 'YYYY-MM-DD HH:MM:SS', YYYY-MM-DDTHH:MM:SSZ "
      "(or with an offset like +02:00) or Unix seconds",
      text));
}

absl::StatusOr<uint64_t> ParseCount(std::string_view flag, std::string_view text, uint64_t min,
                                    uint64_t max) {
  absl::StatusOr<int64_t> v = audience::ParseInt64(text);
  if (!v.ok() || *v < 0 || static_cast<uint64_t>(*v) < min || static_cast<uint64_t>(*v) > max) {
    return absl::InvalidArgumentError(
        fmt::format("--{} '{}': expected an integer from {} to {}", flag, text, min, max));
  }
  return static_cast<uint64_t>(*v);
}

int Report(std::string_view command, const absl::Status& status, int code) {
  std::string prefix = command.empty() ? "audience" : fmt::format("audience {}", command);
  fmt::print(stderr, "{}: {}\n", prefix, std::string(status.message()));
  return code;
}

int ReportUsage(std::string_view command, std::string_view message) {
  std::string prefix = command.empty() ? "audience" : fmt::format("audience {}", command);
  fmt::print(stderr, "{}: {}\nTry '{} --help'.\n", prefix, message, prefix);
  return kExitUsage;
}

int ReportUsage(std::string_view command, const absl::Status& status) {
  return ReportUsage(command, std::string_view(status.message().data(), status.message().size()));
}

std::string Compact(double value) {
  if (value >= 1e9) return fmt::format("{:.2f}G", value / 1e9);
  if (value >= 1e6) return fmt::format("{:.2f}M", value / 1e6);
  if (value >= 1e4) return fmt::format("{:.1f}k", value / 1e3);
  return fmt::format("{:.0f}", value);
}

void PrintGroups(std::string_view title, const std::vector<std::string>& names,
                 const std::vector<uint64_t>& sizes,
                 const std::vector<std::vector<uint64_t>>& moves, std::string_view column) {
  const size_t n = names.size();
  uint64_t total = 0;
  for (uint64_t s : sizes) total += s;
  fmt::print("{}\n\n{:<28} {:>10} {:>7}\n", title, "group", column, "share");
  for (size_t j = 0; j < n; ++j) {
    fmt::print("{:<28} {:>10} {:>6.1f}%\n", names[j], sizes[j],
               total > 0 ? 100.0 * static_cast<double>(sizes[j]) / static_cast<double>(total)
                         : 0.0);
  }
  uint64_t before = 0;
  for (size_t i = 0; i < n; ++i) {
    for (uint64_t c : moves[i]) before += c;
  }
  if (before == 0) {
    fmt::print("\nno earlier run: no moves to show\n");
    return;
  }
  fmt::print("\nmoves since the last run (rows: before, columns: now; only groups with moves)\n");
  std::vector<size_t> shown;
  for (size_t j = 0; j <= n; ++j) {
    uint64_t any = 0;
    for (size_t i = 0; i <= n; ++i) any += moves[i][j] + moves[j][i];
    if (any > 0) shown.push_back(j);
  }
  auto label = [&](size_t j) { return j == n ? std::string("(none)") : names[j]; };
  fmt::print("{:<24}", "");
  for (size_t j : shown) fmt::print(" {:>8.8}", label(j));
  fmt::print("\n");
  for (size_t i : shown) {
    fmt::print("{:<24.24}", label(i));
    for (size_t j : shown) fmt::print(" {:>8}", moves[i][j]);
    fmt::print("\n");
  }
}

}  // namespace audience_cli
