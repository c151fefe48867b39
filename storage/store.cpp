#include "storage/store.hpp"

#include <memory>

#include "storage/wire_json.hpp"

namespace investflow::storage {

Error storage_error(const std::exception& error, std::string_view context) {
  return Error{Error::Kind::storage, std::string(context) + describe_failure(error),
               fault_of(error)};
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
  return std::optional<ProjectJson>(project_wire_json(**found));
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
