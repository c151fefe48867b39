#pragma once
// Bulk handover (人员交接, issue 17): every open project a departing staff member holds —
// as owner, or in a user field such as the service officer or the liaison leader — goes to
// another person in one operation. Each holding is its own Reassign command, decided by the
// engine (roles, reason, the project still open); the results list each one. Used by
// POST /api/reassignments and `investflow reassign`.
//
//   BulkReassign bulk{.from = "zhang", .to = "li", .reason = "调岗"};
//   auto report = bulk_reassign(store, bulk, actor, [](auto done, auto total) { ... });

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "engine/command.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

struct BulkReassign {
  std::string from;  // the login handing over
  std::string to;    // the login taking over (the caller checks it is a known user)
  std::string reason;
  // "owner" and/or user field names; empty: owner and every user field of the workflows.
  std::vector<std::string> holders;
  std::string workflow;  // only projects of this workflow; empty: all
  // Only these projects (chosen in the list), open or not, in this order; `holders` default
  // to owner alone, and `from`, when set, keeps the holdings `from` holds. Empty: every open
  // project `from` holds.
  std::vector<std::string> projects;
  // A repeat with the same key (per actor) returns the first results: each write's key is
  // derived from it, the project and the holder. Empty: none.
  std::string idempotency_key;
  // Data scope (issue 19): only projects this scope sees; null sees everything (the CLI).
  std::shared_ptr<const engine::DataScope> scope = {};
};

struct ReassignOutcome {
  std::string project;
  std::string name;  // the project's name (its `name`-tagged field), or empty
  std::string holder;
  WriteResult result;
};

// The holdings found (open projects only, in holder then project order) and what became of
// each. An error only when reading the projects failed; refusals are in the outcomes.
// `progress` (may be empty) hears (decided so far, total) as results come in.
Outcome<std::vector<ReassignOutcome>> bulk_reassign(
    Store& store, const BulkReassign& bulk, const engine::Actor& actor,
    const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace investflow::storage
