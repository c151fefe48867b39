#include "storage/store.hpp"

#include <memory>

#include "storage/wire_json.hpp"

namespace investflow::storage {

Error storage_error(const std::exception& error, std::string_view context) {
  return Error{Error::Kind::storage, std::string(context) + describe_failure(error),
               fault_of(error)};
}

Error changed_definition(const engine::Workflow& workflow) {
  return Error{Error::Kind::invalid_request,
               "workflow " + workflow.id + " version " + std::to_string(workflow.version) +
                   " is already stored with a different definition; projects keep the "
                   "version they started on, so give the changed definition a new version"};
}

std::optional<Error> older_than_stored(const engine::Workflow& workflow, std::int64_t newest) {
  if (newest <= workflow.version) return std::nullopt;
  return Error{Error::Kind::invalid_request,
               "workflow " + workflow.id + " version " + std::to_string(workflow.version) +
                   " is older than the newest stored, version " + std::to_string(newest) +
                   ": deploy a version above " + std::to_string(newest)};
}

std::optional<Error> drops_calendar_years(const engine::Calendar& calendar, int stored_first,
                                          int stored_last) {
  if (calendar.first_year() <= stored_first && calendar.last_year() >= stored_last) {
    return std::nullopt;
  }
  return Error{Error::Kind::invalid_request,
               "calendar " + calendar.name() + " is stored with official data for " +
                   std::to_string(stored_first) + "-" + std::to_string(stored_last) +
                   "; this file has " + std::to_string(calendar.first_year()) + "-" +
                   std::to_string(calendar.last_year()) +
                   ", and a deployed calendar keeps every year it had"};
}

std::future<WriteResult> Store::write(WriteRequest request) {
  auto promise = std::make_shared<std::promise<WriteResult>>();
  std::future<WriteResult> future = promise->get_future();
  submit(std::move(request),
         [promise](WriteResult result) { promise->set_value(std::move(result)); });
  return future;
}

std::future<std::vector<WriteResult>> Store::write_atomic(std::vector<WriteRequest> requests) {
  auto promise = std::make_shared<std::promise<std::vector<WriteResult>>>();
  std::future<std::vector<WriteResult>> future = promise->get_future();
  submit_atomic(std::move(requests), [promise](std::vector<WriteResult> results) {
    promise->set_value(std::move(results));
  });
  return future;
}

Outcome<std::optional<ProjectJson>> Store::project_json(std::string_view id) {
  auto found = project(id);
  if (!found) return engine::fail(std::move(found.error()));
  if (!*found) return std::optional<ProjectJson>();
  // With its workflow version's computed values, as the SQLite store's own answers.
  const auto workflow = this->workflow((*found)->workflow, (*found)->workflow_version);
  return std::optional<ProjectJson>(project_wire_json(**found, workflow.get()));
}

Outcome<std::optional<engine::Project>> Store::project_seen(std::string_view id,
                                                            const engine::DataScope* scope) {
  auto found = project(id);
  if (!found || !*found || scope == nullptr || scope->unrestricted()) return found;
  auto seen = visible(id, *scope);
  if (!seen) return engine::fail(std::move(seen.error()));
  if (!*seen) found->reset();
  return found;
}

Outcome<std::vector<std::string>> Store::seen_of(std::vector<std::string> ids,
                                                 const engine::DataScope* scope) {
  if (scope == nullptr || scope->unrestricted()) return ids;
  std::vector<std::string> seen;
  for (std::string& id : ids) {
    auto visible_one = visible(id, *scope);
    if (!visible_one) return engine::fail(std::move(visible_one.error()));
    if (*visible_one) seen.push_back(std::move(id));
  }
  return seen;
}

StoreStats Store::stats() {
  return {};
}

Outcome<std::vector<StoredEvent>> Store::events_after(std::int64_t /*after_id*/, int /*limit*/) {
  return engine::fail(Error{Error::Kind::storage, "this store has no global event log"});
}

Outcome<std::int64_t> Store::last_event_id() {
  return engine::fail(Error{Error::Kind::storage, "this store has no global event log"});
}

}  // namespace investflow::storage
