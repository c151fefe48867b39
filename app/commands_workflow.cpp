#include "app/commands_workflow.hpp"

#include "app/commands_audit.hpp"
#include "app/commands_migrate.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "app/commands_storage.hpp"
#include "app/scenario.hpp"
#include "engine/graph.hpp"
#include "engine/workflow_diff.hpp"
#include "storage/deployed_calendars.hpp"
#include "storage/deployed_workflows.hpp"
#include "storage/open_store.hpp"
#include "storage/pg_connection.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;

void print_diagnostics(const std::vector<workflows::Diagnostic>& diagnostics, Io& io) {
  for (const workflows::Diagnostic& diagnostic : diagnostics) {
    io.err << diagnostic.to_string() << "\n";
  }
}

// The calendars in `calendars_dir`, or (when empty) in the one that goes with `file`;
// prints every diagnostic.
workflows::CalendarRegistry calendars_for(const std::string& file, const std::string& calendars_dir,
                                          Io& io) {
  workflows::CalendarRegistry calendars;
  const fs::path directory =
      calendars_dir.empty() ? workflows::calendars_directory_for(file) : fs::path(calendars_dir);
  print_diagnostics(workflows::load_calendar_directory(directory, calendars), io);
  return calendars;
}

// Loads a workflow file with the calendars that go with it; prints every diagnostic.
std::shared_ptr<const engine::Workflow> load_workflow(const std::string& file,
                                                      const std::string& calendars_dir, Io& io) {
  const workflows::CalendarRegistry calendars = calendars_for(file, calendars_dir, io);
  workflows::WorkflowLoad load = workflows::load_workflow_file(file, calendars);
  print_diagnostics(load.diagnostics, io);
  return load.workflow;
}

bool valid_lang(const std::string& lang, Io& io) {
  if (lang == "zh-CN" || lang == "en") return true;
  io.err << "investflow: --lang takes zh-CN or en, not '" << lang << "'\n";
  return false;
}

}  // namespace

int run_validate(std::span<const std::string> args, Io& io) {
  ArgSpec spec("validate",
               "Check workflow files, as one set (parent links are checked against the other\n"
               "files given). Every problem is printed on stderr as\n"
               "FILE:LINE:COL: error|warning: message. Exit 0 when every file is valid.");
  spec.positional("FILE", "workflow YAML files", true, true)
      .option("calendars", "DIR",
              "calendar directory (default: ../calendars beside the first file)")
      .example("investflow validate workflows/definitions/*.yaml");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  int invalid = 0;
  const std::vector<std::string> files = parsed.positionals("FILE");
  // The files are checked as one set (parent links against each other); calendars come
  // from beside the first file unless given.
  const workflows::CalendarRegistry calendars =
      calendars_for(files.front(), parsed.value("calendars"), io);
  const std::vector<workflows::WorkflowLoad> loads =
      workflows::load_workflow_set({files.begin(), files.end()}, calendars);
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& file = files[i];
    print_diagnostics(loads[i].diagnostics, io);
    const auto& workflow = loads[i].workflow;
    if (!workflow) {
      ++invalid;
      continue;
    }
    io.out << file << ": ok (" << workflow->id << " v" << workflow->version << ", "
           << workflow->states.size() << " states, " << workflow->transitions.size()
           << " transitions, " << workflow->fields.size() << " fields)\n";
  }
  return invalid == 0 ? kExitOk : kExitFailed;
}

int run_graph(std::span<const std::string> args, Io& io) {
  ArgSpec spec("graph", "Print a workflow's state machine as Mermaid stateDiagram-v2 text.");
  spec.positional("FILE", "a workflow YAML file")
      .option("lang", "LANG", "label language: zh-CN or en", "zh-CN")
      .option("calendars", "DIR", "calendar directory (default: ../calendars beside the file)")
      .example("investflow graph --lang en workflows/definitions/admin-licence.yaml");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  if (!valid_lang(parsed.value("lang"), io)) return kExitUsage;
  const auto workflow = load_workflow(parsed.positional("FILE"), parsed.value("calendars"), io);
  if (!workflow) return kExitFailed;
  io.out << engine::mermaid_state_diagram(*workflow, parsed.value("lang"));
  return kExitOk;
}

