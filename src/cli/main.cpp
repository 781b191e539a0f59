// `audience`: the command-line tool over the audience library.
//
//   audience import --schema schema.json --events orders.csv --map id=customer,... --out s.aud
//   audience query s.aud 'orders >= 5 AND NOT buyer:one_time' --ids --limit 10
//   audience export s.aud --sql sqlite --out sql/
//
// docs/cli.md documents every subcommand, flag and exit code.
#include <cstdio>
#include <string>
#include <string_view>

#include "args.h"
#include "audience/base/config.h"
#include "commands.h"
#include "fmt/format.h"

namespace audience_cli {
namespace {

constexpr std::string_view kUsage = R"(Usage: audience <command> [arguments]

Commands:
  import   build a store snapshot from a schema file and CSV files
  query    count, list, explain or justify a segment query on a snapshot
  export   write a snapshot as CSV tables plus SQL for a database
  rfm      score customers on recency, frequency and monetary value; save the groups
  models   fit BG/NBD or Pareto/NBD and Gamma-Gamma; save P(alive), expected purchases, CLV
  lifecycle  put people into stages (lifecycle, tiers, funnel); save stages and history
  report   write one self-contained HTML page: segments, RFM grid, lifecycle, history
  help     show this text, or `audience help <command>` for one command

Options:
  -h, --help     show this text
  --version      print the version

Exit codes: 0 ok, 1 runtime failure (I/O, corrupt store), 2 query error,
3 import data error, 64 usage error. See docs/cli.md.
)";

int Help(std::string_view command) {
  if (command.empty()) {
    fmt::print("{}", kUsage);
  } else if (command == "import") {
    fmt::print("{}", ImportUsage());
  } else if (command == "query") {
    fmt::print("{}", QueryUsage());
  } else if (command == "export") {
    fmt::print("{}", ExportUsage());
  } else if (command == "rfm") {
    fmt::print("{}", RfmUsage());
  } else if (command == "models") {
    fmt::print("{}", ModelsUsage());
  } else if (command == "lifecycle") {
    fmt::print("{}", LifecycleUsage());
  } else if (command == "report") {
    fmt::print("{}", ReportCommandUsage());
  } else if (command == "help") {
    fmt::print("{}", kUsage);
  } else {
    return ReportUsage("help", fmt::format("unknown command '{}'", command));
  }
  return kExitOk;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "{}", kUsage);
    return kExitUsage;
  }
  std::string_view command = argv[1];
  ArgCursor args(argc, argv, 2);
  if (command == "import") return RunImport(args);
  if (command == "query") return RunQuery(args);
  if (command == "export") return RunExport(args);
  if (command == "rfm") return RunRfmCommand(args);
  if (command == "models") return RunModelsCommand(args);
  if (command == "lifecycle") return RunLifecycleCommand(args);
  if (command == "report") return RunReportCommand(args);
  if (command == "help" || command == "--help" || command == "-h") {
    if (argc > 3) return ReportUsage("help", "expected at most one command name");
    return Help(argc == 3 ? std::string_view(argv[2]) : std::string_view());
  }
  if (command == "--version") {
    fmt::print("audience {}.{}.{}\n", AUDIENCE_VERSION_MAJOR, AUDIENCE_VERSION_MINOR,
               AUDIENCE_VERSION_PATCH);
    return kExitOk;
  }
  if (!command.empty() && command[0] == '-') {
    return ReportUsage("", fmt::format("unknown option '{}'", command));
  }
  return ReportUsage("", fmt::format("unknown command '{}'", command));
}

}  // namespace
}  // namespace audience_cli

int main(int argc, char** argv) { return audience_cli::Main(argc, argv); }
