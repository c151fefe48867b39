#pragma once
// Scenarios: scripted command sequences run through a workflow in memory
// (`investflow simulate`). The shipped ones under workflows/scenarios/ walk each workflow's
// main path and its main rejections, and double as end-to-end tests of the rules.

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/command.hpp"
#include "engine/date.hpp"
#include "engine/workflow.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {

struct ScenarioStep {
  int line = 0;  // where the step starts in the scenario file
  engine::Timestamp at = 0;
  engine::Actor actor;
  engine::Command command;
  bool expect_accepted = true;
  std::vector<std::string> expect_reasons;  // codes that must all appear in a rejection
};

struct Scenario {
  std::string file;
  std::string workflow;
  std::string project = "P-1";
  std::optional<std::string> expect_state;
  std::vector<ScenarioStep> steps;
  // The declared actors and their roles: the review panel is those holding the voters' role.
  std::map<std::string, std::vector<std::string>> actors;
};

struct ScenarioLoad {
  std::optional<Scenario> scenario;  // nullopt when there are errors
  std::vector<workflows::Diagnostic> diagnostics;
};
ScenarioLoad load_scenario_text(const std::string& yaml, const std::string& file_name);
ScenarioLoad load_scenario_file(const std::string& path);

struct ScenarioReport {
  bool ok = true;  // every step met its expectation, and the final state
  std::string final_state;
  std::int64_t final_version = 0;
  int unexpected_steps = 0;
};
// Runs the scenario, printing one block per step to `out` with labels in `lang`.
ScenarioReport run_scenario(const engine::Workflow& workflow, const Scenario& scenario,
                            std::string_view lang, std::ostream& out);

}  // namespace investflow::app
