#pragma once
// Spreadsheets in and out of a store. Import creates (or, with a key column, updates) one
// project per row of a CSV or XLSX file through the store's write path (so every row is
// decided by the engine like any other command); export
// writes the projects of one workflow as CSV or XLSX with Chinese headers.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/names.hpp"
#include "storage/auth.hpp"
#include "storage/operations.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

// What `investflow import` and POST /api/workflows/{id}/imports do with a spreadsheet.
struct ImportOptions {
  bool partial = false;   // keep the good rows when some are bad
  bool dry_run = false;   // check every row and report what would happen; write nothing
  engine::Actor actor;    // who creates and updates the projects
  std::string owner;      // the owner when the file has no owner column; empty: the actor
  std::string id_prefix;  // ids for new rows without one: PREFIX-<row>; empty: random prefix
  std::optional<engine::Timestamp> at;  // decide as of this instant (tests)
  // The column (as the header names it, or a field's id or label, or 项目编号/id) that
  // finds the project a row describes: a row whose key matches a stored project of the
  // workflow updates it (an edit-fields command); other rows create projects. Empty: every
  // row creates a project.
  std::string key;
  // Columns to leave out (header texts, compared after trimming), besides those always
  // left out: 序号, columns without a header, and what an export adds for people (state,
  // times, computed values).
  std::vector<std::string> ignore_columns;
  // Owners must be one of these users (by login or display name, enabled). nullopt: owners
  // are not checked (tests of other rules); the CLI and the API always set it.
  std::optional<std::vector<User>> users;
  std::string sheet;      // XLSX: the sheet to read; empty: the first
  std::string encoding;   // CSV: force an encoding (utf-8, gb18030, ...); empty: detect
  std::string file_name;  // for messages (an .xlsx name on bytes that are no zip); may be empty
};

enum class ImportAction { create, update, unchanged, refused };
inline constexpr engine::EnumName<ImportAction> kImportActionNames[] = {
    {ImportAction::create, "create"},
    {ImportAction::update, "update"},
    {ImportAction::unchanged, "unchanged"},
    {ImportAction::refused, "refused"},
};
static_assert(engine::in_order(kImportActionNames));

// One problem of a row: the column it concerns (its label as staff read it: a field's
// label, 项目编号, 负责人, never a field id; empty for the row as a whole) and what is wrong.
struct ImportProblem {
  engine::LocalizedText column;
  engine::LocalizedText message;
};

// A value of a row as it will be stored, in the field's unit (e.g. 1.2亿 -> "12000 万元"),
// and how the cell was converted when it was (e.g. "1.2亿 → 12000 万元"; empty otherwise).
struct ImportValue {
  engine::LocalizedText column;
  std::string text;
  engine::LocalizedText how;
};

struct ImportRow {
  int row = 0;  // the row number in the file (CSV line, spreadsheet row)
  ImportAction action = ImportAction::refused;
  std::string project_id;  // the project created or updated (empty when refused early)
  std::vector<ImportProblem> problems;
  std::vector<ImportValue> values;
};

struct ImportReport {
  // The file as a whole is unusable (unreadable, no header, unknown columns, bad --key).
  std::optional<engine::LocalizedText> file_error;
  std::vector<std::string> unknown_columns;  // headers that name nothing (file_error then)
  std::vector<std::string> ignored_columns;  // headers left out (序号, --ignore-columns, ...)
  engine::LocalizedText key_column;          // the --key column's label, when given
  std::vector<ImportRow> rows;               // every non-blank row, in file order
  // What each row does (dry run or refused rows without --partial: what it would do).
  int created = 0;
  int updated = 0;
  int unchanged = 0;
  int refused = 0;
  bool written = false;  // whether anything was written (never for a dry run)
  // The batch id every write carries (WriteRequest::batch): chat robots get one digest for
  // the whole import instead of a message per project.
  std::string batch;
  bool ok() const { return !file_error && refused == 0; }
};

// Reads a CSV (any encoding) or XLSX file, told apart by content. All or nothing unless
// options.partial: when any row is refused, nothing is written and the report lists every
// refused row with every problem. Updates go through the engine's edit-fields command, so
// roles, guards, versions and history apply as to any edit.
ImportReport import_projects(Store& store, const engine::Workflow& workflow, std::string_view file,
                             const ImportOptions& options, const ProgressFn& progress = {});

// The report's messages as text, for the CLI: "第 3 行，计划总投资（万元）：..." in Chinese
// (lang "zh-CN") or "row 3, 计划总投资（万元）: ..." in English.
std::string import_problem_text(const ImportRow& row, const ImportProblem& problem,
                                std::string_view lang);
// "新建 3，更新 1，未变 0，拒绝 2；..." / "created 3, updated 1, ...".
std::string import_summary_text(const ImportReport& report, bool dry_run, bool partial,
                                std::string_view lang);

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

// The projects of `workflow` that `filter` lists (GET /api/projects's filters; its sort,
// cursor and limit are ignored: every match, oldest first), as export_projects writes
// them: the service desk's ledger export (issue 17).
Outcome<std::int64_t> export_project_list(Store& store, const engine::Workflow& workflow,
                                          const ProjectQuery& filter, ExportFormat format,
                                          const std::filesystem::path& file);
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
