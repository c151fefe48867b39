#pragma once
// 到位资金 (funds in place) and the promoting units' annual targets (issue 16): the reports
// the zone files monthly to the city. Definitions are in docs/reports.md ("Funds in place",
// "Targets").
//
// Funds come from the ledger (FundsRecorded events), summed by the writer into
// report_funds (reports_ledger.hpp) by workflow, month, source and promoting unit, so a
// report reads a few rows per month asked for, whatever the number of projects.
// Targets live in the table `targets` (one value per year, unit and figure), every change
// kept in `target_history`.

#include <boost/json/value.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/date.hpp"
#include "engine/funds.hpp"
#include "engine/workflow.hpp"
#include "storage/sheet_output.hpp"
#include "storage/sql_statement.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

using FundsWorkflows = std::vector<std::shared_ptr<const engine::Workflow>>;

// One figure of the month: the month itself, January to the month (1–N月), and the same
// months of the year before with the growth over them (同比: (this − last) ÷ last, null
// when last year had nothing).
struct FundsFigures {
  double month = 0;       // 万元
  double cumulative = 0;  // 1–N月
  double month_last_year = 0;
  double cumulative_last_year = 0;
  std::optional<double> month_growth;
  std::optional<double> cumulative_growth;
  std::int64_t entries = 0;  // ledger entries in the month
};

struct FundsLine {
  std::string key;  // a source's id, a workflow's id, a promoting unit
  engine::LocalizedText label;
  FundsFigures figures;
};

struct FundsReport {
  int month = 0;         // YYYYMM
  std::string workflow;  // empty: every workflow
  FundsFigures total;
  std::vector<FundsLine> by_source;    // the four sources, in their order
  std::vector<FundsLine> by_workflow;  // workflows with a funds_in_place field
  std::vector<FundsLine> by_unit;      // promoting units with funds (this or last year),
                                       // largest cumulative first; "" is 未填招商单位
};

// `month` YYYYMM; `workflow` empty for all. `workflows` gives the labels.
Outcome<FundsReport> funds_report(SqlDatabase& connection, const FundsWorkflows& workflows,
                                  int month, const std::string& workflow = {});
boost::json::value funds_report_json(const FundsReport& report);
// 到位资金 (totals and by source), 到位资金-按流程, 到位资金-按招商单位: what the monthly
// report's 到位资金 sheet and the CLI's csv/xlsx take.
std::vector<Sheet> funds_report_sheets(const FundsReport& report);
std::string funds_report_text(const FundsReport& report);

// --- targets ---------------------------------------------------------------------------

// The figures a promoting unit is set targets on.
struct TargetFigure {
  std::string_view id;  // signed_projects, signed_amount, funds, started_projects
  std::string_view zh;  // 签约项目数, 签约额, 到位资金, 开工项目数
  std::string_view en;
  std::string_view unit;  // 个 or 万元
};
const std::vector<TargetFigure>& target_figures();
const TargetFigure* find_target_figure(std::string_view id);

struct Target {
  int year = 0;
  std::string unit;
  std::string figure;
  double value = 0;
  std::string set_by;
  engine::Timestamp set_at = 0;
};

struct TargetChange {
  std::int64_t id = 0;
  int year = 0;
  std::string unit;
  std::string figure;
  std::optional<double> before;
  std::optional<double> after;
  std::string by;
  engine::Timestamp at = 0;
};

// What is wrong with a target as given, in Chinese and English, naming the field; empty
// when it is fine. `value` nullopt removes the target.
struct TargetProblem {
  std::string field;
  std::string zh;
  std::string en;
};
std::vector<TargetProblem> check_target(int year, const std::string& unit,
                                        const std::string& figure, std::optional<double> value);

// Sets (or with nullopt removes) one target in its own transaction, with its history row.
// The caller has checked it (check_target). Returns the change, or nullopt when the value
// was already that.
Outcome<std::optional<TargetChange>> set_target(SqlDatabase& db, int year, const std::string& unit,
                                                const std::string& figure,
                                                std::optional<double> value, const std::string& by,
                                                engine::Timestamp at);
// set_target on a database (a file or a postgresql:// URI), for the server: one connection,
// one change at a time.
class TargetWriter {
 public:
  explicit TargetWriter(const std::string& database);
  ~TargetWriter();
  Outcome<std::optional<TargetChange>> set(int year, const std::string& unit,
                                           const std::string& figure, std::optional<double> value,
                                           const std::string& by, engine::Timestamp at);

 private:
  std::mutex mutex_;
  const std::string database_;
  std::unique_ptr<SqlDatabase> db_;
};

Outcome<std::vector<Target>> list_targets(SqlDatabase& connection, int year);
Outcome<std::vector<TargetChange>> target_history(SqlDatabase& connection, int year,
                                                  int limit = 200);
boost::json::value target_json(const Target& target);
boost::json::value target_change_json(const TargetChange& change);

// The promoting units: the options (with labels) of every workflow's field tagged
// promoting_unit, then any other unit projects or targets name.
struct PromotingUnit {
  std::string id;
  engine::LocalizedText label;
};
Outcome<std::vector<PromotingUnit>> promoting_units(SqlDatabase& connection,
                                                    const FundsWorkflows& workflows);

struct TargetProgress {
  std::string figure;
  std::optional<double> target;  // nullopt: none set
  double actual = 0;
  std::optional<double> rate;  // actual ÷ target; null without a (positive) target
};

struct UnitProgress {
  std::string unit;
  engine::LocalizedText label;
  std::vector<TargetProgress> figures;  // target_figures() order
  std::optional<double> score;          // mean of the rates set; null: no target
  std::optional<int> rank;              // 1 = best; equal scores share a rank
};

struct TargetsReport {
  int year = 0;
  engine::Date through;             // actuals counted up to this day (the year's end, or today)
  std::vector<UnitProgress> units;  // ranked first (by rank), then the unranked by name
};

// Actuals from the first day of `year` to `through` (inclusive).
Outcome<TargetsReport> targets_report(SqlDatabase& connection, const FundsWorkflows& workflows,
                                      int year, engine::Date through);
boost::json::value targets_report_json(const TargetsReport& report);
std::vector<Sheet> targets_report_sheets(const TargetsReport& report);
std::string targets_report_text(const TargetsReport& report);

}  // namespace investflow::storage
