#pragma once
// Spreadsheets in and out of a store. Import creates one project per CSV row through the
// store's write path (so every row is decided by the engine like any other command); export
// writes the projects of one workflow as CSV or XLSX with Chinese headers.

#include <cstdint>
#include <filesystem>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "engine/names.hpp"
#include "storage/operations.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

struct ImportOptions {
  bool partial = false;   // keep the good rows when some are bad
  engine::Actor actor;    // who creates the projects
  std::string owner;      // the owner when the file has no owner column; empty: the actor
  std::string id_prefix;  // ids for rows without one: PREFIX-<row>; empty: random prefix
  std::optional<engine::Timestamp> at;  // decide as of this instant (tests)
};

struct ImportRowProblem {
  int line = 0;  // the CSV line the row starts on
  std::vector<std::string> messages;
};

struct ImportReport {
  int rows = 0;
  int imported = 0;
  std::string file_error;  // the file as a whole is unusable (bad header, bad quoting)
  std::vector<ImportRowProblem> problems;
  bool ok() const { return file_error.empty() && problems.empty(); }
};

// All or nothing unless options.partial: when any row is bad, nothing is written and the
// report lists every bad row with its reasons.
ImportReport import_csv(Store& store, const engine::Workflow& workflow, std::istream& csv,
                        const ImportOptions& options, const ProgressFn& progress = {});

enum class ExportFormat { csv, xlsx };
inline constexpr engine::EnumName<ExportFormat> kExportFormatNames[] = {
    {ExportFormat::csv, "csv"},
    {ExportFormat::xlsx, "xlsx"},
};
static_assert(engine::in_order(kExportFormatNames));

// Writes every project of `workflow` (all its versions) to `file`.
Outcome<std::int64_t> export_projects(Store& store, const engine::Workflow& workflow,
                                      ExportFormat format, const std::filesystem::path& file,
                                      const ProgressFn& progress = {});

// The name an export is saved under: "<title>台账-<workflow>-<day>.<csv|xlsx>", e.g.
// 招商引资项目台账-qingyuan-investment-2026-12-02.xlsx (storage/sheet_output.hpp).
std::string export_file_name(const engine::Workflow& workflow, engine::Date day,
                             ExportFormat format);

// CSV to a stream (`investflow export` without --out writes to stdout).
Outcome<std::int64_t> export_projects_csv(Store& store, const engine::Workflow& workflow,
                                          std::ostream& out, const ProgressFn& progress = {});

// The header row export writes (and import understands).
std::vector<std::string> export_header(const engine::Workflow& workflow);
// The column with a child's parent project (workflows with `parent:`); import also reads
// "parent".
inline constexpr std::string_view kParentHeader = "所属项目";

}  // namespace investflow::storage
