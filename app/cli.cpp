#include "app/cli.hpp"

#include <string_view>

#include "app/commands_calendar.hpp"
#include "app/commands_funds.hpp"
#include "app/commands_reassign.hpp"
#include "app/commands_report.hpp"
#include "app/commands_server.hpp"
#include "app/commands_storage.hpp"
#include "app/commands_workflow.hpp"

namespace investflow::app {
namespace {

struct CommandEntry {
  std::string_view name;
  std::string_view summary;
  int (*run)(std::span<const std::string> args, Io& io);
};

constexpr CommandEntry kCommands[] = {
    {"validate", "check workflow files; print every error as FILE:LINE:COL", run_validate},
    {"graph", "print a workflow's state machine as Mermaid stateDiagram-v2", run_graph},
    {"simulate", "run a scenario of commands through a workflow in memory", run_simulate},
    {"workflow", "deploy workflow versions, list and diff them, migrate projects", run_workflow},
    {"calendar", "working days: the N-th working day after a date, or the count between two",
     run_calendar},
    {"init", "create a database or migrate it to this version's schema", run_init},
    {"verify", "check every hash chain and replay every project against its projection",
     run_verify},
    {"backup", "copy a database online (safe while the server writes)", run_backup},
    {"import", "create or update projects from a CSV or XLSX file, every row checked", run_import},
    {"export", "write a workflow's projects as CSV or XLSX (Chinese headers, 万元)", run_export},
    {"seed", "fill a database with realistic demo projects and histories", run_seed},
    {"serve", "serve the JSON API and the console over HTTP", run_serve},
    {"user", "add users, set passwords, make API tokens", run_user},
    {"report", "pipeline, funnel, aging, KPIs and period summaries from the event log", run_report},
    {"funds", "record funds in place (到位资金) for a project: one ledger entry", run_funds},
    {"target", "set and list the promoting units' annual targets", run_target},
    {"reassign", "hand a departing person's open projects to another (人员交接)", run_reassign},
};

void print_overview(std::ostream& out) {
  out << "Usage: investflow COMMAND [options] [arguments]\n\n"
         "investflow tracks the investment projects of a high-tech zone through workflows\n"
         "defined in YAML.\n\nCommands:\n";
  for (const CommandEntry& command : kCommands) {
    out << "  " << command.name << std::string(12 - command.name.size(), ' ') << command.summary
        << "\n";
  }
  out << "\nRun 'investflow COMMAND --help' for a command's options.\n";
}

}  // namespace

int run_cli(std::span<const std::string> args, Io& io) {
  if (args.empty()) {
    print_overview(io.err);
    return kExitUsage;
  }
  const std::string& name = args.front();
  if (name == "--help" || name == "-h" || name == "help") {
    print_overview(io.out);
    return kExitOk;
  }
  if (name == "--version" || name == "version") {
    io.out << "investflow 0.1.0\n";
    return kExitOk;
  }
  for (const CommandEntry& command : kCommands) {
    if (command.name == name) return command.run(args.subspan(1), io);
  }
  io.err << "investflow: unknown command '" << name << "'\n";
  print_overview(io.err);
  return kExitUsage;
}

}  // namespace investflow::app
