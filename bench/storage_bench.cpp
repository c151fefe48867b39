// Storage benchmarks. Prints `name: value unit` lines:
//   storage_transitions_per_s              durable (synchronous=FULL) transitions per second,
//                                          64 concurrent callers through the group-commit queue
//   storage_transitions_per_s_single_commit the same callers, one commit (and one WAL flush
//                                          inside it) per transition
//   storage_transitions_per_s_synchronous_normal  grouped, without fsync per commit (shows
//                                          how much of the time is CPU and how much disk)
//   storage_seed_commands_per_s            the seeder's throughput (synchronous=OFF)
//   storage_list_ms                        one filtered page (state, newest first, 50 rows)
//   storage_list_industry_ms, storage_search_ms, storage_overdue_ms: other list queries
//   storage_ledger_*_ms                    the service desk's ledger (issue 17): the items of
//                                          service-problem, unfiltered and by unit, category,
//                                          state, overdue and the parent's promoting unit
//
// Environment: INVESTFLOW_BENCH_PROJECTS (projects seeded for the list queries, default
// 100000; the bar is measured at 1000000), INVESTFLOW_BENCH_SECONDS (seconds per
// throughput run, default 3; 0 skips the throughput runs), INVESTFLOW_BENCH_DIR (where to
// put the databases, default the system temp directory), INVESTFLOW_BENCH_DB (the database
// for the list queries, kept afterwards: if the file exists (made by `investflow seed` or
// an earlier run) it is used as it is, otherwise it is seeded first; a million projects
// take a while to seed, so measure again without re-seeding). INVESTFLOW_BENCH_PROBLEMS:
// service problems raised under the seeded projects when the database has none (default a
// tenth of the projects; the bar: 100,000 on 1,000,000 projects).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "bench/bench_support.hpp"
#include "storage/seed.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/system_clock.hpp"
#include "workflows/loader.hpp"

namespace {

using namespace investflow;         // NOLINT: a benchmark program
using namespace investflow::bench;  // NOLINT: a benchmark program
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

workflows::WorkflowLoad load_problems() {
  const fs::path file =
      workflows::shipped_workflows_directory() / "definitions" / "service-problem.yaml";
  workflows::CalendarRegistry calendars;
  (void)workflows::load_calendar_directory(workflows::calendars_directory_for(file), calendars);
  return workflows::load_workflow_file(file, calendars);
}

std::unique_ptr<storage::Store> open(const fs::path& db, const workflows::WorkflowLoad& load,
                                     storage::SqliteOptions options) {
  auto store = storage::open_sqlite_store(db, options);
  if (!store) {
    std::fprintf(stderr, "open %s: %s\n", db.c_str(), store.error().message.c_str());
    std::exit(1);
  }
  if (!(*store)->register_workflow(load.workflow, load.source)) std::exit(1);
  return std::move(*store);
}

// 64 callers, each moving its own project negotiating <-> preliminary_review, each waiting
// for its acknowledgement before the next command (as HTTP clients do).
double transitions_per_second(const fs::path& db, const workflows::WorkflowLoad& load,
                              std::size_t max_batch, double seconds,
                              storage::Synchronous synchronous = storage::Synchronous::full) {
  storage::SqliteOptions options;
  options.synchronous = synchronous;
  options.max_batch = max_batch;
  // The baseline is the naive store: one transaction and one flush per command.
  options.overlap_flush = max_batch > 1;
  // INVESTFLOW_BENCH_JSON_CACHE=0 measures the writer without publishing projects' JSON.
  options.json_cache_bytes = static_cast<std::size_t>(
      env_number("INVESTFLOW_BENCH_JSON_CACHE", static_cast<long>(options.json_cache_bytes)));
  auto store = open(db, load, options);
  const int kCallers = static_cast<int>(env_number("INVESTFLOW_BENCH_CALLERS", 64));
  std::vector<std::int64_t> versions;
  for (int i = 0; i < kCallers; ++i) {
    versions.push_back(
        prepare_project(*store, "B-" + std::to_string(max_batch) + "-" + std::to_string(i)));
  }
  std::atomic<bool> stop{false};
  std::atomic<long> done{0};
  std::atomic<long> failed{0};
  std::vector<std::thread> callers;
  const auto start = Clock::now();
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      const std::string id = "B-" + std::to_string(max_batch) + "-" + std::to_string(i);
      std::int64_t version = versions[static_cast<std::size_t>(i)];
      for (bool in_review = false; !stop; in_review = !in_review) {
        storage::WriteRequest request;
        if (in_review) {
          request = request_of(command(id, version, {"return_from_preliminary", {}, "补充材料"}),
                               {"secretariat-01", {"secretariat"}});
        } else {
          request = request_of(command(id, version, {"submit_for_review", {}, ""}),
                               {"staff-01", {"staff"}});
        }
        const storage::WriteResult result = store->write(std::move(request)).get();
        if (!result.accepted()) {
          ++failed;
          return;
        }
        version = result.version;
        ++done;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& caller : callers)
    caller.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed > 0)
    std::fprintf(stderr, "%ld callers stopped on a rejected command\n", failed.load());
  return static_cast<double>(done) / elapsed;
}

