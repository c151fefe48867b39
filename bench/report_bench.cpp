// Report benchmarks, warm (median of 21 runs after one to fill the page cache). Prints
// `name: value unit` lines:
//   report_db                 the database measured: projects and events
//   report_pipeline_ms        the whole pipeline of qingyuan-investment, every stage
//   report_pipeline_filtered_ms  the same for one industry and promoting unit
//   report_funnel_ms          the funnel of the projects created in the last 365 days
//   report_kpis_ms            the KPIs of the last 365 days
//   report_period_ms          the period summary of the last 90 days, every workflow
//   report_figure_count_ms    kpis (issue 16): a drill-down's count (signed in 365 days)
//   report_overdue_start_ms   the 超时限未开工 count and list of qingyuan-investment
//   report_problems_ms        the service desk's figures (GET /api/reports/problems) over the
//                             problems raised in the last 365 days (seed --problems N makes
//                             them; the bar: < 50 ms at 100,000 on 1,000,000 projects)
//   report_monthly_ms         the monthly report (every sheet, in memory) of the current month
//   report_monthly_xlsx_ms    the same written as an XLSX file as the API and CLI write it
//                             (write_monthly_xlsx: lists streamed as they are read; the bar:
//                             < 2 s at 1,000,000; median of 3)
//   report_monthly_xlsx_cells_ms  the way before: every sheet made in memory, then written
//                             (monthly_report + write_xlsx; median of 3)
//
// Environment: INVESTFLOW_BENCH_DB (a database made by `investflow seed`: a SQLite file, or a
// postgresql:// URI to measure the same reports on PostgreSQL; used as it is after migrating
// it, which fills the report summaries of an older one from its events; one with no
// projects is seeded), INVESTFLOW_BENCH_PROJECTS (projects to seed then, default 50000; the
// issue's bar is measured at 1,000,000), INVESTFLOW_BENCH_DIR (where, for a new file).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "storage/figures.hpp"
#include "storage/monthly_report.hpp"
#include "storage/pg_store.hpp"
#include "storage/problem_report.hpp"
#include "storage/reports.hpp"
#include "storage/seed.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/system_clock.hpp"
#include "workflows/loader.hpp"

