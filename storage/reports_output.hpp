#pragma once
// The reports as the API and the CLI hand them out: JSON (the shapes documented in
// web/openapi.cpp), and sheets with Chinese headers for CSV and XLSX.

#include <boost/json/value.hpp>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "storage/reports.hpp"
#include "storage/sheet_output.hpp"

namespace investflow::storage {

boost::json::value report_json(const PipelineReport& report);
boost::json::value report_json(const FunnelReport& report);
boost::json::value report_json(const AgingReport& report);
boost::json::value report_json(const KpiReport& report);
boost::json::value report_json(const PeriodReport& report);

std::vector<Sheet> report_sheets(const PipelineReport& report);
std::vector<Sheet> report_sheets(const FunnelReport& report);
std::vector<Sheet> report_sheets(const AgingReport& report);
std::vector<Sheet> report_sheets(const KpiReport& report);
std::vector<Sheet> report_sheets(const PeriodReport& report);

// The sheets of a report (labels, never ids; typed cells: storage/sheet_output.hpp).
// CSV (UTF-8 with a byte order mark, so spreadsheet programs read the Chinese headers);
// sheets after the first follow an empty line. XLSX: one worksheet per sheet (write_xlsx).
void write_report_csv(std::ostream& out, const std::vector<Sheet>& sheets);

// The Chinese title of a report ("项目储备"), for file names; its English id is `report`.
std::string report_title(std::string_view report);

}  // namespace investflow::storage