double median_ms(storage::Store& store, const storage::ProjectQuery& query) {
  std::vector<double> times;
  for (int run = 0; run < 25; ++run) {
    const auto start = Clock::now();
    auto page = store.list_projects(query);
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!page) {
      std::fprintf(stderr, "list: %s\n", page.error().message.c_str());
      std::exit(1);
    }
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// Raises `count` problems spread over the first projects of the store (a parent every
// 10th project, as a zone with a tenth of its projects under follow-up), 1,000 per batch.
void raise_problems(storage::Store& store, long count) {
  static constexpr const char* kCategories[] = {"land",      "planning",  "environment_energy",
                                                "utilities", "financing", "talent",
                                                "approval",  "other"};
  static constexpr const char* kUnits[] = {"development_reform",
                                           "natural_resources",
                                           "ecology_environment",
                                           "housing_construction",
                                           "emergency_management",
                                           "administrative_approval",
                                           "finance",
                                           "human_resources",
                                           "science_technology",
                                           "investment_promotion",
                                           "utilities_supply",
                                           "enterprise_service"};
  storage::ProjectQuery parents;
  parents.workflow = "qingyuan-investment";
  parents.sort = storage::SortKey::created;
  parents.limit = 500;
  std::vector<std::string> ids;
  while (static_cast<long>(ids.size()) * 4 < count) {
    auto page = store.list_projects(parents);
    if (!page) std::exit(1);
    for (const auto& project : page->projects) {
      if (project.state != "rejected" && project.state != "withdrawn" &&
          project.state != "exited") {
        ids.push_back(project.id);
      }
    }
    if (page->next_cursor.empty()) break;
    parents.cursor = page->next_cursor;
  }
  if (ids.empty()) return;
  std::mt19937 random(7);
  const engine::Actor actor{"bench", {"staff", "manager"}};
  std::vector<storage::WriteRequest> batch;
  for (long i = 0; i < count; ++i) {
    storage::WriteRequest request;
    request.command.project_id = "SP-" + std::to_string(1000000 + i);
    engine::FieldMap fields{
        {"title", engine::Value::text("企业诉求 " + std::to_string(i))},
        {"category", engine::Value::text(kCategories[random() % std::size(kCategories)])},
        {"responsible_unit", engine::Value::text(kUnits[random() % std::size(kUnits)])},
        {"raised_on", engine::Value::date(engine::Date(20400 + static_cast<int>(random() % 300)))}};
    request.command.body =
        engine::CreateProject{"", std::move(fields), ids[static_cast<std::size_t>(i) % ids.size()]};
    request.actor = actor;
    request.workflow = "service-problem";
    batch.push_back(std::move(request));
    if (batch.size() == 1000 || i + 1 == count) {
      for (auto& result : store.write_atomic(std::move(batch)).get()) {
        if (!result.accepted()) {
          std::fprintf(stderr, "raising a problem failed: %s\n",
                       result.rejection.reasons.empty()
                           ? result.error.c_str()
                           : result.rejection.reasons.front().code.c_str());
          std::exit(1);
        }
      }
      batch.clear();
    }
  }
}

void ledger_queries(storage::Store& store, engine::Date today) {
  storage::ProjectQuery ledger;
  ledger.workflow = "service-problem";
  ledger.items = true;  // as GET /api/projects sets it for a workflow with parent:
  std::printf("storage_ledger_ms: %.2f ms\n", median_ms(store, ledger));
  storage::ProjectQuery by_unit = ledger;
  by_unit.responsible_unit = "natural_resources";
  std::printf("storage_ledger_unit_ms: %.2f ms\n", median_ms(store, by_unit));
  storage::ProjectQuery by_category = ledger;
  by_category.problem_category = "financing";
  by_category.state = "assigned";
  std::printf("storage_ledger_category_state_ms: %.2f ms\n", median_ms(store, by_category));
  storage::ProjectQuery by_parent_unit = ledger;
  by_parent_unit.parent_promoting_unit = "招商一科";
  by_parent_unit.responsible_unit = "finance";
  std::printf("storage_ledger_promoting_unit_ms: %.2f ms\n", median_ms(store, by_parent_unit));
  storage::ProjectQuery overdue = ledger;
  overdue.overdue_on = today;
  overdue.sort = storage::SortKey::due;
  overdue.descending = false;
  std::printf("storage_ledger_overdue_ms: %.2f ms\n", median_ms(store, overdue));
}

}  // namespace

