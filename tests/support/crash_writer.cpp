// The child of the crash tests (tests/support/crash_harness.hpp): commits transitions
// through the storage API from several threads and prints one line per acknowledged
// command, "ACK <project> <version> <create|submit|back>", flushed at once, after a first
// line "READY" once its store is open. In `deliver`
// mode the webhook dispatcher runs alongside and delivers them. The parent kills it with
// SIGKILL at a random moment and checks that every acknowledged command survived.
//
//   crash_writer store|deliver DB ROUND     (DB: a SQLite file or a postgresql:// URI)

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "notify/dispatcher.hpp"
#include "notify/notify_store.hpp"
#include "storage/open_store.hpp"
#include "storage/system_clock.hpp"
#include "tests/storage/mini_workflow.hpp"

namespace {

using namespace investflow;  // NOLINT: a small program

std::mutex output_mutex;

void acknowledge(const std::string& project, std::int64_t version, const std::string& what) {
  std::lock_guard lock(output_mutex);
  std::printf("ACK %s %lld %s\n", project.c_str(), static_cast<long long>(version), what.c_str());
  std::fflush(stdout);
}

// One project, moved lead -> review -> lead ... for as long as the process lives.
void run_writer(storage::Store& store, const std::string& project) {
  storage::WriteRequest create;
  create.command.project_id = project;
  create.command.body = engine::CreateProject{"", {{"name", engine::Value::text("崩溃测试")}}};
  create.actor = engine::Actor{"staff-1", {"staff"}};
  create.workflow = "mini";
  const storage::WriteResult created = store.write(create).get();
  if (!created.accepted()) return;
  acknowledge(project, created.version, "create");
  std::int64_t version = created.version;
  for (bool in_review = false;; in_review = !in_review) {
    engine::TakeTransition take;
    take.transition = in_review ? "back" : "submit";
    if (!in_review) {
      take.fields = {{"industry", engine::Value::text("other")},
                     {"total_investment", engine::Value::number(static_cast<double>(version))}};
    }
    storage::WriteRequest request;
    request.command.project_id = project;
    request.command.expected_version = version;
    request.command.body = take;
    request.actor =
        in_review ? engine::Actor{"manager-1", {"manager"}} : engine::Actor{"staff-1", {"staff"}};
    const storage::WriteResult result = store.write(request).get();
    if (!result.accepted()) {
      std::fprintf(stderr, "not accepted: %s\n", result.error.c_str());
      return;
    }
    version = result.version;
    acknowledge(project, version, take.transition);
  }
}

// The dispatcher, retrying quickly (and for long) so that kills leave it much to redo.
std::unique_ptr<notify::Dispatcher> start_dispatcher(storage::Store& store,
                                                     std::shared_ptr<notify::NotifyStore> notify) {
  notify::DispatchOptions options;
  options.poll = std::chrono::milliseconds(20);
  options.backoff_base = std::chrono::milliseconds(20);
  options.backoff_cap = std::chrono::milliseconds(200);
  options.max_attempts = 1000;
  auto dispatcher = std::make_unique<notify::Dispatcher>(
      store, std::move(notify), std::make_shared<storage::SystemClock>(), options);
  dispatcher->start();
  return dispatcher;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc == 4 ? argv[1] : "";
  if (mode != "store" && mode != "deliver") {
    std::fprintf(stderr, "usage: crash_writer store|deliver DB ROUND\n");
    return 2;
  }
  const char* const db = argv[2];
  auto store = storage::open_store_at(db);  // SQLite: synchronous = FULL
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  auto load = workflows::load_workflow_text(storage::testing::kMiniWorkflow, "mini.yaml",
                                            storage::testing::test_calendars());
  if (!load.workflow || !(*store)->register_workflow(load.workflow, load.source)) return 1;
  std::unique_ptr<notify::Dispatcher> dispatcher;
  if (mode == "deliver") {
    auto notify_store = notify::NotifyStore::open(db);
    if (!notify_store) return 1;
    dispatcher = start_dispatcher(**store, *notify_store);
  }
  std::printf("READY\n");  // the parent's clock starts now: the database exists
  std::fflush(stdout);
  // The dispatcher shares the machine with the writers: fewer of them when it runs.
  const int writers = mode == "deliver" ? 4 : 8;
  std::vector<std::thread> threads;
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back(run_writer, std::ref(**store),
                         "R" + std::string(argv[3]) + "-T" + std::to_string(t));
  }
  for (auto& thread : threads)
    thread.join();
  return 0;
}
