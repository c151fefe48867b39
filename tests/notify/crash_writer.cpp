// The child of the notify crash test: writes transitions through the store from several
// threads while the dispatcher delivers them to a webhook, and prints one line per
// acknowledged command, "ACK <project> <version>", flushed at once. The parent kills it
// with SIGKILL at random moments and checks that every acknowledged event reached the
// webhook receiver at least once.
//
//   notify_crash_writer DB ROUND

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "notify/dispatcher.hpp"
#include "notify/notify_store.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/system_clock.hpp"
#include "tests/storage/mini_workflow.hpp"

namespace {

using namespace investflow;  // NOLINT: a small program

std::mutex output_mutex;

void acknowledge(const std::string& project, std::int64_t version) {
  std::lock_guard lock(output_mutex);
  std::printf("ACK %s %lld\n", project.c_str(), static_cast<long long>(version));
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
  acknowledge(project, created.version);
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
    if (!result.accepted()) return;
    version = result.version;
    acknowledge(project, version);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: notify_crash_writer DB ROUND\n");
    return 2;
  }
  auto store = storage::open_sqlite_store(argv[1]);  // synchronous = FULL
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  auto load = workflows::load_workflow_text(storage::testing::kMiniWorkflow, "mini.yaml",
                                            storage::testing::test_calendars());
  if (!load.workflow || !(*store)->register_workflow(load.workflow, load.source)) return 1;
  auto notify_store = notify::NotifyStore::open(argv[1]);
  if (!notify_store) return 1;
  notify::DispatchOptions options;
  options.poll = std::chrono::milliseconds(20);
  options.backoff_base = std::chrono::milliseconds(20);
  options.backoff_cap = std::chrono::milliseconds(200);
  options.max_attempts = 1000;
  notify::Dispatcher dispatcher(**store, *notify_store, std::make_shared<storage::SystemClock>(),
                                options);
  dispatcher.start();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back(run_writer, std::ref(**store),
                         "R" + std::string(argv[2]) + "-T" + std::to_string(t));
  }
  for (auto& thread : threads)
    thread.join();
  return 0;
}
