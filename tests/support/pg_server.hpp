#pragma once
// A private PostgreSQL 15 server for the tests (Debian's postgresql-15): its own temporary
// directory holding the cluster, the server's log and its Unix socket, and no TCP at all,
// so test runs never meet each other or a server the machine already has. Plain POSIX, no
// libpq: the tests bring their own client, and psql/createdb from the same bin directory
// serve the helper.
//
// PostgreSQL refuses to run as root, and CI runs as root: then the directory belongs to
// the `postgres` user (which the Debian package creates) and initdb and postgres run as it.
// The clients (psql, createdb) run as the test process itself, so they reach the server
// the same way the tests' own connections do.

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace investflow::testing {

namespace pg_detail {

inline const std::string kBinDir = "/usr/lib/postgresql/15/bin";

inline std::string bin(const char* tool) {
  return kBinDir + "/" + tool;
}

// Whom a child runs as: the test process itself, or the `postgres` user.
struct Identity {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

struct Spawn {
  std::vector<std::string> argv = {};  // argv[0] is the program's path
  Identity as = {};
  std::string cwd = {};
  int in = -1;   // its stdin; -1: /dev/null
  int out = -1;  // its stdout and stderr; -1: /dev/null
  // A process group of its own (the server: out of the signals aimed at the test's group,
  // a terminal's Ctrl-C, so it stops only the ways chosen below), or a session of its own.
  bool own_group = false;
  bool own_session = false;
};

// The test process's environment without PG* variables: a PGHOST, PGPORT, PGUSER or
// PGOPTIONS meant for another server must not steer the helper's clients.
inline std::vector<std::string> child_environment() {
  std::vector<std::string> env;
  for (char** entry = ::environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "PG", 2) != 0) env.emplace_back(*entry);
  }
  return env;
}

// fork and exec; the pid, or -1. Everything the child needs is prepared before fork: the
// test process may have threads, so the child calls only async-signal-safe functions.
inline pid_t spawn(const Spawn& spec) {
  std::vector<char*> argv;
  for (const std::string& arg : spec.argv)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const std::vector<std::string> env = child_environment();
  std::vector<char*> envp;
  for (const std::string& entry : env)
    envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  auto fail = [](const char* message) {
    (void)!::write(STDERR_FILENO, message, std::strlen(message));
    ::_exit(126);
  };
  if (spec.own_session) {
    ::setsid();
  } else if (spec.own_group) {
    ::setpgid(0, 0);
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);  // a test thread's blocked signals stay there
  const int in = spec.in >= 0 ? spec.in : ::open("/dev/null", O_RDONLY);
  const int out = spec.out >= 0 ? spec.out : ::open("/dev/null", O_WRONLY);
  if (in < 0 || out < 0 || ::dup2(in, STDIN_FILENO) < 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
      ::dup2(out, STDERR_FILENO) < 0) {
    fail("pg_server: cannot set up stdin/stdout\n");
  }
  // Nothing else goes on: a descriptor inherited from the test (a listening socket, the
  // write end of another child's pipe) would stay open as long as the server lives.
  if (::close_range(3, ~0U, 0) != 0) {
    for (int fd = 3; fd < 4096; ++fd)
      ::close(fd);
  }
  if (spec.as.switch_user && (::setgroups(1, &spec.as.gid) != 0 || ::setgid(spec.as.gid) != 0 ||
                              ::setuid(spec.as.uid) != 0)) {
    fail("pg_server: cannot switch to the postgres user\n");
  }
  if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) {
    fail(
        "pg_server: cannot enter the temporary directory (as root: can the postgres user reach "
        "it? see TMPDIR)\n");
  }
  ::execve(argv[0], argv.data(), envp.data());
  fail("pg_server: cannot exec\n");
  return -1;  // not reached
}

inline int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

