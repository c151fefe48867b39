// Many threads writing the same projects through one store: optimistic concurrency must
// lose no update and reject exactly the stale ones.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "storage/operations.hpp"
#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

TEST(Concurrency, SeveralWritersLoseNoUpdateAndGetCorrectRejections) {
  TempDir dir;
  const auto path = dir.file("concurrent.db");
  SqliteOptions options;
  options.read_connections = 4;
  auto store = open_test_store(path, options);
  ASSERT_TRUE(store);
  const std::vector<std::string> projects = {"P-A", "P-B", "P-C"};
  for (const auto& id : projects)
    ASSERT_TRUE(store->write(create_request(id, "项目")).get().accepted());

  constexpr int kThreads = 8;
  constexpr int kAttempts = 60;
  std::mutex mutex;
  std::map<std::string, int> accepted;  // per project
  std::atomic<int> stale{0};
  std::atomic<int> unexpected{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAttempts; ++i) {
        const std::string& id = projects[static_cast<std::size_t>((t + i) % 3)];
        auto read = store->project(id);
        if (!read || !read->has_value()) {
          ++unexpected;
          continue;
        }
        const engine::Project& project = **read;
        // Move the project along from what this thread saw: lead -> review -> lead ...
        WriteRequest request =
            project.state == "lead"
                ? transition_request(id, "submit", staff(), submit_fields(), project.version)
                : transition_request(id, "back", manager(), {}, project.version);
        WriteResult result = store->write(std::move(request)).get();
        if (result.accepted()) {
          std::lock_guard lock(mutex);
          ++accepted[id];
        } else if (result.rejected() && result.rejection.has(engine::reason::kStaleVersion) &&
                   result.version > project.version) {
          ++stale;
        } else {
          ++unexpected;
        }
      }
    });
  }
  for (auto& thread : threads)
    thread.join();

  EXPECT_EQ(unexpected.load(), 0);
  int total = 0;
  for (const auto& id : projects) {
    auto project = store->project(id);
    ASSERT_TRUE(project && project->has_value());
    // Every accepted transition is in the log exactly once, and nothing else is.
    EXPECT_EQ((*project)->version, 1 + accepted[id]) << id;
    auto history = store->history(id);
    ASSERT_TRUE(history);
    EXPECT_EQ(static_cast<int>(history->size()), (*project)->version);
    total += accepted[id];
  }
  EXPECT_EQ(total + stale.load(), kThreads * kAttempts);
  EXPECT_GT(stale.load(), 0) << "the threads never collided; the test proves nothing";
  store.reset();
  auto report = verify_database(path);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok());
}

}  // namespace
}  // namespace investflow::storage
