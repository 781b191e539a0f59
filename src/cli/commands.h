// The subcommands of the `audience` tool. Each takes the cursor positioned
// after the subcommand name and returns the process exit code (args.h has
// the table); each prints its own usage for --help.
#ifndef AUDIENCE_CLI_COMMANDS_H_
#define AUDIENCE_CLI_COMMANDS_H_

#include <string_view>

#include "args.h"

namespace audience_cli {

int RunImport(ArgCursor& args);
int RunQuery(ArgCursor& args);
int RunExport(ArgCursor& args);
int RunRfmCommand(ArgCursor& args);
int RunModelsCommand(ArgCursor& args);
int RunLifecycleCommand(ArgCursor& args);
int RunReportCommand(ArgCursor& args);

// Usage texts, printed by `--help` (stdout) and `audience help <cmd>`.
std::string_view ImportUsage();
std::string_view QueryUsage();
std::string_view ExportUsage();
std::string_view RfmUsage();
std::string_view ModelsUsage();
std::string_view LifecycleUsage();
std::string_view ReportCommandUsage();

}  // namespace audience_cli

#endif  // AUDIENCE_CLI_COMMANDS_H_
