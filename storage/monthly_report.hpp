#pragma once
// kpis (issue 16): the monthly report (月报) as the zone files it: one workbook with fixed
// sheets (汇总, 新签约项目, 在建项目, 新开工, 新投产, 到位资金, 超时限未开工, 问题台账), built
// from a list of sheet builders (monthly_report.cpp) so other reports add their sheet in
// one place. docs/reports.md ("Monthly report") defines every figure.

#include <boost/json/value.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/reports.hpp"
#include "storage/sheet_output.hpp"

namespace investflow::storage {

struct ReportMonth {
  int year = 1970;
  int month = 1;
  ReportPeriod days() const;          // the month
  ReportPeriod year_to_date() const;  // 1–N月: January 1 to the month's last day
  ReportMonth year_before() const { return {year - 1, month}; }
  std::string to_string() const;  // 2026-10
};
std::optional<ReportMonth> parse_month(std::string_view text);  // YYYY-MM

// What a sheet builder reads.
struct MonthlyContext {
  SqlDatabase& connection;
  const Workflows& workflows;
  ReportMonth month;
  engine::Date today;  // 超时限未开工 and the "so far" KPIs are as of this day
  // The period reports of the month and of 1–N月, read once for the summary and the text.
  const PeriodReport* in_month = nullptr;
  const PeriodReport* to_date = nullptr;
  // When set, the project lists write their rows straight into it as they are read (their
  // builders then answer nullopt: the sheet is written already).
  XlsxBook* book = nullptr;
};

// A sheet of the monthly report; a builder answering nullopt leaves its sheet out (a
// report that has nothing to say for this database, or is not wired in yet).
struct MonthlySheetBuilder {
  std::string name;
  std::function<Outcome<std::optional<Sheet>>(MonthlyContext&)> build;
};
// The sheets in their fixed order.
const std::vector<MonthlySheetBuilder>& monthly_sheet_builders();

struct MonthlyReport {
  ReportMonth month;
  engine::Date today;
  engine::LocalizedText text;  // the written summary (also on the first sheet)
  std::vector<Sheet> sheets;
};

Outcome<MonthlyReport> monthly_report(SqlDatabase& connection, const Workflows& workflows,
                                      ReportMonth month, engine::Date today);

// The same sheets written as an XLSX file, the project lists row by row as they are read
// (the 在建项目 list at 1,000,000 projects is over a hundred thousand rows), in a fast
// workbook (XlsxBook).
Outcome<Ok> write_monthly_xlsx(SqlDatabase& connection, const Workflows& workflows,
                               ReportMonth month, engine::Date today,
                               const std::filesystem::path& file);

// {"month", "from", "to", "today", "text": {zh, en}, "sheets": [{"name", "header", "rows"}]}
// with numbers as numbers (rates as fractions, dates as YYYY-MM-DD) and text as strings.
boost::json::value report_json(const MonthlyReport& report);
// The text format: the summary, then the sheets as tab-separated columns.
std::string monthly_text(const MonthlyReport& report, std::string_view lang);
// 月报-2026-10.xlsx
std::string monthly_file_name(const ReportMonth& month, std::string_view extension,
                              bool ascii = false);

}  // namespace investflow::storage
