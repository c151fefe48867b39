#pragma once
// The report summaries (migration 4), kept in step with the event log by the writer, in the
// same transaction as the events. The reports (reports.hpp) read only these tables, so
// their cost follows the number of stages and days asked for, not the number of events.
//
// Tables:
//   report_projects   one row per project: the dimensions reports filter on, the states it
//                     has ever entered, the day it first entered the state tagged `signed`
//   report_pipeline   projects and investment per workflow, state, industry, chain role,
//                     owner and promoting unit (the current pipeline)
//   report_pipeline_by  the same per workflow, state and one dimension's value at a time
//                     (dimension '' and value '': per state only)
//   report_created    projects, investment and floor area per workflow, day of creation and
//                     current state (pipeline by period of entry, new projects of a period)
//   report_reached    first entries per workflow, day and state (signed, started ... in a
//                     period), with the investment at that moment
//   report_funnel     first entries per workflow, creation day (the cohort) and state
//   report_durations  finished stage visits per workflow, state, day left and day entered
//                     (working days are counted at query time, on the workflow's calendar)
//   report_deadlines  SLAs and milestones met per workflow, kind, day met and on-time flag
//   report_signed     the KPI cohort: per workflow, day of signing and state, how many of
//                     the projects signed that day have entered the state since
//   report_signed_funds  per workflow and day of signing: funds in place and committed
//                     investment of those projects (else their planned investment: the
//                     base of 资金到位率; projects with neither are left out)
//   report_funds      the 到位资金 ledger (FundsRecorded): entries and amount per workflow,
//                     month (YYYYMM), source and promoting unit (the project's when recorded)
//   report_unit_reached  first entries per workflow, state, day and promoting unit (the
//                     units' signed and started projects, for their targets)
//   report_problems   problems (items of a workflow with a state tagged resolved) per
//                     workflow, terminal or not, day raised, resolved or not, responsible unit
//                     and category: how many, how many resolved on time
//   report_problem_months  the same by month raised (YYYYMM), for long periods
//   report_problem_closings  resolved problems per workflow, day raised and day resolved
//                     (working days are counted at query time, on the workflow's calendar)
//   report_enterprise_days  projects per workflow, enterprise (tag enterprise) and day created
//   report_enterprises  per workflow and day, the enterprises that brought a project that
//                     day, by the previous day each brought one (-1: never): the distinct
//                     enterprises of a period are a sum (period_report)
//   report_enterprise_marks  the same links counted per workflow and day they lead to (kind 0)
//                     and day they come from (kind 1)
//   report_created_months, report_reached_months, report_duration_months (visits by month
//   left), report_enterprise_mark_months: the same by month (YYYYMM), kept with the daily
//   rows, so a period reads its whole months and only the days at its ends (period_parts)
//
// The ledger records each command's effect as deltas in layers that mirror the writer's
// savepoints: a command undone in SQL is undone here by dropping its layer. The deltas are
// written once per batch (flush), so a busy batch adds one row update per summary key,
// not one per command.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "engine/event.hpp"
#include "engine/project.hpp"
#include "engine/workflow.hpp"
#include "storage/sql_statement.hpp"

namespace investflow::storage {

// Not a state (no state tag, so never looked up as a state): report_signed
// counts under this key the exits (state tagged `exited`) of projects that had reached the
// state tagged `at_capacity`.
inline constexpr std::string_view kExitedAfterCapacity = "exited_after_capacity";

// The month (YYYYMM) of a day, as the summaries by month are keyed.
std::int64_t month_key(engine::Date day);

// What reports know of one project (a row of report_projects). Every figure is read from
// the field carrying its `report:` tag (engine::FieldTag); a workflow without the tag
// leaves it empty or 0, and the reports say "not applicable" for such a workflow.
struct ReportProject {
  std::string workflow;
  std::string state;
  std::string industry;    // tag industry
  std::string chain_role;  // tag chain_role
  std::string owner;
  std::string promoting_unit;    // tag promoting_unit
  std::string investor;          // tag enterprise
  std::string name;              // tag name
  std::int32_t created_day = 0;  // engine::Date days since the epoch, China time
  std::int64_t state_entered_at = 0;
  double investment = 0;      // tag investment, 万元
  double floor_area = 0;      // tag floor_area, m²
  double committed = 0;       // tag committed_investment, 万元
  double funds_in_place = 0;  // tag funds_in_place
  std::string reached;        // "|lead|screening|": every state ever entered
  std::optional<std::int32_t> signed_day;
  // kpis (issue 16). First entry into the states tagged construction_started, completed,
  // in_production, exited (what reports remember, like signed_day).
  std::optional<std::int32_t> started_day;
  std::optional<std::int32_t> completed_day;
  std::optional<std::int32_t> production_day;
  std::optional<std::int32_t> exited_day;
  // From the projection: the milestones tagged construction_start and completion (due
  // day; actual day, or its due day when done without a date), and the first day the
  // project was out of its agreement: an obligation (milestones tagged registration,
  // construction_start, funds) not kept by its due day (the day after it), or its exit.
  // May lie in the future (an open obligation): reports compare it with today.
  std::optional<std::int32_t> start_due_day;
  std::optional<std::int32_t> start_done_day;
  std::optional<std::int32_t> completion_due_day;
  std::optional<std::int32_t> completion_done_day;
  std::optional<std::int32_t> breach_day;
  std::optional<std::int32_t> start_open_due_day;  // open and the project live (超时限未开工)
  // The service desk's figures (problem_report.hpp), for the items of a workflow with a state
  // tagged resolved (else problem_status is null): bit 0 in a terminal state, bit 1 in the
  // state tagged resolved; the fields tagged responsible_unit and problem_category; resolved
  // on or before the due day of every milestone it has (none: on time).
  std::optional<std::int32_t> problem_status;
  std::string problem_unit;
  std::string problem_category;
  bool problem_on_time = false;
  bool operator==(const ReportProject&) const = default;
};

// What reports remember of a project's history (not in its projection).
struct ReportMemory {
  std::string reached;
  std::optional<std::int32_t> signed_day;
  std::optional<std::int32_t> started_day;
  std::optional<std::int32_t> completed_day;
  std::optional<std::int32_t> production_day;
  std::optional<std::int32_t> exited_day;
};

// The summary row a project contributes, from its projection (read through its workflow's
// tags) and what reports remember.
ReportProject report_project_of(const engine::Workflow& workflow, const engine::Project& project,
                                ReportMemory memory);

class ReportLedger {
 public:
  // With `queue_writes` (PostgreSQL), the writes of flush() and flush_projects() wait in the
  // connection's queue for its next statement, to go in one round trip with it
  // (PgConnection::queue).
  explicit ReportLedger(SqlDatabase& db, bool queue_writes = false)
      : db_(db), queue_writes_(queue_writes) {}
  ReportLedger(const ReportLedger&) = delete;
  ReportLedger& operator=(const ReportLedger&) = delete;

