#pragma once
// The reports as the API and the CLI hand them out: JSON (the shapes documented in
// web/openapi.cpp), and tables with Chinese headers for CSV and XLSX.

#include <boost/json/value.hpp>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "storage/reports.hpp"

namespace investflow::storage {

boost::json::value report_json(const PipelineReport& report);
boost::json::value report_json(const FunnelReport& report);
boost::json::value report_json(const AgingReport& report);
boost::json::value report_json(const KpiReport& report);
boost::json::value report_json(const PeriodReport& report);

// One sheet of a report: a header row and rows of cells; a number keeps its value for XLSX.
struct ReportCell {
  std::string text;
  std::optional<double> number;
};
struct ReportSheet {
  std::string name;  // the XLSX sheet name
  std::vector<std::string> header;
  std::vector<std::vector<ReportCell>> rows;
};

std::vector<ReportSheet> report_sheets(const PipelineReport& report);
std::vector<ReportSheet> report_sheets(const FunnelReport& report);
std::vector<ReportSheet> report_sheets(const AgingReport& report);
std::vector<ReportSheet> report_sheets(const KpiReport& report);
std::vector<ReportSheet> report_sheets(const PeriodReport& report);

// CSV (UTF-8 with a byte order mark, so spreadsheet programs read the Chinese headers);
// sheets after the first follow an empty line.
void write_report_csv(std::ostream& out, const std::vector<ReportSheet>& sheets);
// One worksheet per sheet.
Outcome<Ok> write_report_xlsx(const std::filesystem::path& file,
                              const std::vector<ReportSheet>& sheets);

}  // namespace investflow::storage
