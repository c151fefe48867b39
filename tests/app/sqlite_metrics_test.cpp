// `investflow serve` reports SQLite's own memory on /metrics (issue 8: the soak test tells the
// page caches filling up from a leak with it).

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/web/http_client.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;

// The value of an unlabelled sample `name` in Prometheus text, or -1 when it is missing.
double sample(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::strtod(text.c_str() + at + name.size() + 2, nullptr);
}

class SqliteMetrics : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("investflow-sqlite-metrics-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (child_ > 0) {
      ::kill(child_, SIGTERM);
      int status = 0;
      ::waitpid(child_, &status, 0);
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Starts `investflow serve` on a fresh database; returns its port, or 0.
  int serve() {
    const std::string out = (dir_ / "serve.out").string();
    const std::string db = (dir_ / "zone.db").string();
    child_ = ::fork();
    if (child_ == 0) {
      std::freopen(out.c_str(), "w", stdout);
      std::freopen((dir_ / "serve.err").c_str(), "w", stderr);
      const std::string workflows = std::string(INVESTFLOW_SOURCE_DIR) + "/workflows/definitions";
      ::execl(INVESTFLOW_BINARY, "investflow", "serve", "--db", db.c_str(), "--listen",
              "127.0.0.1:0", "--workflows", workflows.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 300 && child_ > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      FILE* file = std::fopen(out.c_str(), "r");
      if (file == nullptr) continue;
      char line[512] = {};
      const bool read = std::fgets(line, sizeof line, file) != nullptr;
      std::fclose(file);
      const std::string text(line);
      const auto colon = text.find("127.0.0.1:");
      if (read && colon != std::string::npos) return std::atoi(text.c_str() + colon + 10);
    }
    return 0;
  }

  fs::path dir_;
  pid_t child_ = -1;
};

TEST_F(SqliteMetrics, ServeReportsSqliteMemoryWithinItsCacheBudget) {
  const int port = serve();
  ASSERT_GT(port, 0) << "serve did not start";
  const auto metrics = web::testing::fetch(static_cast<std::uint16_t>(port), "GET", "/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  const std::string& text = metrics->body;
  EXPECT_NE(text.find("# TYPE investflow_sqlite_memory_bytes gauge\n"), std::string::npos) << text;
  const double used = sample(text, "investflow_sqlite_memory_bytes");
  const double page_cache = sample(text, "investflow_sqlite_page_cache_bytes");
  const double budget = sample(text, "investflow_sqlite_cache_budget_bytes");
  // Open connections hold their schemas and prepared statements: more than 64 KiB, and far
  // from the caches' limit on a fresh database.
  EXPECT_GT(used, 64 * 1024);
  EXPECT_LT(used, 64 * 1024 * 1024);
  EXPECT_GE(page_cache, 0);
  EXPECT_LE(page_cache, used);
  EXPECT_EQ(budget, 3 * 128.0 * 1024 * 1024 + 6 * 16.0 * 1024 * 1024);
}

}  // namespace
}  // namespace investflow::app
