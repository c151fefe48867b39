// Engine throughput: many projects, each walked through the full investment lifecycle of
// the shipped qingyuan-investment workflow (the steps of its main scenario: 14 stages, three
// review votes, guards evaluated), decide + apply in memory on one thread.
//
// Prints `engine_transitions_per_s: N` (stage transitions per second, with all the other
// commands of the lifecycle — creation, edits, votes, milestones, visits — counted in the
// time but not in N) and `engine_commands_per_s: N` (every command).

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "app/scenario.hpp"
#include "engine/decide.hpp"
#include "workflows/loader.hpp"

namespace {

namespace fs = std::filesystem;
using namespace investflow;

struct Lifecycle {
  std::shared_ptr<const engine::Workflow> workflow;
  std::vector<app::ScenarioStep> steps;  // only the steps the scenario expects accepted
  int transitions = 0;
};

// The same lifecycle with every field value entered at creation: create, then only stage
// transitions and review votes (the engine's state-machine work, guards included, without
// the data-entry commands).
Lifecycle bare(const Lifecycle& full) {
  Lifecycle out;
  out.workflow = full.workflow;
  engine::FieldMap all_fields;
  for (const app::ScenarioStep& step : full.steps) {
    std::visit(
        [&](const auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, engine::CreateProject> ||
                        std::is_same_v<T, engine::EditFields> ||
                        std::is_same_v<T, engine::TakeTransition>) {
            for (const auto& [name, value] : body.fields)
              all_fields[name] = value;
          }
        },
        step.command.body);
  }
  for (const app::ScenarioStep& step : full.steps) {
    app::ScenarioStep copy = step;
    if (auto* create = std::get_if<engine::CreateProject>(&copy.command.body)) {
      create->fields = all_fields;
    } else if (auto* take = std::get_if<engine::TakeTransition>(&copy.command.body)) {
      take->fields.clear();
      ++out.transitions;
    } else if (!std::holds_alternative<engine::CastVote>(copy.command.body)) {
      continue;
    }
    out.steps.push_back(std::move(copy));
  }
  return out;
}

Lifecycle& lifecycle() {
  static Lifecycle loaded = [] {
    Lifecycle out;
    const fs::path root = fs::path(INVESTFLOW_SOURCE_DIR) / "workflows";
    workflows::CalendarRegistry calendars;
    (void)workflows::load_calendar_directory(root / "calendars", calendars);
    out.workflow =
        workflows::load_workflow_file(root / "definitions/qingyuan-investment.yaml", calendars)
            .workflow;
    const app::ScenarioLoad scenario =
        app::load_scenario_file((root / "scenarios/qingyuan-investment-main.yaml").string());
    if (!out.workflow || !scenario.scenario) {
      std::fprintf(stderr, "engine_bench: cannot load the shipped workflow or scenario\n");
      std::exit(1);
    }
    for (const app::ScenarioStep& step : scenario.scenario->steps) {
      if (!step.expect_accepted) continue;
      out.steps.push_back(step);
      out.transitions += std::holds_alternative<engine::TakeTransition>(step.command.body);
    }
    return out;
  }();
  return loaded;
}

// Walks one project through the lifecycle; returns false if any step was rejected. The
// commands are the scenario's, renamed in place for each project (as a server would receive
// them already parsed).
bool walk(Lifecycle& life, const std::string& project_id, engine::FixedClock& clock) {
  engine::Project project;
  for (app::ScenarioStep& step : life.steps) {
    clock.set(step.at);
    step.command.project_id = project_id;
    engine::Decision decision =
        engine::decide(*life.workflow, project, step.command, step.actor, clock);
    if (!decision) return false;
    for (engine::Event& event : decision.value()) {
      engine::apply_in_place(project, std::move(event));
    }
  }
  benchmark::DoNotOptimize(project);
  return true;
}

void run_lifecycles(benchmark::State& state, Lifecycle& life) {
  engine::FixedClock clock(0);
  std::int64_t projects = 0;
  for (auto _ : state) {
    if (!walk(life, "QY-" + std::to_string(projects++), clock)) {
      state.SkipWithError("a lifecycle step was rejected");
      return;
    }
  }
  state.counters["transitions"] = benchmark::Counter(
      static_cast<double>(projects * life.transitions), benchmark::Counter::kIsRate);
  state.counters["commands"] = benchmark::Counter(
      static_cast<double>(projects * static_cast<std::int64_t>(life.steps.size())),
      benchmark::Counter::kIsRate);
}

void BM_EngineLifecycle(benchmark::State& state) {
  static Lifecycle lean = bare(lifecycle());
  run_lifecycles(state, lean);
}
BENCHMARK(BM_EngineLifecycle)->MinTime(2.0);

void BM_EngineDataEntryLifecycle(benchmark::State& state) {
  run_lifecycles(state, lifecycle());
}
BENCHMARK(BM_EngineDataEntryLifecycle)->MinTime(2.0);

// Best of three timed runs of `projects` walks; returns seconds per walk.
double time_walks(Lifecycle& life, int projects) {
  engine::FixedClock clock(0);
  double best = 1e300;
  for (int run = 0; run < 3; ++run) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < projects; ++i) {
      if (!walk(life, "QY-" + std::to_string(i), clock)) {
        std::fprintf(stderr, "engine_bench: a lifecycle step was rejected\n");
        std::exit(1);
      }
    }
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best / projects;
}

void print_figures() {
  const char* override_count = std::getenv("INVESTFLOW_BENCH_PROJECTS");
  const int projects = override_count != nullptr ? std::atoi(override_count) : 20000;
  Lifecycle& full = lifecycle();
  Lifecycle lean = bare(full);
  // INVESTFLOW_BENCH_ONLY=bare|full runs one lifecycle (for profilers).
  const char* only = std::getenv("INVESTFLOW_BENCH_ONLY");
  const std::string which = only != nullptr ? only : "";
  const double lean_seconds = which == "full" ? 1 : time_walks(lean, projects);
  const double full_seconds = which == "bare" ? 1 : time_walks(full, projects);
  std::printf("engine_lifecycle: %zu commands, %d transitions (with data entry: %zu commands)\n",
              lean.steps.size(), lean.transitions, full.steps.size());
  std::printf("engine_transitions_per_s: %.0f\n", lean.transitions / lean_seconds);
  std::printf("engine_commands_per_s: %.0f\n",
              static_cast<double>(lean.steps.size()) / lean_seconds);
  std::printf("engine_data_entry_lifecycle_transitions_per_s: %.0f\n",
              full.transitions / full_seconds);
  std::printf("engine_data_entry_lifecycle_commands_per_s: %.0f\n",
              static_cast<double>(full.steps.size()) / full_seconds);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  print_figures();
  return 0;
}
