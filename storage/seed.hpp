#pragma once
// Demo data that looks like a real zone's pipeline: investors and project names in
// Chinese, industries, sizes from a few million to billions of yuan, consistent land and
// output figures, and full histories that take the workflow's real transitions (votes,
// escalations, milestones, monthly follow-up visits: the first six of each stay) up to a
// stage spread like a real funnel. Everything goes through the store's write path, as
// `at`-dated commands, one atomic batch per project (a project is seeded whole or not at
// all).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/date.hpp"
#include "engine/decide.hpp"
#include "engine/workflow.hpp"
#include "storage/operations.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

struct SeedOptions {
  int projects = 100;
  std::uint64_t seed = 1;        // the same seed gives the same data
  engine::Timestamp now = 0;     // histories end before this instant
  int history_days = 1460;       // projects start within this many days before `now`
  std::string id_prefix = "QY";  // project ids PREFIX-000001 ...
  // For a workflow with `parent:` (service problems): the projects the items are raised
  // under (id, workflow, state), each item's parent picked at random among them. Empty for
  // other workflows.
  std::vector<engine::ParentView> parents;
};

struct SeedReport {
  int projects = 0;           // projects created
  std::int64_t commands = 0;  // commands accepted (creations, transitions, votes, ...)
  std::map<std::string, int> by_state;
  int failed = 0;  // commands the store did not accept (should be 0)
  std::string first_failure;
};

Outcome<SeedReport> seed_projects(Store& store, const engine::Workflow& workflow,
                                  const SeedOptions& options, const ProgressFn& progress = {});

}  // namespace investflow::storage
