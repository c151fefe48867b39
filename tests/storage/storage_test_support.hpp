#pragma once
// Shared by the storage tests: a temporary directory, a small workflow, store helpers.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "engine/calendar.hpp"
#include "engine/command.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/store.hpp"
#include "tests/storage/mini_workflow.hpp"
#include "workflows/loader.hpp"

namespace investflow::storage::testing {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("investflow-storage-" + std::to_string(random()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline std::shared_ptr<const engine::Workflow> mini_workflow() {
  auto load = workflows::load_workflow_text(kMiniWorkflow, "mini.yaml", test_calendars());
  for (const auto& diagnostic : load.diagnostics)
    ADD_FAILURE() << diagnostic.to_string();
  return load.workflow;
}

// A shipped workflow (workflows/definitions/ID.yaml) with its calendars, and its YAML text.
struct ShippedWorkflow {
  std::shared_ptr<const engine::Workflow> workflow;
  std::string source;
};
inline ShippedWorkflow shipped_workflow(const std::string& id) {
  const auto file = workflows::shipped_workflows_directory() / "definitions" / (id + ".yaml");
  workflows::CalendarRegistry calendars;
  for (const auto& d :
       workflows::load_calendar_directory(workflows::calendars_directory_for(file), calendars)) {
    ADD_FAILURE() << d.to_string();
  }
  auto load = workflows::load_workflow_file(file, calendars);
  for (const auto& d : load.diagnostics) {
    if (d.severity == workflows::Diagnostic::Severity::error) ADD_FAILURE() << d.to_string();
  }
  return {load.workflow, load.source};
}

inline engine::Actor staff(std::string id = "staff-1") {
  return {std::move(id), {"staff"}};
}
inline engine::Actor manager(std::string id = "manager-1") {
  return {std::move(id), {"manager"}};
}

inline WriteRequest create_request(const std::string& id, const std::string& name,
                                   engine::FieldMap extra = {}) {
  engine::CreateProject create;
  create.fields = std::move(extra);
  create.fields["name"] = engine::Value::text(name);
  WriteRequest request;
  request.command.project_id = id;
  request.command.body = std::move(create);
  request.actor = staff();
  request.workflow = "mini";
  return request;
}

inline WriteRequest transition_request(const std::string& id, const std::string& transition,
                                       engine::Actor actor, engine::FieldMap fields = {},
                                       std::optional<std::int64_t> expected = std::nullopt) {
  engine::TakeTransition take;
  take.transition = transition;
  take.fields = std::move(fields);
  WriteRequest request;
  request.command.project_id = id;
  request.command.expected_version = expected;
  request.command.body = std::move(take);
  request.actor = std::move(actor);
  return request;
}

inline engine::FieldMap submit_fields() {
  return {{"industry", engine::Value::text("electronics")},
          {"total_investment", engine::Value::number(5000)}};
}

// Opens a store on `path` with a fixed clock and the mini workflow registered.
inline std::unique_ptr<Store> open_test_store(const std::filesystem::path& path,
                                              SqliteOptions options = {}) {
  if (!options.clock) options.clock = std::make_shared<engine::FixedClock>(kMonday);
  auto store = open_sqlite_store(path, options);
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  auto registered = (*store)->register_workflow(mini_workflow(), kMiniWorkflow);
  if (!registered) ADD_FAILURE() << registered.error().message;
  return std::move(*store);
}

}  // namespace investflow::storage::testing
