#pragma once
// What the CLI tests in tests/app share: a scratch directory with a database path per test,
// and `investflow serve` started as a child process on that database.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace investflow::testing {

// A fresh directory for each test (named after the test), removed afterwards; db_ is the
// path of a database in it (not created).
class ScratchDirTest : public ::testing::Test {
 protected:
  explicit ScratchDirTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           (prefix_ + "-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "zone.db").string();
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  // Writes `text` to dir_/name and returns the path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::string prefix_;
  std::filesystem::path dir_;
  std::string db_;
};

// `investflow serve --db DB --listen 127.0.0.1:0 --workflows <shipped> EXTRA...` as a child
// process, its stdout and stderr in DIR/NAME.out and NAME.err. port is 0 when it did not
// start within 15 s.
struct ServedChild {
  pid_t pid = -1;
  int port = 0;
  std::string out;  // the file with its stdout (spdlog's lines)
  std::string err;  // the file with its stderr

  // SIGTERM, then the exit status (as waitpid reports it); -1 when it cannot be had.
  int stop() const {
    if (pid <= 0 || ::kill(pid, SIGTERM) != 0) return -1;
    int status = 0;
    return ::waitpid(pid, &status, 0) == pid ? status : -1;
  }
};

inline ServedChild start_serve(const std::string& binary, const std::string& db,
                               const std::filesystem::path& dir, const std::string& workflows,
                               const std::vector<std::string>& extra = {},
                               const std::string& name = "serve") {
  ServedChild served{.out = (dir / (name + ".out")).string(),
                     .err = (dir / (name + ".err")).string()};
  std::vector<std::string> args = {"investflow", "serve",       "--db",        db,
                                   "--listen",   "127.0.0.1:0", "--workflows", workflows};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (std::string& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  served.pid = ::fork();
  if (served.pid == 0) {
    std::freopen(served.out.c_str(), "w", stdout);
    std::freopen(served.err.c_str(), "w", stderr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  for (int i = 0; i < 300 && served.pid > 0 && served.port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(served.out);
    std::string line;
    if (std::getline(in, line) && line.find("127.0.0.1:") != std::string::npos) {
      served.port = std::atoi(line.c_str() + line.find("127.0.0.1:") + 10);
    }
  }
  return served;
}

}  // namespace investflow::testing
