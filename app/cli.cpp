#include "app/cli.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>
#include <vector>

#include "app/commands_anchor.hpp"
#include "app/commands_audit.hpp"
#include "app/commands_calendar.hpp"
#include "app/commands_copy.hpp"
#include "app/commands_funds.hpp"
#include "app/commands_reassign.hpp"
#include "app/commands_report.hpp"
#include "app/commands_server.hpp"
#include "app/commands_storage.hpp"
#include "app/commands_users.hpp"
#include "app/commands_workflow.hpp"
#include "app/config.hpp"
#include "storage/pg_connection.hpp"

namespace investflow::app {
namespace {

struct CommandEntry {
  std::string_view name;
  std::string_view summary;
  int (*run)(std::span<const std::string> args, Io& io);
  std::string_view actions = {};  // subcommands, listed in the overview (and by completion)
};

constexpr CommandEntry kCommands[] = {
    {"validate", "check workflow files; print every error as FILE:LINE:COL", run_validate},
    {"graph", "print a workflow's state machine as Mermaid stateDiagram-v2", run_graph},
    {"simulate", "run a scenario of commands through a workflow in memory", run_simulate},
    {"workflow", "deploy workflow versions, list and diff them, migrate projects", run_workflow,
     "deploy list diff migrate"},
    {"calendar", "working days: the N-th working day after a date, or the count between two",
     run_calendar, "add between deploy list"},
    {"init", "create a database or migrate it to this version's schema", run_init},
    {"verify", "check every hash chain and replay every project against its projection",
     run_verify},
    {"backup", "copy a database online (safe while the server writes)", run_backup},
    {"copy", "copy a whole store between SQLite and PostgreSQL, checking counts and chains",
     run_copy},
    {"audit", "list the security audit log: logins, refusals, changes, downloads", run_audit},
    {"keygen", "make an Ed25519 key pair for signing digests of the history", run_keygen},
    {"digest", "sign a statement of the history's size and head (verify --digest checks it)",
     run_digest},
    {"import", "create or update projects from a CSV or XLSX file, every row checked", run_import},
    {"export", "write a workflow's projects as CSV or XLSX (Chinese headers, 万元)", run_export},
    {"seed", "fill a database with realistic demo projects and histories", run_seed},
    {"serve", "serve the JSON API and the console over HTTP", run_serve},
    {"user", "add, list, disable, enable and delete users, set passwords, make API tokens",
     run_user, "add passwd list disable enable delete token"},
    {"token", "list and revoke API tokens", run_token, "list revoke"},
    {"report", "pipeline, funnel, aging, KPIs and period summaries from the event log", run_report,
     "pipeline funnel aging kpis period funds targets monthly problems"},
    {"funds", "record funds in place (到位资金) for a project: one ledger entry", run_funds, "add"},
    {"target", "set and list the promoting units' annual targets", run_target, "set list"},
    {"reassign", "hand a departing person's open projects to another (人员交接)", run_reassign},
    {"config", "check the server's configuration file and print the effective settings", run_config,
     "check"},
};

void print_overview(std::ostream& out) {
  out << "Usage: investflow COMMAND [options] [arguments]\n"
         "       investflow help COMMAND | --version | --help\n\n"
         "investflow tracks the investment projects of a high-tech zone through workflows\n"
         "defined in YAML.\n\nCommands:\n";
  for (const CommandEntry& command : kCommands) {
    out << "  " << command.name << std::string(12 - command.name.size(), ' ') << command.summary
        << "\n";
    if (!command.actions.empty())
      out << std::string(14, ' ') << "actions: " << command.actions << "\n";
  }
  out << "\nRun 'investflow help COMMAND' (or 'investflow COMMAND --help') for a command's "
         "options.\nA database is given the same way to every command: DB or --db FILE.\n";
}

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const CommandEntry& command : kCommands)
    names.emplace_back(command.name);
  names.emplace_back("help");
  return names;
}

const CommandEntry* find_command(std::string_view name) {
  for (const CommandEntry& command : kCommands) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

int unknown_command(std::string_view name, Io& io) {
  io.err << "investflow: unknown command '" << name << "'" << did_you_mean(name, command_names())
         << "\nRun 'investflow help' for the commands.\n";
  return kExitUsage;
}

}  // namespace

int run_cli(std::span<const std::string> args, Io& io) {
  if (args.empty()) {
    print_overview(io.err);
    return kExitUsage;
  }
  const std::string& name = args.front();
  if (name == "--help" || name == "-h" || (name == "help" && args.size() == 1)) {
    print_overview(io.out);
    return kExitOk;
  }
  if (name == "--version" || name == "-V" || name == "version") {
    io.out << "investflow " << INVESTFLOW_VERSION << "\n";
    return kExitOk;
  }
  if (name == "help") {
    // help COMMAND [ACTION]: the command's own --help.
    const CommandEntry* command = find_command(args[1]);
    if (command == nullptr) return unknown_command(args[1], io);
    std::vector<std::string> rest(args.begin() + 2, args.end());
    rest.emplace_back("--help");
    return command->run(rest, io);
  }
  if (const CommandEntry* command = find_command(name)) {
    // The PostgreSQL store (issue 21) serves these commands so far; the others would take
    // a URI for a SQLite file name.
    constexpr std::string_view kOnPostgres[] = {
        "init",   "verify",   "seed",     "serve",    "audit", "user",
        "token",  "import",   "export",   "report",   "funds", "target",
        "digest", "calendar", "workflow", "reassign", "copy"};
    const bool on_postgres = std::any_of(args.begin() + 1, args.end(), [](const std::string& arg) {
      return storage::is_postgres_uri(arg);
    });
    if (on_postgres &&
        std::find(std::begin(kOnPostgres), std::end(kOnPostgres), name) == std::end(kOnPostgres)) {
      std::string supported;
      for (const std::string_view taking : kOnPostgres)
        supported += (supported.empty() ? "" : ", ") + std::string(taking);
      io.err << "investflow " << name
             << ": a PostgreSQL database (postgresql://...) is not supported by this command "
                "yet; "
             << supported << " take one, every command takes a SQLite file\n";
      return kExitUsage;
    }
    return command->run(args.subspan(1), io);
  }
  return unknown_command(name, io);
}

}  // namespace investflow::app