namespace {

using namespace investflow;  // NOLINT: a benchmark program
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

long env_number(const char* name, long fallback) {
  const char* text = std::getenv(name);
  return text == nullptr ? fallback : std::strtol(text, nullptr, 10);
}

template <class Query>
double median_ms(storage::ReportReader& reader, Query query) {
  (void)reader.run(query);  // warm
  std::vector<double> times;
  for (int i = 0; i < 21; ++i) {
    const auto start = Clock::now();
    auto result = reader.run(query);
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!result) {
      std::fprintf(stderr, "report failed: %s\n", result.error().message.c_str());
      std::exit(1);
    }
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main() {
  workflows::CalendarRegistry calendars;
  (void)workflows::load_calendar_directory(workflows::shipped_workflows_directory() / "calendars",
                                           calendars);
  const fs::path file =
      workflows::shipped_workflows_directory() / "definitions" / "qingyuan-investment.yaml";
  const auto load = workflows::load_workflow_file(file, calendars);
  if (!load.workflow) {
    std::fprintf(stderr, "cannot load the qingyuan-investment workflow\n");
    return 1;
  }
  const char* kept = std::getenv("INVESTFLOW_BENCH_DB");
  const fs::path dir =
      fs::path(std::getenv("INVESTFLOW_BENCH_DIR") ? std::getenv("INVESTFLOW_BENCH_DIR")
                                                   : fs::temp_directory_path().c_str()) /
      ("investflow-report-bench-" + std::to_string(::getpid()));
  // A SQLite file, or a postgresql:// URI (then the same reports run on PostgreSQL).
  const std::string db = kept != nullptr ? std::string(kept) : (dir / "reports.db").string();
  const bool postgres = storage::is_postgres_uri(db);
  const engine::Timestamp now = storage::SystemClock().now();
  {
    if (kept == nullptr) fs::create_directories(dir);
    const auto start = Clock::now();
    storage::SqliteOptions options;
    options.synchronous = storage::Synchronous::off;
    auto store =  // migrates (and backfills)
        postgres ? storage::open_pg_store(db) : storage::open_sqlite_store(db, options);
    if (!store) {
      std::fprintf(stderr, "open %s: %s\n", db.c_str(), store.error().message.c_str());
      return 1;
    }
    auto existing = storage::open_sql_database(db, true);
    auto count = existing->statement("SELECT COUNT(*) FROM projects");
    const bool reuse = count->executeStep() && count->getColumn(0).getInt64() > 0;
    if (reuse) {
      std::fprintf(stderr, "opened %s in %.1f s\n", db.c_str(),
                   std::chrono::duration<double>(Clock::now() - start).count());
    } else {
      (void)(*store)->register_workflow(load.workflow, load.source);
      storage::SeedOptions seed;
      seed.projects = static_cast<int>(env_number("INVESTFLOW_BENCH_PROJECTS", 50000));
      seed.now = now;
      auto report = storage::seed_projects(**store, *load.workflow, seed);
      if (!report || report->failed > 0) {
        std::fprintf(stderr, "seeding failed\n");
        return 1;
      }
    }
  }
  {
    auto counts = storage::open_sql_database(db, true);
    auto projects = counts->statement("SELECT COUNT(*) FROM projects");
    projects->executeStep();
    auto events = counts->statement("SELECT MAX(id) FROM events");
    events->executeStep();
    std::printf("report_db: %s (%lld projects, %lld events)\n",
                postgres ? storage::redact_uri(db).c_str() : db.c_str(),
                static_cast<long long>(projects->getColumn(0).getInt64()),
                static_cast<long long>(events->getColumn(0).getInt64()));
  }

  storage::ReportReader reader(db, 1);
  const engine::Workflow& workflow = *load.workflow;
  const engine::Date today = engine::local_date(now);
  const storage::ReportPeriod year{today.plus_days(-365), today};
  const storage::ReportPeriod quarter{today.plus_days(-90), today};
  std::printf("report_pipeline_ms: %.2f ms\n", median_ms(reader, [&](storage::SqlDatabase& c) {
                return storage::pipeline_report(c, workflow, {});
              }));
  storage::PipelineFilter filter;
  filter.industry = "electronics";
  filter.promoting_unit = "招商一科";
  std::printf("report_pipeline_filtered_ms: %.2f ms\n",
              median_ms(reader, [&](storage::SqlDatabase& c) {
                return storage::pipeline_report(c, workflow, filter);
              }));
  std::printf("report_funnel_ms: %.2f ms\n", median_ms(reader, [&](storage::SqlDatabase& c) {
                return storage::funnel_report(c, workflow, year);
              }));
  std::printf("report_kpis_ms: %.2f ms\n", median_ms(reader, [&](storage::SqlDatabase& c) {
                return storage::kpi_report(c, workflow, year, today);
              }));
  auto all = reader.run(
      [&](storage::SqlDatabase& c) { return storage::load_report_workflows(c, calendars); });
  if (!all) return 1;
  std::printf("report_period_ms: %.2f ms\n", median_ms(reader, [&](storage::SqlDatabase& c) {
                return storage::period_report(c, *all, quarter);
              }));
  std::printf("report_figure_count_ms: %.2f ms\n", median_ms(reader, [&](storage::SqlDatabase& c) {
                storage::FigureQuery query;
                query.figure = "signed";
                query.period = year;
                query.workflow = workflow.id;
                query.today = today;
                return storage::figure_count(c, query);
              }));
  std::printf("report_overdue_start_ms: %.2f ms\n", median_ms(reader, [&](storage::SqlDatabase& c) {
                return storage::kpi_report(c, workflow, {today, today}, today);
              }));
  const storage::Workflows problems = storage::problem_workflows(*all);
  if (!problems.empty()) {
    std::printf("report_problems_ms: %.2f ms\n", median_ms(reader, [&](storage::SqlDatabase& c) {
                  return storage::problem_report(c, problems, year);
                }));
  }
  const storage::ReportMonth month{today.ymd().year, today.ymd().month};
  std::printf("report_monthly_ms: %.2f ms\n", median_ms(reader, [&](storage::SqlDatabase& c) {
                return storage::monthly_report(c, *all, month, today);
              }));
  {
    const fs::path xlsx = fs::temp_directory_path() / ("investflow-report-bench-monthly-" +
                                                       std::to_string(::getpid()) + ".xlsx");
    const auto median_of_3 = [&](const auto& write) {
      std::vector<double> times;
      for (int i = 0; i < 3; ++i) {
        const auto start = Clock::now();
        auto written = reader.run(write);
        times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (!written) {
          std::fprintf(stderr, "monthly xlsx failed: %s\n", written.error().message.c_str());
          std::exit(1);
        }
      }
      std::sort(times.begin(), times.end());
      return times[1];
    };
    std::printf("report_monthly_xlsx_ms: %.2f ms\n", median_of_3([&](storage::SqlDatabase& c) {
                  return storage::write_monthly_xlsx(c, *all, month, today, xlsx);
                }));
    std::printf("report_monthly_xlsx_cells_ms: %.2f ms\n",
                median_of_3([&](storage::SqlDatabase& c) -> storage::Outcome<storage::Ok> {
                  auto report = storage::monthly_report(c, *all, month, today);
                  if (!report) return engine::fail(report.error());
                  return storage::write_xlsx(xlsx, report->sheets);
                }));
    fs::remove(xlsx);
  }
  if (kept == nullptr) fs::remove_all(dir);
  return 0;
}