int main() {
  const auto load = load_qingyuan();
  if (!load.workflow) {
    std::fprintf(stderr, "cannot load the qingyuan-investment workflow\n");
    return 1;
  }
  const fs::path dir =
      fs::path(std::getenv("INVESTFLOW_BENCH_DIR") ? std::getenv("INVESTFLOW_BENCH_DIR")
                                                   : fs::temp_directory_path().c_str()) /
      ("investflow-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const double seconds = static_cast<double>(env_number("INVESTFLOW_BENCH_SECONDS", 3));
  const long projects = env_number("INVESTFLOW_BENCH_PROJECTS", 100000);

  if (seconds > 0) {
    const double grouped = transitions_per_second(dir / "grouped.db", load, 1024, seconds);
    std::printf("storage_transitions_per_s: %.0f transitions/s\n", grouped);
    std::fflush(stdout);
    const double single = transitions_per_second(dir / "single.db", load, 1, seconds);
    std::printf("storage_transitions_per_s_single_commit: %.0f transitions/s\n", single);
    const double normal = transitions_per_second(dir / "normal.db", load, 1024, seconds,
                                                 storage::Synchronous::normal);
    std::printf("storage_transitions_per_s_synchronous_normal: %.0f transitions/s\n", normal);
    std::fflush(stdout);
  }

  storage::SqliteOptions options;
  options.synchronous = storage::Synchronous::off;
  const char* kept = std::getenv("INVESTFLOW_BENCH_DB");
  const fs::path seeded = kept != nullptr ? fs::path(kept) : dir / "seeded.db";
  const bool reuse = fs::exists(seeded);
  auto store = open(seeded, load, options);
  const auto problems = load_problems();
  if (!problems.workflow || !store->register_workflow(problems.workflow, problems.source)) {
    std::fprintf(stderr, "cannot load the service-problem workflow\n");
    return 1;
  }
  storage::SeedOptions seed;
  seed.now = storage::SystemClock().now();
  if (reuse) {
    const auto all = median_ms(*store, storage::ProjectQuery{});  // warms the page cache
    std::printf("storage_list_db: %s (first page of all projects: %.2f ms)\n", seeded.c_str(), all);
  } else {
    seed.projects = static_cast<int>(projects);
    const auto start = Clock::now();
    auto report = storage::seed_projects(*store, *load.workflow, seed, [&](int done, int total) {
      if (done % 50000 == 0) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        std::fprintf(stderr, "seeded %d of %d projects in %.0f s\n", done, total, elapsed);
      }
    });
    const double seed_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (!report || report->failed > 0) {
      std::fprintf(stderr, "seeding failed\n");
      return 1;
    }
    std::printf("storage_seed_commands_per_s: %.0f commands/s (%ld projects, %lld commands)\n",
                static_cast<double>(report->commands) / seed_seconds, projects,
                static_cast<long long>(report->commands));
  }

  storage::ProjectQuery by_state;
  by_state.state = "under_construction";
  std::printf("storage_list_ms: %.2f ms\n", median_ms(*store, by_state));
  storage::ProjectQuery by_industry;
  by_industry.industry = "electronics";
  by_industry.state = "negotiating";
  by_industry.sort = storage::SortKey::investment;
  std::printf("storage_list_industry_ms: %.2f ms\n", median_ms(*store, by_industry));
  storage::ProjectQuery search;
  search.text = "新材料";
  std::printf("storage_search_ms: %.2f ms\n", median_ms(*store, search));
  storage::ProjectQuery overdue;
  overdue.overdue_on = engine::local_date(seed.now);
  overdue.sort = storage::SortKey::due;
  overdue.descending = false;
  std::printf("storage_overdue_ms: %.2f ms\n", median_ms(*store, overdue));

  storage::ProjectQuery any_problem;
  any_problem.workflow = "service-problem";
  any_problem.limit = 1;
  if (auto page = store->list_projects(any_problem); page && page->projects.empty()) {
    const auto start = Clock::now();
    raise_problems(*store, env_number("INVESTFLOW_BENCH_PROBLEMS", projects / 10));
    std::fprintf(stderr, "raised problems in %.0f s\n",
                 std::chrono::duration<double>(Clock::now() - start).count());
  }
  ledger_queries(*store, engine::local_date(seed.now));

  store.reset();
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return 0;
}
