#include "storage/write_decision.hpp"

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "engine/names.hpp"
#include "engine/notify_trigger.hpp"
#include "storage/codec.hpp"

namespace investflow::storage {
namespace json = boost::json;

namespace {

constexpr engine::EnumName<WriteResult::Status> kStatusNames[] = {
    {WriteResult::Status::accepted, "accepted"},
    {WriteResult::Status::rejected, "rejected"},
    {WriteResult::Status::failed, "failed"},
};
static_assert(engine::in_order(kStatusNames));

json::array to_json_array(const std::set<std::string>& items) {
  json::array array;
  for (const auto& item : items)
    array.emplace_back(item);
  return array;
}

}  // namespace

WriteResult rejected_write(std::int64_t current_version, std::string_view code,
                           std::string message) {
  WriteResult result;
  result.status = WriteResult::Status::rejected;
  result.version = current_version;
  result.rejection.current_version = current_version;
  result.rejection.reasons.push_back(
      engine::Reason{std::string(code), "", engine::LocalizedText{message, message}});
  return result;
}

WriteResult failed_write(std::string message) {
  WriteResult result;
  result.status = WriteResult::Status::failed;
  result.error = std::move(message);
  return result;
}

std::string write_result_text(const WriteResult& result) {
  json::array events;
  for (const auto& event : result.events)
    events.push_back(event_to_json(event));
  return canonical_json(json::object{{"events", std::move(events)},
                                     {"rejection", rejection_to_json(result.rejection)},
                                     {"status", engine::name_in(kStatusNames, result.status)},
                                     {"version", result.version}});
}

WriteResult write_result_from_text(std::string_view text) {
  auto parsed = parse_json(text);
  if (!parsed || !parsed->is_object()) return failed_write("unreadable idempotency record");
  const json::object& object = parsed->get_object();
  WriteResult result;
  const json::value* status = object.if_contains("status");
  const json::value* version = object.if_contains("version");
  if (status == nullptr || !status->is_string() || version == nullptr || !version->is_int64()) {
    return failed_write("unreadable idempotency record");
  }
  result.status = engine::value_named(kStatusNames, std::string_view(status->get_string()))
                      .value_or(WriteResult::Status::failed);
  result.version = version->get_int64();
  if (const json::value* events = object.if_contains("events"); events && events->is_array()) {
    for (const auto& item : events->get_array()) {
      auto event = event_from_json(item);
      if (!event) {
        return failed_write("unreadable idempotency record: " + event.error().to_string());
      }
      result.events.push_back(std::move(*event));
    }
  }
  if (const json::value* rejection = object.if_contains("rejection")) {
    auto decoded = rejection_from_json(*rejection);
    if (decoded) result.rejection = std::move(*decoded);
  }
  return result;
}

std::string request_fingerprint(const WriteRequest& request) {
  json::object object{{"command", command_to_json(request.command)},
                      {"workflow", request.workflow}};
  return to_hex(chain_hash(kGenesisHash, canonical_json(object)));
}

WriteDecision decide_write(const WriteRequest& request, const engine::Project& head,
                           const WorkflowRegistry& workflows, engine::Timestamp now,
                           const DecisionSource& source) {
  WriteDecision out;
  std::shared_ptr<const engine::Workflow> workflow;
  if (head.exists()) {
    workflow = workflows.find(head.workflow, head.workflow_version);
  } else if (std::holds_alternative<engine::CreateProject>(request.command.body)) {
    workflow = workflows.find(request.workflow);
  }
  // A migration is decided with the target version the store holds, and its events are
  // written (projection columns, notifications, report summaries) under that version.
  std::optional<engine::Command> migration;
  out.written_with = workflow;
  if (const auto* migrate = std::get_if<engine::MigrateWorkflow>(&request.command.body);
      migrate != nullptr && head.exists()) {
    migration = request.command;
    auto& body = std::get<engine::MigrateWorkflow>(migration->body);
    body.target = workflows.find(head.workflow, migrate->to_version);
    if (body.target) out.written_with = body.target;
  }

  if (workflow == nullptr && !head.exists() &&
      !std::holds_alternative<engine::CreateProject>(request.command.body)) {
    out.rejection = rejected_write(0, engine::reason::kNoSuchProject,
                                   "no project '" + request.command.project_id + "'");
    return out;
  }
  if (workflow == nullptr) {
    const std::string wanted =
        head.exists() ? head.workflow + " version " + std::to_string(head.workflow_version)
                      : request.workflow;
    out.rejection = rejected_write(head.version, reason::kNoSuchWorkflow,
                                   "workflow " + wanted + " is not loaded");
    return out;
  }
  const engine::FixedClock clock(now);
  const auto* create = std::get_if<engine::CreateProject>(&request.command.body);
  out.relations =
      source.relations(*workflow, head, create != nullptr ? create->parent : std::string());
  // A fractional quorum is taken of the review panel: the users holding the voters' role.
  int panel = 0;
  if (const engine::StateDef* state = workflow->find_state(head.state);
      state != nullptr && state->review && state->review->quorum_denominator != 0) {
    panel = source.holders_of_role(state->review->voters);
  }
  engine::Project with_panel;
  if (panel > 0) {
    with_panel = head;
    with_panel.review_panel = panel;
  }
  engine::Decision decision =
      engine::decide(*workflow, panel > 0 ? with_panel : head,
                     migration ? *migration : request.command, request.actor, clock, out.relations);
  if (decision) {
    out.accepted = true;
    out.events = std::move(decision).value();
  } else {
    out.rejection.status = WriteResult::Status::rejected;
    out.rejection.rejection = std::move(decision).error();
    out.rejection.version = out.rejection.rejection.current_version;
  }
  return out;
}

std::vector<OutboxRow> outbox_rows(std::span<const engine::NotifyDelivery> deliveries) {
  struct Row {
    std::set<std::string> triggers;
    std::set<std::string> recipients;
  };
  std::map<engine::NotifyChannel, Row> by_channel;
  for (const engine::NotifyDelivery& delivery : deliveries) {
    Row& row = by_channel[delivery.channel];
    for (const engine::NotifyTrigger& trigger : delivery.triggers)
      row.triggers.insert(engine::trigger_name(trigger));
    row.recipients.insert(engine::recipient_name(delivery.recipient));
  }
  std::vector<OutboxRow> rows;
  for (const auto& [channel, row] : by_channel) {
    rows.push_back(OutboxRow{std::string(engine::channel_name(channel)),
                             canonical_json(to_json_array(row.triggers)),
                             canonical_json(to_json_array(row.recipients))});
  }
  return rows;
}

}  // namespace investflow::storage
