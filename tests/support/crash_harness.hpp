#pragma once
// kill -9 tests. The child, crash_writer (tests/support/crash_writer.cpp), commits
// transitions through the store and prints one line per acknowledged command,
// "ACK <project> <version> <create|submit|back>", flushed at once; run_and_kill SIGKILLs it
// at a moment the test chose and returns those acknowledgements, so the test can check that
// each one survived (tests/storage/crash_test.cpp: in the database with its notifications;
// tests/notify/crash_test.cpp: delivered to a webhook).

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace investflow::testing {

// What crash_writer does besides writing: nothing (store), or run the webhook dispatcher.
enum class CrashWriterMode { store, deliver };

struct Ack {
  std::string project;
  std::int64_t version = 0;
  std::string what;  // create, or the transition taken
};

namespace crash_detail {

inline std::vector<Ack> parse_acks(const std::string& output) {
  std::vector<Ack> acks;
  std::istringstream lines(output);
  std::string word;
  Ack ack;
  while (lines >> word >> ack.project >> ack.version >> ack.what) {
    if (word == "ACK") acks.push_back(ack);
  }
  return acks;
}

}  // namespace crash_detail

// Runs crash_writer on `db` (round `round` names its projects R<round>-T<thread>) until
// `lifetime` after it said READY (its store open, so the database exists whatever the
// machine's load), kills it with SIGKILL, and returns the acknowledgements of every complete
// line it printed: a line cut by the kill was never fully acknowledged. A child that is not
// ready within a minute is killed too, and its output holds no acknowledgement.
inline std::vector<Ack> run_and_kill(CrashWriterMode mode, const std::filesystem::path& db,
                                     int round, std::chrono::milliseconds lifetime) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    const std::string round_text = std::to_string(round);
    execl(INVESTFLOW_CRASH_WRITER, "crash_writer",
          mode == CrashWriterMode::deliver ? "deliver" : "store", db.c_str(), round_text.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string output;
  constexpr std::string_view kReady = "READY\n";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  bool ready = false;
  bool killed = false;
  for (;;) {
    if (!ready && output.size() >= kReady.size()) {
      ready = true;
      deadline = std::chrono::steady_clock::now() + lifetime;
    }
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
  if (!ready || output.compare(0, kReady.size(), kReady) != 0) return {};
  output.erase(0, kReady.size());
  output.resize(output.rfind('\n') == std::string::npos ? 0 : output.rfind('\n') + 1);
  return crash_detail::parse_acks(output);
}

}  // namespace investflow::testing
