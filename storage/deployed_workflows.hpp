#pragma once
// Workflow versions deployed into the database (`investflow workflow deploy`, POST
// /api/workflows): checking and storing them, and taking them into use. Every server on the
// database takes new versions each few seconds (notify/workflow_watch.hpp); the CLI's
// commands once when they open a store. New projects start on the newest version; existing
// ones keep theirs.

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "storage/store.hpp"
#include "workflows/loader.hpp"

namespace investflow::storage {

// The newest registered version of each stored workflow whose id is not in `except`: what
// a new set is checked against for parent links, as if loaded with it.
workflows::WorkflowSet registered_workflows(Store& store, const std::set<std::string>& except = {});

// `calendars` with the calendars the store's workflows decide with (deployed ones included)
// over those of the same name.
workflows::CalendarRegistry with_calendars_in_use(const Store& store,
                                                  workflows::CalendarRegistry calendars);

struct WorkflowDeploy {
  std::vector<workflows::WorkflowLoad> loads;  // one per text, in order: every diagnostic
  bool valid = false;                          // every text loaded without errors
  // When valid: one per text (stored, or stored already with this text); empty when
  // `refused` or `failed` says why nothing was stored.
  std::vector<DeployResult> results;
  std::string refused;  // the version rule refused some (every one named), nothing stored
  std::string failed;   // a storage error, nothing stored
};

// Checks the texts as one set (parent links against each other and the stored workflows);
// when all load, deploys them all or nothing (Store::deploy_workflows). `names[i]` names
// `texts[i]` in diagnostics (the file, or "request body").
WorkflowDeploy deploy_workflow_texts(Store& store, const std::vector<std::string>& texts,
                                     const std::vector<std::string>& names,
                                     const workflows::CalendarRegistry& calendars);

struct TakenWorkflows {
  std::vector<std::pair<std::string, std::int64_t>> taken;  // (id, version) now registered
  std::vector<std::string> problems;  // stored texts that do not load (English, for logs)
};

// Registers every stored version the store does not know yet (loaded with `calendars` and
// the calendars in use). A text that does not load is reported once per (id, version) in
// `failed` (updated) and skipped; its projects stay readable.
TakenWorkflows take_deployed_workflows(Store& store, const workflows::CalendarRegistry& calendars,
                                       std::set<std::pair<std::string, std::int64_t>>& failed);

}  // namespace investflow::storage
