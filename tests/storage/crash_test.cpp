// kill -9 during writes: every transition the store acknowledged must be in the database
// exactly once after a restart, with its notifications, and every hash chain must verify.
// The child (crash_writer.cpp) prints each acknowledgement; we SIGKILL it at random moments.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <sstream>

#include "storage/operations.hpp"
#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

struct Ack {
  std::string project;
  std::int64_t version = 0;
  std::string what;
};

// Runs the child until `lifetime`, kills it, and returns every complete line it printed.
std::string run_and_kill(const std::filesystem::path& db, int round,
                         std::chrono::milliseconds lifetime) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    const std::string round_text = std::to_string(round);
    execl(INVESTFLOW_CRASH_WRITER, "storage_crash_writer", db.c_str(), round_text.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + lifetime;
  bool killed = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!killed && left.count() <= 0) {
      kill(pid, SIGKILL);
      killed = true;
    }
    pollfd fd{fds[0], POLLIN, 0};
    poll(&fd, 1, killed ? 1000 : static_cast<int>(std::max<long long>(left.count(), 1)));
    if ((fd.revents & (POLLIN | POLLHUP)) == 0) continue;
    char buffer[4096];
    const ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n <= 0) break;  // the child is gone and the pipe drained
    output.append(buffer, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  // A line cut by the kill was never fully acknowledged.
  output.resize(output.rfind('\n') == std::string::npos ? 0 : output.rfind('\n') + 1);
  return output;
}

std::vector<Ack> parse_acks(const std::string& output) {
  std::vector<Ack> acks;
  std::istringstream lines(output);
  std::string word;
  Ack ack;
  while (lines >> word >> ack.project >> ack.version >> ack.what) {
    if (word == "ACK") acks.push_back(ack);
  }
  return acks;
}

TEST(Crash, AcknowledgedTransitionsSurviveKillNine) {
  TempDir dir;
  const auto db = dir.file("crash.db");
  std::random_device device;
  const unsigned seed = device();
  std::mt19937 random(seed);
  SCOPED_TRACE("random seed " + std::to_string(seed));
  std::uniform_int_distribution<int> lifetime_ms(150, 900);

  std::size_t total_acks = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int round = 0; round < 15; ++round) {
    const std::string output =
        run_and_kill(db, round, std::chrono::milliseconds(lifetime_ms(random)));
    const std::vector<Ack> acks = parse_acks(output);
    total_acks += acks.size();

    SQLite::Database check(db, SQLite::OPEN_READONLY);
    SQLite::Statement event(check,
                            "SELECT count(*), max(payload), max(id) FROM events "
                            "WHERE project_id = ? AND seq = ?");
    SQLite::Statement outbox(check, "SELECT count(*) FROM outbox WHERE event_id = ?");
    for (const Ack& ack : acks) {
      event.reset();
      event.bind(1, ack.project);
      event.bind(2, ack.version);
      ASSERT_TRUE(event.executeStep());
      ASSERT_EQ(event.getColumn(0).getInt(), 1)
          << "round " << round << ": acknowledged " << ack.project << " v" << ack.version
          << " is missing";
      if (ack.what != "create") {
        EXPECT_NE(event.getColumn(1).getString().find("\"transition\":\"" + ack.what + "\""),
                  std::string::npos);
      }
      if (ack.what == "submit") {  // entering review notifies by inbox and webhook
        outbox.reset();
        outbox.bind(1, event.getColumn(2).getInt64());
        ASSERT_TRUE(outbox.executeStep());
        EXPECT_EQ(outbox.getColumn(0).getInt(), 2);
      }
    }
  }
  EXPECT_GT(total_acks, 50u) << "the child hardly wrote anything; the test proves little";
  auto report = verify_database(db);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problems.front().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(45));
}

}  // namespace
}  // namespace investflow::storage