// Runs a program to its end and returns its exit status as waitpid reports it, with its
// stdout and stderr in *output; -1 when it could not run or was killed after `limit`.
inline int run(const Spawn& spec, std::string* output,
               std::chrono::seconds limit = std::chrono::seconds(60)) {
  output->clear();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
  Spawn with_pipe = spec;
  with_pipe.out = fds[1];
  const pid_t pid = spawn(with_pipe);
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    return -1;
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool killed = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    pollfd fd{fds[0], POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[4096];
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output->append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  const int status = wait_for(pid);
  return killed ? -1 : status;
}

inline std::string describe(int status) {
  if (status == -1) return "could not run or timed out";
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// The last `bytes` of a file, from a line's start: enough of a log to say why.
inline std::string tail(const std::filesystem::path& file, std::size_t bytes = 3000) {
  std::ifstream in(file, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() <= bytes) return text;
  const std::size_t start = text.find('\n', text.size() - bytes);
  return start == std::string::npos ? text.substr(text.size() - bytes) : text.substr(start + 1);
}

// For a URI: everything but RFC 3986's unreserved characters (and '/' when asked) as %XX.
inline std::string percent_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

}  // namespace pg_detail

class PgServer {
 public:
  // Creates a cluster in a fresh temporary directory and starts a server on it, listening
  // on a Unix socket in that directory only; the port (5432, or INVESTFLOW_PG_PORT) only
  // names the socket file. nullptr, with the reason in *why, when PostgreSQL 15 is not
  // installed or does not start; tests then GTEST_SKIP() << why.
  static std::unique_ptr<PgServer> start(std::string* why) {
    std::string ignored;
    if (why == nullptr) why = &ignored;
    for (const char* tool : {"initdb", "postgres", "psql", "createdb"}) {
      if (::access(pg_detail::bin(tool).c_str(), X_OK) != 0) {
        *why = "no " + pg_detail::bin(tool) + " (Debian's postgresql-15 is not installed)";
        return nullptr;
      }
    }
    std::unique_ptr<PgServer> server(new PgServer);
    if (const char* port = std::getenv("INVESTFLOW_PG_PORT"); port != nullptr && *port != 0) {
      char* end = nullptr;
      const long value = std::strtol(port, &end, 10);
      if (*end != 0 || value < 1 || value > 65535) {
        *why = std::string("INVESTFLOW_PG_PORT is not a port number: ") + port;
        return nullptr;
      }
      server->port_ = static_cast<int>(value);
    }
    if (::geteuid() == 0) {
      const passwd* user = ::getpwnam("postgres");
      if (user == nullptr) {
        *why = "running as root, and PostgreSQL refuses root, but there is no postgres user";
        return nullptr;
      }
      server->as_ = {.switch_user = true, .uid = user->pw_uid, .gid = user->pw_gid};
    }

    std::error_code error;
    std::string name =
        (std::filesystem::temp_directory_path(error) / "investflow-pg-XXXXXX").string();
    if (error || ::mkdtemp(name.data()) == nullptr) {
      *why = "cannot create a directory in the temporary directory " + name;
      return nullptr;
    }
    server->dir_ = name;
    // The socket's path must fit sockaddr_un's 108 bytes.
    if (server->dir_.size() + sizeof("/.s.PGSQL.65535") > 108) {
      *why = "the temporary directory's path is too long for a Unix socket: " + server->dir_;
      return nullptr;
    }
    // mkdtemp's 0700 keeps other local users from the socket: whoever connects is a
    // superuser (trust), who can run programs as the server's user (COPY ... TO PROGRAM).
    // As root the directory goes to postgres, and 0711 lets the test process in through the
    // permissions rather than root's override of them; other users get in too then, which
    // a CI machine can afford.
    if (server->as_.switch_user) {
      if (::chown(server->dir_.c_str(), server->as_.uid, server->as_.gid) != 0 ||
          ::chmod(server->dir_.c_str(), 0711) != 0) {
        *why = "cannot give " + server->dir_ + " to the postgres user: " + std::strerror(errno);
        return nullptr;
      }
    }
    if (!server->start_sentinel()) {
      *why = "cannot start the cleanup watcher (/bin/sh)";
      return nullptr;
    }

    // --no-sync: initdb's own flush of the fresh cluster costs seconds on a slow disk and
    // buys nothing for a throwaway directory; the server itself runs with fsync on.
    std::string output;
    const int status = pg_detail::run(
        {.argv = {pg_detail::bin("initdb"), "-D", server->data_dir(), "--auth=trust", "-U",
                  "postgres", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"},
         .as = server->as_,
         .cwd = server->dir_},
        &output, std::chrono::seconds(120));
    if (status != 0) {
      *why = "initdb failed (" + pg_detail::describe(status) + "):\n" + output;
      return nullptr;
    }
    if (!server->launch(why)) {
      // A machine that cannot map 128MB of shared memory (vm.overcommit_memory=2, a small
      // ulimit) still runs the tests with less.
      if (pg_detail::tail(server->log_file()).find("shared memory") == std::string::npos) {
        return nullptr;
      }
      server->shared_buffers_ = "16MB";
      if (!server->launch(why)) return nullptr;
    }
    return server;
  }

  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // Stops the server (stop_fast) and removes its directory.
  ~PgServer() {
    // A forked child of the test that runs exit handlers (static destructors: the shared
    // server) must leave the parent's server alone.
    if (::getpid() != owner_) return;
    try {
      stop_fast();
      if (sentinel_pid_ > 0) {
        ::kill(sentinel_pid_, SIGKILL);
        pg_detail::wait_for(sentinel_pid_);
      }
      if (sentinel_fd_ >= 0) ::close(sentinel_fd_);
      std::error_code ignored;
      if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
    } catch (...) {  // a destructor must not throw; the directory may be left behind
    }
  }

  // libpq's URI for `database` over the socket, as user postgres (trust: no password), e.g.
  // postgresql:///postgres?host=/tmp/investflow-pg-Ab12Cd&port=5432&user=postgres
  std::string uri(const std::string& database = "postgres") const {
    return "postgresql:///" + pg_detail::percent_encode(database, false) +
           "?host=" + pg_detail::percent_encode(dir_, true) + "&port=" + std::to_string(port_) +
           "&user=postgres";
  }
  std::string socket_dir() const { return dir_; }
  int port() const { return port_; }
  std::string log_file() const { return dir_ + "/log"; }
  std::string data_dir() const { return dir_ + "/data"; }

  // Creates an empty database `name` and returns its URI; throws std::runtime_error (the
  // test fails with createdb's message) when it cannot, e.g. when it exists already.
  std::string create_database(const std::string& name) const {
    std::string output;
    const int status =
        pg_detail::run({.argv = {pg_detail::bin("createdb"), "-h", dir_, "-p",
                                 std::to_string(port_), "-U", "postgres", "-w", "--", name}},
                       &output);
    if (status != 0) {
      throw std::runtime_error("createdb " + name + " failed (" + pg_detail::describe(status) +
                               "): " + output);
    }
    return uri(name);
  }

  // Fast shutdown (SIGINT: open sessions are ended, committed work kept) and wait. After
  // 10 s, immediate shutdown (SIGQUIT: the postmaster kills its backends); after 5 s more,
  // SIGKILL (its backends, each in a session of its own, exit when they see it gone).
  // Nothing when stopped.
  void stop_fast() noexcept {
    if (server_pid_ <= 0) return;
    const auto stopped_within = [this](std::chrono::seconds limit) {
      const auto deadline = std::chrono::steady_clock::now() + limit;
      int status = 0;
      pid_t gone = 0;
      while ((gone = ::waitpid(server_pid_, &status, WNOHANG)) == 0 &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      return gone != 0;  // exited, or not ours to wait for any more
    };
    if (!((::kill(server_pid_, SIGINT) == 0 && stopped_within(std::chrono::seconds(10))) ||
          (::kill(server_pid_, SIGQUIT) == 0 && stopped_within(std::chrono::seconds(5))))) {
      ::kill(server_pid_, SIGKILL);
      pg_detail::wait_for(server_pid_);
    }
    server_pid_ = -1;
  }

  // Starts the server again on the same directory and port (stopping it first if it runs);
  // false, with the reason in *why, when it does not come up.
  bool restart(std::string* why = nullptr) {
    std::string ignored;
    stop_fast();
    return launch(why == nullptr ? &ignored : why);
  }

 private:
  PgServer() = default;

  // Starts postgres and waits until it accepts connections (30 s at most).
  bool launch(std::string* why) {
    const int log = ::open(log_file().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) {
      *why = "cannot open " + log_file() + ": " + std::strerror(errno);
      return false;
    }
    const std::string port = std::to_string(port_);
    server_pid_ = pg_detail::spawn(
        {.argv = {pg_detail::bin("postgres"), "-D", data_dir(), "-p", port, "-c",
                  "listen_addresses=", "-c", "unix_socket_directories=\"" + dir_ + "\"", "-c",
                  "unix_socket_permissions=0777", "-c", "fsync=on", "-c", "synchronous_commit=on",
                  "-c", "max_connections=200", "-c", "shared_buffers=" + shared_buffers_},
         .as = as_,
         .cwd = dir_,
         .out = log,
         .own_group = true});
    ::close(log);
    if (server_pid_ < 0) {
      *why = "cannot fork postgres";
      return false;
    }
    // postmaster.pid's 8th line says "ready" once the server accepts connections (what
    // pg_ctl -w waits for); the first line must be our child, not a stale file.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      int status = 0;
      if (::waitpid(server_pid_, &status, WNOHANG) == server_pid_) {
        server_pid_ = -1;
        *why = "postgres stopped at start (" + pg_detail::describe(status) + "); its log:\n" +
               pg_detail::tail(log_file());
        return false;
      }
      std::ifstream pid_file(data_dir() + "/postmaster.pid");
      std::string line;
      std::vector<std::string> lines;
      while (std::getline(pid_file, line)) {
        lines.push_back(line);
      }
      if (lines.size() >= 8 && lines[0] == std::to_string(server_pid_) &&
          lines[7].starts_with("ready")) {
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        stop_fast();
        *why = "postgres was not ready within 30 s; its log:\n" + pg_detail::tail(log_file());
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // One query the way the tests will connect: proves the socket, its permissions and the
    // authentication before the first test depends on them.
    std::string output;
    const int status = pg_detail::run(
        {.argv = {pg_detail::bin("psql"), "-X", "-w", "-At", "-d", uri(), "-c", "select 1"}},
        &output);
    if (status != 0 || output != "1\n") {
      stop_fast();
      *why = "postgres started, but psql " + uri() + " failed (" + pg_detail::describe(status) +
             "): " + output + "\nthe server's log:\n" + pg_detail::tail(log_file());
      return false;
    }
    return true;
  }

  // When the test process dies without its destructors (a crash, SIGKILL from a timeout),
  // nothing would stop the server or remove the directory. A small shell waits for EOF on a
  // pipe whose only write end the test process holds; EOF means the test is gone: it stops
  // whichever postmaster postmaster.pid names (immediate shutdown) and removes the
  // directory. The destructor kills it first. (PR_SET_PDEATHSIG would fire when the
  // *thread* that started the server ends, and would not remove the directory.)
  bool start_sentinel() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    static const std::string kScript =
        "trap '' HUP INT QUIT TERM PIPE\n"
        "while read -r _; do :; done\n"
        "pid=$(head -n 1 \"$1/data/postmaster.pid\" 2>/dev/null)\n"
        "case $pid in ''|*[!0-9]*) ;; *)\n"
        "  if kill -QUIT \"$pid\" 2>/dev/null; then\n"
        "    n=0; while [ $n -lt 100 ] && kill -0 \"$pid\" 2>/dev/null; do\n"
        "      sleep 0.1; n=$((n + 1)); done\n"
        "  fi;;\n"
        "esac\n"
        "rm -rf \"$1\"\n";
    sentinel_pid_ = pg_detail::spawn({.argv = {"/bin/sh", "-c", kScript, "pg_server-cleanup", dir_},
                                      .in = fds[0],
                                      .own_session = true});
    ::close(fds[0]);
    sentinel_fd_ = fds[1];
    return sentinel_pid_ > 0;
  }

  std::string dir_;  // the socket directory; the cluster in data/, the server's log in log
  int port_ = 5432;
  pg_detail::Identity as_;
  std::string shared_buffers_ = "128MB";
  pid_t server_pid_ = -1;
  pid_t sentinel_pid_ = -1;
  int sentinel_fd_ = -1;
  pid_t owner_ = ::getpid();
};

// One server for every test in a test binary, started on first use and stopped when the
// binary exits; nullptr, with the reason in *why, when it cannot start (asked again, the
// same reason: it is tried once). Tests share it, so each creates its own database.
inline PgServer* shared_pg_server(std::string* why) {
  struct Shared {
    std::unique_ptr<PgServer> server;
    std::string why;
  };
  static Shared shared = [] {
    Shared started;
    started.server = PgServer::start(&started.why);
    return started;
  }();
  if (shared.server == nullptr && why != nullptr) *why = shared.why;
  return shared.server.get();
}

// A new database on the shared server for one test; empty without PostgreSQL (then
// pg_skip_reason() says why). `prefix` keeps the suites' databases apart in the server's log.
inline std::string fresh_pg_database(const std::string& prefix = "t") {
  PgServer* server = shared_pg_server(nullptr);
  if (server == nullptr) return {};
  static std::atomic<int> counter{0};
  return server->create_database(prefix + std::to_string(::getpid()) + "_" +
                                 std::to_string(counter++));
}

inline std::string pg_skip_reason() {
  std::string why;
  shared_pg_server(&why);
  return "PostgreSQL 15 cannot start here, so this test cannot run: " + why;
}

}  // namespace investflow::testing

// `const std::string uri` naming a new database, or the test skipped, saying why.
#define PG_DATABASE_OR_SKIP(uri)                                    \
  const std::string uri = investflow::testing::fresh_pg_database(); \
  if (uri.empty()) GTEST_SKIP() << investflow::testing::pg_skip_reason()