int run_simulate(std::span<const std::string> args, Io& io) {
  ArgSpec spec("simulate",
               "Run a scenario (a list of steps, each with actor, roles, clock and a command)\n"
               "through a workflow in memory. Prints each step's outcome and the final state.\n"
               "Exit 1 if any step's outcome differs from its `expect`.");
  spec.positional("WORKFLOW", "a workflow YAML file")
      .positional("SCENARIO", "a scenario YAML file")
      .option("lang", "LANG", "message language: zh-CN or en", "zh-CN")
      .option("calendars", "DIR", "calendar directory (default: ../calendars beside the workflow)")
      .example(
          "investflow simulate workflows/definitions/qingyuan-investment.yaml \\\n"
          "      workflows/scenarios/qingyuan-investment-main.yaml");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  if (!valid_lang(parsed.value("lang"), io)) return kExitUsage;
  const auto workflow = load_workflow(parsed.positional("WORKFLOW"), parsed.value("calendars"), io);
  if (!workflow) return kExitFailed;
  const ScenarioLoad load = load_scenario_file(parsed.positional("SCENARIO"));
  print_diagnostics(load.diagnostics, io);
  if (!load.scenario) return kExitFailed;
  if (!load.scenario->workflow.empty() && load.scenario->workflow != workflow->id) {
    io.err << parsed.positional("SCENARIO") << ": the scenario is for workflow '"
           << load.scenario->workflow << "', not '" << workflow->id << "'\n";
    return kExitFailed;
  }
  const ScenarioReport report =
      run_scenario(*workflow, *load.scenario, parsed.value("lang"), io.out);
  if (!report.ok) {
    io.err << parsed.positional("SCENARIO") << ": " << report.unexpected_steps
           << " step(s) did not go as expected\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace investflow::app

// --- workflow deploy | list | diff (issue 15) --------------------------------------------

namespace investflow::app {
namespace {

std::unique_ptr<storage::Store> open_database(const std::string& command, const std::string& db,
                                              Io& io) {
  if (!database_exists(db, io)) return nullptr;
  auto store = storage::open_store_at(db);
  if (!store) {
    io.err << "investflow workflow " << command << ": " << storage::redact_uri(db) << ": "
           << store.error().message << "\n";
    return nullptr;
  }
  return std::move(*store);
}

// A stored definition for reading (labels, rules): the calendar does not matter, so one
// that is gone reads as weekends only.
std::shared_ptr<const engine::Workflow> read_stored(const storage::StoredWorkflow& stored) {
  static const workflows::CalendarRegistry stand_ins =
      workflows::CalendarRegistry::with_stand_ins();
  return workflows::load_workflow_text(
             stored.source, stored.id + " v" + std::to_string(stored.version) + " (stored)",
             stand_ins)
      .workflow;
}

std::string label_of(const engine::LocalizedText& label, const std::string& id,
                     const std::string& lang) {
  const std::string& text = label.in(lang);
  return text.empty() ? id : text;
}

int workflow_deploy(std::span<const std::string> args, Io& io) {
  ArgSpec spec("workflow deploy",
               "Check workflow files as one set (parent links against each other and the\n"
               "workflows stored in the database) and store them as new versions. Every server\n"
               "on that database takes them within a few seconds, without a restart: new\n"
               "projects start on the newest version, existing projects keep theirs (see\n"
               "`investflow workflow migrate`). Each version must be above the newest stored\n"
               "version of its workflow; the same version again with the same text changes\n"
               "nothing, with other text it is refused. All or nothing: if any file has an\n"
               "error (printed as FILE:LINE:COL) or is refused, nothing is stored (exit 1).");
  spec.positional("DB", "the SQLite database file, or a postgresql:// URI")
      .positional("FILE", "workflow YAML files", true, true)
      .option("calendars", "DIR",
              "calendar directory (default: ../calendars beside the first file); calendars "
              "deployed into the database count too")
      .example("investflow workflow deploy zone.db qingyuan-investment.yaml");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string db = parsed.positional("DB");
  const std::vector<std::string> files = parsed.positionals("FILE");
  std::vector<std::string> texts;
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in) {
      io.err << file << ":1:1: error: cannot read the file\n";
      return kExitFailed;
    }
    texts.push_back(text.str());
  }
  auto store = open_database("deploy", db, io);
  if (!store) return kExitFailed;
  const workflows::CalendarRegistry calendars =
      calendars_for(files.front(), parsed.value("calendars"), io);
  // What is stored already: the versions (for parent links) and the deployed calendars.
  std::set<std::pair<std::string, std::int64_t>> unreadable;
  (void)storage::take_deployed_workflows(*store, calendars, unreadable);
  std::map<std::string, std::string> seen;
  (void)storage::take_deployed_calendars(*store, seen);
  const storage::WorkflowDeploy deploy = storage::deploy_workflow_texts(
      *store, texts, files, storage::with_calendars_in_use(*store, calendars));
  for (const workflows::WorkflowLoad& load : deploy.loads)
    print_diagnostics(load.diagnostics, io);
  if (!deploy.valid) {
    io.err << "investflow workflow deploy: nothing stored (fix the errors above)\n";
    return kExitFailed;
  }
  if (!deploy.refused.empty() || !deploy.failed.empty()) {
    io.err << "investflow workflow deploy: "
           << (deploy.refused.empty() ? deploy.failed : deploy.refused) << "\n";
    return kExitFailed;
  }
  for (std::size_t i = 0; i < deploy.results.size(); ++i) {
    const engine::Workflow& workflow = *deploy.loads[i].workflow;
    if (deploy.results[i].stored) {
      audit_cli(db, "workflow_deployed", workflow.id + "@" + std::to_string(workflow.version), {},
                io);
      io.out << "deployed " << workflow.id << " v" << workflow.version << "; servers on "
             << storage::redact_uri(db)
             << " take it within a few seconds (new projects start on it)\n";
    } else {
      io.out << workflow.id << " v" << workflow.version
             << " is deployed with this text already; nothing changed\n";
    }
  }
  return kExitOk;
}

int workflow_list(std::span<const std::string> args, Io& io) {
  ArgSpec spec("workflow list",
               "The workflow versions deployed into a database, one a line: id, version, when\n"
               "deployed, whether new projects start on it (newest), and its projects by state.");
  spec.positional("DB", "the SQLite database file, or a postgresql:// URI")
      .option("lang", "LANG", "label language: zh-CN or en", "zh-CN")
      .example("investflow workflow list zone.db");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string lang = parsed.value("lang");
  if (!valid_lang(lang, io)) return kExitUsage;
  const bool en = lang == "en";
  auto store = open_database("list", parsed.positional("DB"), io);
  if (!store) return kExitFailed;
  auto stored = store->stored_workflows();
  auto counts = store->projects_by_version("");
  if (!stored || !counts) {
    io.err << "investflow workflow list: "
           << (stored ? counts.error().message : stored.error().message) << "\n";
    return kExitFailed;
  }
  std::map<std::string, std::int64_t> newest;
  for (const storage::StoredWorkflow& workflow : *stored)
    newest[workflow.id] = std::max(newest[workflow.id], workflow.version);
  for (const storage::StoredWorkflow& workflow : *stored) {
    const auto definition = read_stored(workflow);
    std::int64_t total = 0;
    std::string by_state;
    for (const storage::VersionStateCount& count : *counts) {
      if (count.workflow != workflow.id || count.version != workflow.version) continue;
      const engine::StateDef* state = definition ? definition->find_state(count.state) : nullptr;
      if (!by_state.empty()) by_state += en ? ", " : "、";
      by_state += (state ? label_of(state->label, count.state, lang) : count.state) + " " +
                  std::to_string(count.count);
      total += count.count;
    }
    io.out << workflow.id << "\tv" << workflow.version << "\t"
           << engine::format_timestamp(workflow.loaded_at) << "\t"
           << (newest[workflow.id] == workflow.version ? (en ? "newest" : "最新") : "-") << "\t";
    if (en) {
      io.out << total << (total == 1 ? " project" : " projects");
    } else {
      io.out << total << "个项目";
    }
    if (!by_state.empty()) io.out << (en ? ": " : "：") << by_state;
    io.out << "\n";
  }
  if (stored->empty()) io.err << "investflow workflow list: no workflows in the database\n";
  return kExitOk;
}

// A workflow to compare: ID@N (a stored version, with --db) or a YAML file.
std::shared_ptr<const engine::Workflow> diff_side(const std::string& name, storage::Store* store,
                                                  const std::string& calendars_dir, Io& io) {
  const std::size_t at = name.rfind('@');
  if (at != std::string::npos && at > 0 && !fs::exists(name)) {
    std::int64_t version = 0;
    const std::string number = name.substr(at + 1);
    const auto [end, error] =
        std::from_chars(number.data(), number.data() + number.size(), version);
    if (error != std::errc() || end != number.data() + number.size() || version < 1) {
      io.err << "investflow workflow diff: '" << name
             << "' is neither a file nor ID@VERSION (e.g. qingyuan-investment@2)\n";
      return nullptr;
    }
    if (store == nullptr) {
      io.err << "investflow workflow diff: " << name << " is a stored version: give --db DB\n";
      return nullptr;
    }
    auto stored = store->stored_workflows();
    if (!stored) {
      io.err << "investflow workflow diff: " << stored.error().message << "\n";
      return nullptr;
    }
    const std::string id = name.substr(0, at);
    for (const storage::StoredWorkflow& workflow : *stored) {
      if (workflow.id == id && workflow.version == version) {
        auto definition = read_stored(workflow);
        if (!definition) io.err << "investflow workflow diff: " << name << " does not load\n";
        return definition;
      }
    }
    io.err << "investflow workflow diff: no " << id << " version " << version
           << " in the database\n";
    return nullptr;
  }
  return load_workflow(name, calendars_dir, io);
}

int workflow_diff(std::span<const std::string> args, Io& io) {
  ArgSpec spec("workflow diff",
               "What changed from A to B, one sentence a line: states, transitions, fields,\n"
               "tables, roles and rules (guards, requires, SLAs, deadlines, milestones, notify\n"
               "rules, reviews, computed values, report tags) added, removed or changed, named\n"
               "by their labels. A and B are YAML files or versions stored in --db (ID@N).");
  spec.positional("A", "the older: a file, or ID@VERSION with --db")
      .positional("B", "the newer: a file, or ID@VERSION with --db")
      .option("db", "FILE|URI",
              "the database holding the ID@VERSION ones: a SQLite file or a postgresql:// URI")
      .option("lang", "LANG", "sentence language: zh-CN or en", "zh-CN")
      .option("calendars", "DIR", "calendar directory (default: ../calendars beside the file)")
      .example("investflow workflow diff --db zone.db qingyuan-investment@2 qingyuan-investment@3")
      .example(
          "investflow workflow diff --db zone.db qingyuan-investment@3 "
          "qingyuan-investment.yaml");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string lang = parsed.value("lang");
  if (!valid_lang(lang, io)) return kExitUsage;
  std::unique_ptr<storage::Store> store;
  if (parsed.has("db")) {
    store = open_database("diff", parsed.value("db"), io);
    if (!store) return kExitFailed;
  }
  const auto before = diff_side(parsed.positional("A"), store.get(), parsed.value("calendars"), io);
  if (!before) return kExitFailed;
  const auto after = diff_side(parsed.positional("B"), store.get(), parsed.value("calendars"), io);
  if (!after) return kExitFailed;
  if (before->id != after->id) {
    io.err << "investflow workflow diff: warning: comparing two workflows, " << before->id
           << " and " << after->id << "\n";
  }
  const std::vector<engine::WorkflowChange> changes = engine::diff_workflows(*before, *after);
  for (const engine::WorkflowChange& change : changes)
    io.out << change.text.in(lang) << "\n";
  if (changes.empty()) {
    io.out << (lang == "en" ? "No differences.\n" : "两个版本没有差别。\n");
  }
  return kExitOk;
}

}  // namespace

int run_workflow(std::span<const std::string> args, Io& io) {
  struct Subcommand {
    std::string_view name;
    int (*run)(std::span<const std::string> args, Io& io);
  };
  static constexpr Subcommand kSubcommands[] = {
      {"deploy", workflow_deploy},
      {"list", workflow_list},
      {"diff", workflow_diff},
      {"migrate", run_workflow_migrate},
  };
  if (!args.empty()) {
    for (const Subcommand& subcommand : kSubcommands) {
      if (args.front() == subcommand.name) return subcommand.run(args.subspan(1), io);
    }
  }
  const bool help = !args.empty() && (args.front() == "--help" || args.front() == "-h");
  (help ? io.out : io.err)
      << "Usage: investflow workflow ACTION ...\n\n"
         "Workflow versions in a database:\n"
         "  deploy DB FILE...   store new versions; running servers take them within seconds\n"
         "  list DB             the versions, when deployed, their projects by state\n"
         "  diff A B            what changed between two versions (files or ID@N with --db)\n"
         "  migrate DB          move projects to another version (--dry-run first)\n\n"
         "Run 'investflow workflow ACTION --help' for an action's options.\n";
  if (help) return kExitOk;
  if (!args.empty()) {
    io.err << "investflow workflow: no action '" << args.front() << "'"
           << did_you_mean(args.front(), {"deploy", "list", "diff", "migrate"}) << "\n";
  }
  return kExitUsage;
}

}  // namespace investflow::app