  // One command's effect: the project before it, the events it appended, the project after,
  // read through the tags of the workflow it was decided with.
  void record(const engine::Workflow& workflow, const engine::Project& before,
              const std::vector<engine::Event>& events, const engine::Project& after);

  // Layers follow the writer's: one per batch, one per command (savepoint) on top.
  void push_layer() { layers_.emplace_back(); }
  void merge_layer();    // top layer into the one below; the last one (committed) is cached
  void discard_layer();  // the command was undone
  void clear() {
    layers_.clear();
    month_deltas_.clear();
    written_.clear();
    cache_.clear();
  }
  // Another connection may have written: what is cached may be stale.
  void forget() { cache_.clear(); }
  // Another connection wrote these projects' rows.
  void forget(const std::vector<std::string>& ids) {
    for (const std::string& id : ids)
      cache_.erase(id);
  }
  // PostgreSQL: reads the rows of these projects in one statement, for the batch about to
  // be decided (after forget(), each would otherwise be read on its own).
  void prefetch(const std::vector<std::string>& ids);

  // Writes the bottom layer's deltas and project rows, then empties it.
  void flush();
  // PostgreSQL: writes the bottom layer's project rows alone (each is one project's, so a
  // writer may do so before it takes its turn on the log; flush() writes the shared rows).
  void flush_projects();

  // Clears the summaries and rebuilds them from the event log (migration 4 on an existing
  // database; the consistency test), reading each project through the tags of its stored
  // workflow version. Runs inside the caller's transaction.
  static void rebuild(SqlDatabase& db);
  static void rebuild(SQLite::Database& db);

  // Fills what migration 21 added (the problems' columns and summaries) from the projections
  // of the problem workflows' items, on a database whose other summaries are up to date.
  static void fill_problems(SQLite::Database& db);

  // What `investflow verify` asks: do the stored summaries say what the event log does?
  // Rebuilds them into TEMP tables of the same names and shapes (which shadow the stored
  // ones for the rebuild, so a read-only connection will do), compares, and drops them. The
  // names of the tables that differ (sums compared to a micro-unit), in table order.
  static std::vector<std::string> differences_from_log(SQLite::Database& db);
  // The same on PostgreSQL, in the caller's transaction (TEMP tables shadow the stored ones).
  static std::vector<std::string> differences_from_log(PgConnection& connection);

 private:
  struct Sums {
    double count = 0;
    double first = 0;
    double second = 0;
  };
  using Key = std::vector<std::variant<std::int64_t, std::string>>;
  struct Layer {
    std::unordered_map<std::string, ReportProject> projects;
    std::map<std::pair<int, Key>, Sums> deltas;  // (table, dims) -> sums to add
  };

  // What reports hold now; null for a project they never counted. Points into a layer,
  // the cache or loaded_, valid until the next call.
  const ReportProject* current(const engine::Project& before);
  void add(int table, Key key, Sums sums);
  void count_project(const ReportProject& row, double sign);
  void count_enterprise_day(const Key& key, std::int64_t delta);
  // Adds to the row of `key` in a summary table now, and to its month twin's at the end of
  // the flush.
  void write(int table, const Key& key, const Sums& sums);
  SqlStatement& statement(const std::string& sql);
  // PostgreSQL: the rows of a flush, one statement per table over arrays.
  void write_projects_postgres(const std::unordered_map<std::string, ReportProject>& projects);
  void write_summaries_postgres(const std::map<std::pair<int, Key>, Sums>& rows);
  void write_postgres(std::string sql, PgParams params);

  SqlDatabase& db_;
  const bool queue_writes_;
  std::deque<Layer> layers_;
  // Rows as committed, so a project's next command need not read them back.
  std::unordered_map<std::string, ReportProject> cache_;
  std::unordered_map<std::string, ReportProject> written_;  // flushed, not yet committed
  ReportProject loaded_;  // the row current() last read from the database
  std::map<std::pair<int, Key>, Sums> month_deltas_;  // flush(): the twins' deltas
  // flush() on PostgreSQL: the summary rows it writes, gathered (by table) to be written at
  // its end, each key once.
  std::optional<std::map<std::pair<int, Key>, Sums>> batched_;
  unsigned absent_tables_ = 0;   // rebuild() on an older schema: summaries not there yet
  bool problem_columns_ = true;  // false: rebuild() on a schema before migration 21
};

}  // namespace investflow::storage
