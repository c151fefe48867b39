#pragma once
// Moving projects to another version of their workflow (`investflow workflow migrate`,
// POST /api/workflows/{id}/migrations). Each project moves by a MigrateWorkflow command
// through the store's normal write path, in its own transaction: its workflow_migrated
// event, projection, report summaries and live feed are written together or not at all,
// so an interrupted run leaves each project fully moved or untouched, and running it again
// moves the rest (the ones already moved answer "already"). The rules of one move are the
// engine's (engine/migration.hpp).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/decide.hpp"
#include "engine/event.hpp"
#include "engine/workflow.hpp"
#include "storage/deployed_workflows.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

struct MigrationRequest {
  std::string workflow;
  std::int64_t to = 0;
  std::map<std::string, std::string> state_map;  // OLD -> NEW
  // Only these projects (a project in a final state moves only when named here); empty:
  // every project of the workflow on another version that is not in a final state.
  std::vector<std::string> projects;
  bool dry_run = false;       // plan every move, change nothing
  engine::Actor actor;        // who is recorded as moving them
  engine::Timestamp now = 0;  // the dry run's day (a real move is decided at the store's clock)
  // Called after each project with (done, total).
  std::function<void(std::int64_t, std::int64_t)> progress;
};

enum class MigrationOutcome { moved, would_move, refused, already };
std::string_view migration_outcome_name(MigrationOutcome outcome);  // as in the API

struct MigrationRow {
  std::string project;
  std::string name;  // the field tagged `name`, or empty
  std::int64_t from_version = 0;
  std::string from_state;
  std::optional<std::string> to_state;  // unset when the state maps to nothing of the target
  MigrationOutcome outcome = MigrationOutcome::refused;
  std::vector<engine::Reason> reasons;       // refused: every reason
  std::vector<engine::MigrationNote> notes;  // moved or would_move: what was carried or recomputed
};

struct MigrationReport {
  std::vector<MigrationRow> rows;  // in project id order
  int moved = 0;                   // moved, or would move (dry run)
  int refused = 0;
  int unchanged = 0;  // already on the target version
  int terminal = 0;   // in a final state and not named: left on their versions, not listed
};

// What is wrong with the request itself (unknown target version, a map naming a state no
// version has or the target lacks, a named project that is not of the workflow), in both
// languages; empty when it can run. Loads the target from the stored definitions when the
// store has not registered it yet (ensure_workflow_version).
std::vector<engine::LocalizedText> check_migration_request(Store& store,
                                                           const MigrationRequest& request);

// Checks the request, then moves (or, dry, plans) each chosen project. Fails with
// invalid_request when the check finds problems (their English texts), with storage when a
// write fails (the projects moved so far stay moved).
Outcome<MigrationReport> migrate_projects(Store& store, const MigrationRequest& request);

// Registers every version stored in the database that the store does not know yet, with
// the shipped calendars and those in use (deployed_workflows.hpp).
TakenWorkflows take_stored_versions(Store& store);

// The version `version` of workflow `id`: from the store's registry, or else loaded from
// its stored definition (deployed since the store was opened) and registered. Null when no
// such version is stored or it no longer loads (e.g. its calendar is unknown).
std::shared_ptr<const engine::Workflow> ensure_workflow_version(Store& store, const std::string& id,
                                                                std::int64_t version);

}  // namespace investflow::storage
