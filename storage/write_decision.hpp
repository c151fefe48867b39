#pragma once
// What every store's writer does with a command before it writes anything, whatever the
// database: decide it with the engine against the project as stored (write_decision), and
// the stored forms of its parts (an idempotency record, the outbox rows). The SQLite
// writer (sqlite_writer.hpp) and the PostgreSQL one (pg_store.hpp) share these, so a
// command means the same on either store.

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/decide.hpp"
#include "engine/notify_route.hpp"
#include "storage/store.hpp"
#include "storage/workflow_registry.hpp"

namespace investflow::storage {

WriteResult rejected_write(std::int64_t current_version, std::string_view code,
                           std::string message);
WriteResult failed_write(std::string message);

// The stored form of a first result, replayed for a repeated idempotency key, and back.
std::string write_result_text(const WriteResult& result);
WriteResult write_result_from_text(std::string_view text);
// What a request asked (its command and workflow), to refuse a key reused for another.
std::string request_fingerprint(const WriteRequest& request);

// What a writer looks up outside the project for a decision: its relations (parent, open
// children; new_parent for a project being created) and how many users hold a role (the
// panel a fractional quorum is taken of).
struct DecisionSource {
  std::function<engine::Relations(const engine::Workflow& workflow, const engine::Project& project,
                                  const std::string& new_parent)>
      relations;
  std::function<int(const std::string& role)> holders_of_role;
};

struct WriteDecision {
  bool accepted = false;
  WriteResult rejection;              // !accepted: what the caller is answered
  std::vector<engine::Event> events;  // accepted: to append
  // The version the events are written under (a migration's target; else the project's).
  std::shared_ptr<const engine::Workflow> written_with;
  engine::Relations relations;  // as decided with (the parent's fields route notifications)
};

// Decides `request` against `head` (the project as stored; empty when there is none) at
// `now`, with the workflow versions `workflows` holds.
WriteDecision decide_write(const WriteRequest& request, const engine::Project& head,
                           const WorkflowRegistry& workflows, engine::Timestamp now,
                           const DecisionSource& source);

// One outbox row per channel for an event: the triggers that routed it and its recipients,
// by their names, as canonical JSON arrays.
struct OutboxRow {
  std::string channel;
  std::string triggers;
  std::string recipients;
};
std::vector<OutboxRow> outbox_rows(std::span<const engine::NotifyDelivery> deliveries);

}  // namespace investflow::storage
