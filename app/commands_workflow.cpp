#include "app/commands_workflow.hpp"

#include <filesystem>

#include "app/scenario.hpp"
#include "engine/graph.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;

void print_diagnostics(const std::vector<workflows::Diagnostic>& diagnostics, Io& io) {
  for (const workflows::Diagnostic& diagnostic : diagnostics) {
    io.err << diagnostic.to_string() << "\n";
  }
}

// Loads a workflow file with the calendars that go with it; prints every diagnostic.
std::shared_ptr<const engine::Workflow> load_workflow(const std::string& file,
                                                      const std::string& calendars_dir, Io& io) {
  workflows::CalendarRegistry calendars;
  const fs::path directory =
      calendars_dir.empty() ? workflows::calendars_directory_for(file) : fs::path(calendars_dir);
  print_diagnostics(workflows::load_calendar_directory(directory, calendars), io);
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
  workflows::CalendarRegistry calendars;
  const std::string& calendars_dir = parsed.value("calendars");
  print_diagnostics(workflows::load_calendar_directory(
                        calendars_dir.empty() ? workflows::calendars_directory_for(files.front())
                                              : fs::path(calendars_dir),
                        calendars),
                    io);
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
