#pragma once
// Pipeline reports for managers, answered from the summaries the writer keeps in step with
// the event log (reports_ledger.hpp): the pipeline per stage, the funnel of a cohort, time
// in stage, the KPIs and the period summary. Their exact definitions are in docs/reports.md.
// Every query reads a few summary rows per stage and day asked for, never the events.
// Figures come from the workflow's `report:` tags (language v1.1), never from state or field
// names; a figure whose tag the workflow lacks is not applicable (nullopt), never zero.

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/date.hpp"
#include "engine/workflow.hpp"
#include "storage/sql_statement.hpp"
#include "storage/store.hpp"
#include "workflows/loader.hpp"

namespace investflow::storage {

// Inclusive, in China time. The defaults cover all time.
struct ReportPeriod {
  engine::Date from = engine::Date(0);
  engine::Date to = engine::Date(2932896);  // 9999-12-31
};

// A period as the summaries hold it: whole months (YYYYMM, month_key), read from the
// summaries by month, and the days at either end outside them, read from the daily ones.
struct PeriodParts {
  std::optional<std::pair<std::int64_t, std::int64_t>> months;  // first and last, YYYYMM
  std::vector<std::pair<engine::Date, engine::Date>> days;      // ranges, both ends in
};
PeriodParts period_parts(const ReportPeriod& period);

// Dimensions are the values of the fields tagged industry, chain_role and promoting_unit.
struct PipelineFilter {
  std::string industry;  // empty: any
  std::string chain_role;
  std::string owner;
  std::string promoting_unit;
  std::optional<engine::Date> entered_from;  // day the project was created (entered the
  std::optional<engine::Date> entered_to;    // pipeline), inclusive
  // Also sum per value of this dimension (one of pipeline_dimensions()): the dashboard's
  // breakdowns by industry and chain role in one request each.
  std::string by;
};

// The dimensions a pipeline is filtered and grouped by: the values of the fields tagged
// industry, chain_role and promoting_unit, and the owner.
const std::vector<std::string>& pipeline_dimensions();

struct PipelineStage {
  std::string state;
  engine::LocalizedText label;
  std::int64_t count = 0;
  std::optional<double> investment;  // 万元; nullopt: no field tagged investment
};

// The projects of one value of the dimension a pipeline is grouped by ("" for none given).
struct PipelineGroup {
  std::string value;
  std::int64_t count = 0;
  std::optional<double> investment;  // 万元; nullopt: no field tagged investment
};

struct PipelineReport {
  std::string workflow;
  std::vector<PipelineStage> stages;  // every state, in the workflow's order
  std::int64_t total_count = 0;
  std::optional<double> total_investment;
  std::optional<std::vector<PipelineGroup>> groups;  // grouped `by`: per value, in order
};

struct FunnelStage {
  std::string state;
  engine::LocalizedText label;
  bool terminal = false;
  std::int64_t reached = 0;
  std::optional<double> rate_from_previous;  // null when the previous count is 0
  std::optional<double> rate_from_start;     // null when the cohort is empty
};

struct FunnelReport {
  std::string workflow;
  ReportPeriod period;
  std::int64_t cohort = 0;  // projects created in the period
  std::vector<FunnelStage> stages;
};

struct AgingStage {
  std::string state;
  engine::LocalizedText label;
  std::int64_t samples = 0;  // stage visits that ended in the period
  std::optional<double> median_working_days;
  std::optional<double> p90_working_days;
};

struct WaitingProject {
  std::string project_id;
  std::string name;
  std::string state;
  engine::Timestamp since = 0;
  int working_days = 0;  // since entering the state, until today
};

struct AgingReport {
  std::string workflow;
  ReportPeriod period;
  std::vector<AgingStage> stages;  // non-terminal states, in the workflow's order
  std::vector<WaitingProject> longest_waiting;
};

struct Kpi {
  std::string id;  // contract_performance_rate, construction_start_rate, ...
  engine::LocalizedText label;
  // The figures (storage/figures.hpp) whose projects the numerator and the denominator
  // count, for the drill-down; empty when they are not counts of projects.
  std::string numerator_figure;
  std::string denominator_figure;
  // nullopt when the workflow lacks a tag the KPI reads (then so is the rate)
  std::optional<double> numerator;
  std::optional<double> denominator;
  std::optional<double> rate;  // null when the denominator is 0 or not applicable
};

// A project past its agreed construction start (超时限未开工).
struct OverdueStart {
  std::string project_id;
  std::string name;
  std::string state;
  engine::LocalizedText state_label;
  engine::Date due_on;
  int days_overdue = 0;  // calendar days after the due day, up to today
};

struct KpiReport {
  std::string workflow;
  ReportPeriod period;
  engine::Date today;  // the "so far" figures (履约, 按期, 超时限) are as of this day
  // 新签约项目数 and 签约额 (investment when signed, 万元): nullopt without the tags.
  std::optional<std::int64_t> signed_projects;
  std::optional<double> signed_investment;
  std::vector<Kpi> kpis;
  // 超时限未开工: every live project whose construction-start milestone is past due and
  // open, whenever signed (nullopt without a milestone tagged construction_start); the
  // first `overdue_start_listed`, longest overdue first.
  std::optional<std::int64_t> overdue_start_count;
  std::vector<OverdueStart> overdue_start;
};

// Each figure is nullopt (not applicable) when the workflow lacks the tag it reads.
struct PeriodFigures {
  std::string workflow;
  engine::LocalizedText title;
  std::int64_t new_projects = 0;              // created in the period
  std::optional<double> new_investment;       // their investment now, 万元 (investment)
  std::optional<std::int64_t> signed_count;   // first entered the state tagged signed
  std::optional<double> signed_investment;    // their investment when signed, 万元
  std::optional<std::int64_t> started;        // ... tagged construction_started
  std::optional<std::int64_t> completed;      // ... tagged completed
  std::optional<std::int64_t> in_production;  // ... tagged in_production
  std::optional<std::int64_t> enterprises;    // distinct enterprises of the new projects
  std::optional<double> floor_area;           // floor area of the new projects, m²
  // kpis (issue 16): the current count per non-terminal stage with projects (the
  // sentence's {stages}), in the workflow's order; and the workflow's sentence template.
  std::vector<std::pair<engine::LocalizedText, std::int64_t>> stages;
  engine::LocalizedText sentence;
};

struct PeriodReport {
  ReportPeriod period;
  std::vector<PeriodFigures> workflows;
  engine::LocalizedText text;  // zh: the zone's reporting style; en: the same in English
};

using Workflows = std::vector<std::shared_ptr<const engine::Workflow>>;

// The queries; `connection` may be read-only. Today is for the longest-waiting projects.
Outcome<PipelineReport> pipeline_report(SqlDatabase& connection, const engine::Workflow& workflow,
                                        const PipelineFilter& filter);
Outcome<FunnelReport> funnel_report(SqlDatabase& connection, const engine::Workflow& workflow,
                                    const ReportPeriod& period);
Outcome<AgingReport> aging_report(SqlDatabase& connection, const engine::Workflow& workflow,
                                  const ReportPeriod& period, engine::Date today,
                                  int longest_waiting = 10);
Outcome<KpiReport> kpi_report(SqlDatabase& connection, const engine::Workflow& workflow,
                              const ReportPeriod& period, engine::Date today,
                              int overdue_start_listed = 20);
Outcome<PeriodReport> period_report(SqlDatabase& connection, const Workflows& workflows,
                                    const ReportPeriod& period);

// The latest version of every workflow stored in the database, for reports outside the
// server (the CLI). A definition that no longer loads (its calendar is gone) is left out.
Outcome<Workflows> load_report_workflows(SqlDatabase& connection,
                                         const workflows::CalendarRegistry& calendars);

// Amounts as the zone writes them: 万元 below 1亿, 亿元 above, rounded to what people write
// ("64.3亿元", "5450万元"); floor area in 万平方米 from 10,000 m².
std::string money_zh(double wan);
std::string money_en(double wan);
std::string area_zh(double square_metres);
std::string area_en(double square_metres);
engine::LocalizedText period_text(const PeriodReport& report);
// The same under another heading (the monthly report's "2026年1–10月：").
engine::LocalizedText period_text(const PeriodReport& report, const engine::LocalizedText& heading);

// The board's filter choices (issue 22): the owners and promoting units that hold some
// project of the workflow in an open (non-final) state now, sorted, read from the pipeline
// summary (a few rows per state).
struct PipelineFacets {
  std::vector<std::string> owners;
  std::vector<std::string> promoting_units;
};
Outcome<PipelineFacets> pipeline_facets(SqlDatabase& connection, const engine::Workflow& workflow);

// Reports over a database (a SQLite file or a postgresql:// URI), for the server and the
// CLI: read connections, opened on demand up to `connections`, lent one at a time. A
// PostgreSQL connection found broken is dropped, and the next query opens another.
class ReportReader {
 public:
  explicit ReportReader(std::string database, int connections = 2);
  ~ReportReader();
  template <class Query>
  auto run(Query query) {
    Lease lease(*this);
    return query(*lease.db);
  }

 private:
  struct Lease {
    explicit Lease(ReportReader& from) : owner(from), db(from.borrow()) {}
    ~Lease() { owner.give_back(std::move(db)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ReportReader& owner;
    std::unique_ptr<SqlDatabase> db;
  };
  std::unique_ptr<SqlDatabase> borrow();
  void give_back(std::unique_ptr<SqlDatabase> db);

  const std::string database_;
  const int size_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<SqlDatabase>> idle_;  // GUARDED_BY(mutex_)
  int open_ = 0;                                    // GUARDED_BY(mutex_)
};

}  // namespace investflow::storage
