// Command-line helpers for the `audience` tool: a cursor over argv that
// tells flags from positional arguments, exit codes, time parsing and error
// printing. Not part of the library.
//
//   ArgCursor args(argc, argv, /*first=*/2);
//   while (!args.Done()) {
//     ArgCursor::Token t = args.Next();
//     if (t.is_flag && t.name == "now") { auto v = args.Value(t); ... }
//   }
#ifndef AUDIENCE_CLI_ARGS_H_
#define AUDIENCE_CLI_ARGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace audience_cli {

// Exit codes (docs/cli.md has the table).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;  // I/O, corrupt store, unknown person
inline constexpr int kExitQuery = 2;    // the query does not compile
inline constexpr int kExitData = 3;     // import: bad schema, mapping or rows
inline constexpr int kExitUsage = 64;   // EX_USAGE: bad command line

// Every function here that returns a Status fails only on a bad command
// line: callers report such a failure with ReportUsage (exit 64).

// Walks the arguments after the subcommand. "--name=value" and
// "--name value" are both accepted; "-h" is "--help"; a lone "--" ends the
// flags (everything after it is positional); "-" is positional.
class ArgCursor {
 public:
  struct Token {
    bool is_flag = false;
    std::string name;                 // flag name without "--", or the positional text
    std::optional<std::string> inline_value;  // after '=' in "--name=value"
    std::string text;                         // the argument as given, for messages
  };
  ArgCursor(int argc, char** argv, int first);

  bool Done() const {
    return pos_ >= args_.size() ||
           (!flags_ended_ && pos_ + 1 == args_.size() && args_[pos_] == "--");
  }
  Token Next();
  // The flag's value: the inline one or the next argument. Usage error if
  // there is none.
  absl::StatusOr<std::string> Value(const Token& flag);
  // Usage error for a flag that takes no value but got "--flag=value".
  absl::Status NoValue(const Token& flag) const;

 private:
  std::vector<std::string> args_;
  size_t pos_ = 0;
  bool flags_ended_ = false;
};

// Parses --now: "2026-05-01", "2026-05-01 10:00:00", "2026-05-01T10:00:00Z",
// "2026-05-01T10:00:00+02:00" (dates without a zone are UTC), or a Unix
// seconds integer (may be negative). Usage error naming the text otherwise.
absl::StatusOr<absl::Time> ParseNow(std::string_view text);
// A count flag: a decimal integer in [min, max]; usage error naming the flag.
absl::StatusOr<uint64_t> ParseCount(std::string_view flag, std::string_view text, uint64_t min,
                                    uint64_t max);

// Prints "audience <command>: <message>" to stderr (and, for usage errors,
// "Try 'audience <command> --help'."); returns the exit code.
int Report(std::string_view command, const absl::Status& status, int code);
int ReportUsage(std::string_view command, std::string_view message);
int ReportUsage(std::string_view command, const absl::Status& status);

// A classifier's groups as a person reads them: a table of sizes with shares
// (`column` names the count, e.g. "customers"), then the moves since the last
// run (moves[a][b]: in group a before and b now; index names.size() is "no
// group"), showing only the groups with moves, or "no earlier run".
void PrintGroups(std::string_view title, const std::vector<std::string>& names,
                 const std::vector<uint64_t>& sizes,
                 const std::vector<std::vector<uint64_t>>& moves, std::string_view column);

// Human-readable numbers for summaries: 1234567 -> "1.23M".
std::string Compact(double value);

}  // namespace audience_cli

#endif  // AUDIENCE_CLI_ARGS_H_
