// The PostgreSQL store (issue 21): durable transitions per second and their p99 with 1, 2
// and 4 server processes on one database, 64 callers in all (each waiting for its
// acknowledgement before its next command, as HTTP clients do), split evenly over the
// processes; then one project's read and a filtered list page. Prints `name: value unit`
// lines:
//   pg_transitions_per_s_<N>proc   pg_p99_ms_<N>proc   pg_get_project_ms   pg_list_ms
//
// Environment: INVESTFLOW_BENCH_PG_URI (a database to use, e.g. a seeded file `investflow
// copy`-ed there; each run adds projects of its own, so one may be measured again; by
// default a private PostgreSQL 15 is started in a temporary directory, as the tests do),
// INVESTFLOW_BENCH_SECONDS (per run, default 5), INVESTFLOW_BENCH_CALLERS (default 64),
// INVESTFLOW_BENCH_PROCESSES (one count of processes instead of 1, 2 and 4).

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"
#include "storage/pg_store.hpp"
#include "tests/support/pg_server.hpp"

namespace {

using namespace investflow;         // NOLINT: a benchmark program
using namespace investflow::bench;  // NOLINT: a benchmark program
using Clock = std::chrono::steady_clock;

std::unique_ptr<storage::Store> open_pg(const std::string& uri,
                                        const workflows::WorkflowLoad& load) {
  auto store = storage::open_pg_store(uri);
  if (!store) {
    std::fprintf(stderr, "open: %s\n", store.error().message.c_str());
    std::_Exit(1);
  }
  if (!(*store)->register_workflow(load.workflow, load.source)) std::_Exit(1);
  return std::move(*store);
}

// One server process's part: `callers` projects moved negotiating <-> preliminary_review
// from `start` for `seconds`. Writes the count and every latency (ms) to `out`.
// The bench's projects: new ones at each run (a database may be measured again).
std::string project_prefix(int processes) {
  static const std::string run = std::to_string(getpid());
  return "PG" + run + "-" + std::to_string(processes) + "-";
}

void run_process(const std::string& uri, const workflows::WorkflowLoad& load, int process,
                 int processes, int callers, Clock::time_point start, double seconds, int out) {
  auto store = open_pg(uri, load);
  std::vector<std::int64_t> versions;
  const auto id_of = [&](int i) {
    return project_prefix(processes) + std::to_string(process) + "-" + std::to_string(i);
  };
  for (int i = 0; i < callers; ++i)
    versions.push_back(prepare_project(*store, id_of(i)));
  std::this_thread::sleep_until(start);
  const auto stop_at =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(callers));
  std::atomic<long> failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < callers; ++i) {
    threads.emplace_back([&, i] {
      const std::string id = id_of(i);
      std::int64_t version = versions[static_cast<std::size_t>(i)];
      auto& mine = latencies[static_cast<std::size_t>(i)];
      for (bool in_review = false; Clock::now() < stop_at; in_review = !in_review) {
        storage::WriteRequest request =
            in_review
                ? request_of(command(id, version, {"return_from_preliminary", {}, "补充材料"}),
                             {"secretariat-01", {"secretariat"}})
                : request_of(command(id, version, {"submit_for_review", {}, ""}),
                             {"staff-01", {"staff"}});
        const auto sent = Clock::now();
        const storage::WriteResult result = store->write(std::move(request)).get();
        if (!result.accepted()) {
          ++failed;
          return;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        version = result.version;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  if (failed > 0) std::fprintf(stderr, "%ld callers stopped on a refused command\n", failed.load());
  std::vector<double> all;
  for (const auto& mine : latencies)
    all.insert(all.end(), mine.begin(), mine.end());
  const long count = static_cast<long>(all.size());
  if (write(out, &count, sizeof count) != sizeof count) std::_Exit(1);
  const auto bytes = static_cast<ssize_t>(all.size() * sizeof(double));
  if (bytes > 0 && write(out, all.data(), static_cast<std::size_t>(bytes)) != bytes) std::_Exit(1);
}

bool read_all(int fd, void* data, std::size_t size) {
  auto* bytes = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t n = read(fd, bytes, size);
    if (n <= 0) return false;
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

void transitions(const std::string& uri, const workflows::WorkflowLoad& load, int processes,
                 int callers, double seconds) {
  const auto start = Clock::now() + std::chrono::seconds(4);  // every process prepared by then
  std::vector<std::pair<pid_t, int>> children;
  for (int p = 0; p < processes; ++p) {
    int fds[2];
    if (pipe(fds) != 0) std::_Exit(1);
    const pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      run_process(uri, load, p, processes, callers / processes, start, seconds, fds[1]);
      std::_Exit(0);
    }
    close(fds[1]);
    children.emplace_back(pid, fds[0]);
  }
  std::vector<double> all;
  for (const auto& [pid, fd] : children) {
    long count = 0;
    if (read_all(fd, &count, sizeof count)) {
      std::vector<double> part(static_cast<std::size_t>(count));
      if (read_all(fd, part.data(), part.size() * sizeof(double))) {
        all.insert(all.end(), part.begin(), part.end());
      }
    }
    close(fd);
    int status = 0;
    waitpid(pid, &status, 0);
  }
  std::sort(all.begin(), all.end());
  const double p99 = all.empty() ? 0 : all[all.size() * 99 / 100];
  std::printf("pg_transitions_per_s_%dproc: %.0f transitions/s\n", processes,
              static_cast<double>(all.size()) / seconds);
  std::printf("pg_p99_ms_%dproc: %.1f ms\n", processes, p99);
  std::fflush(stdout);
}

double median_ms(const std::function<bool()>& run) {
  std::vector<double> times;
  for (int i = 0; i < 25; ++i) {
    const auto start = Clock::now();
    if (!run()) std::_Exit(1);
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main() {
  const auto load = load_qingyuan();
  if (!load.workflow) {
    std::fprintf(stderr, "cannot load the qingyuan-investment workflow\n");
    return 1;
  }
  std::unique_ptr<investflow::testing::PgServer> server;
  std::string uri =
      std::getenv("INVESTFLOW_BENCH_PG_URI") ? std::getenv("INVESTFLOW_BENCH_PG_URI") : "";
  if (uri.empty()) {
    std::string why;
    server = investflow::testing::PgServer::start(&why);
    if (!server) {
      std::fprintf(stderr, "cannot start PostgreSQL: %s\n", why.c_str());
      return 1;
    }
    uri = server->create_database("bench");
  }
  if (auto version = storage::init_pg_database(uri); !version) {
    std::fprintf(stderr, "init: %s\n", version.error().message.c_str());
    return 1;
  }
  const double seconds = static_cast<double>(env_number("INVESTFLOW_BENCH_SECONDS", 5));
  const int callers = static_cast<int>(env_number("INVESTFLOW_BENCH_CALLERS", 64));
  std::vector<int> counts = {1, 2, 4};
  if (const char* only = std::getenv("INVESTFLOW_BENCH_PROCESSES")) counts = {std::atoi(only)};
  (void)project_prefix(0);  // the run's tag, taken before the processes are forked
  for (const int processes : counts)
    transitions(uri, load, processes, callers, seconds);

  auto store = open_pg(uri, load);
  std::printf("pg_get_project_ms: %.2f ms\n", median_ms([&] {
                auto project = store->project(project_prefix(counts.front()) + "0-0");
                return project && *project;
              }));
  storage::ProjectQuery query;
  query.state = "negotiating";
  std::printf("pg_list_ms: %.2f ms\n",
              median_ms([&] { return bool(store->list_projects(query)); }));
  return 0;
}
