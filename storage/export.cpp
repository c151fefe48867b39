#include <xlsxwriter.h>

#include <fstream>
#include <memory>

#include "storage/csv.hpp"
#include "storage/field_text.hpp"
#include "storage/import_export.hpp"
#include "storage/wire_json.hpp"

namespace investflow::storage {
namespace {

using engine::FieldType;

std::string state_label(const engine::Workflow& workflow, const std::string& state) {
  const engine::StateDef* def = workflow.find_state(state);
  return def == nullptr || def->label.zh.empty() ? state : def->label.zh;
}

// One output row: text for CSV, and numbers kept as numbers for XLSX.
struct Cell {
  std::string text;
  std::optional<double> number;
  bool money = false;
};

std::vector<Cell> project_row(const engine::Workflow& workflow, const engine::Project& project) {
  std::vector<Cell> row;
  row.push_back({project.id, {}, false});
  row.push_back({state_label(workflow, project.state), {}, false});
  row.push_back({project.owner, {}, false});
  if (workflow.parent) row.push_back({project.parent, {}, false});
  for (const auto& field : workflow.fields) {
    const engine::Value value = project.field(field.name);
    Cell cell{field_to_text(field, value), {}, field.type == FieldType::money};
    const bool numeric = field.type == FieldType::number || field.type == FieldType::money ||
                         field.type == FieldType::area;
    if (numeric && value.as_number() != nullptr) cell.number = *value.as_number();
    row.push_back(std::move(cell));
  }
  row.push_back({wire_timestamp(project.created_at), {}, false});
  row.push_back({wire_timestamp(project.updated_at), {}, false});
  return row;
}

// Writes rows as they come; the CSV and XLSX sinks differ only in how.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void header(const std::vector<std::string>& names) = 0;
  virtual void row(const std::vector<Cell>& cells) = 0;
  virtual Outcome<Ok> close() = 0;
};

class CsvSink final : public Sink {
 public:
  explicit CsvSink(std::ostream& out) : out_(out) {
    out_ << "\xEF\xBB\xBF";  // a byte order mark, so spreadsheet programs read UTF-8
  }
  void header(const std::vector<std::string>& names) override {
    std::vector<std::string> texts;
    for (const std::string& name : names)
      texts.push_back(spreadsheet_text(name));
    write_csv_record(out_, texts);
  }
  // Text cells are made safe for spreadsheets; numbers are written as they are.
  void row(const std::vector<Cell>& cells) override {
    std::vector<std::string> texts;
    texts.reserve(cells.size());
    for (const Cell& cell : cells)
      texts.push_back(cell.number ? cell.text : spreadsheet_text(cell.text));
    write_csv_record(out_, texts);
  }
  Outcome<Ok> close() override {
    out_.flush();
    if (!out_) return engine::fail(Error{Error::Kind::storage, "writing the CSV failed"});
    return Ok{};
  }

 private:
  std::ostream& out_;
};

class XlsxSink final : public Sink {
 public:
  explicit XlsxSink(const std::filesystem::path& file) : workbook_(workbook_new(file.c_str())) {
    if (workbook_ == nullptr) return;
    sheet_ = workbook_add_worksheet(workbook_, "项目");
    bold_ = workbook_add_format(workbook_);
    format_set_bold(bold_);
    format_set_bg_color(bold_, 0xDDEBF7);
    money_ = workbook_add_format(workbook_);
    format_set_num_format(money_, "#,##0.00");
  }
  ~XlsxSink() override {
    if (workbook_ != nullptr) workbook_close(workbook_);
  }
  bool open() const { return workbook_ != nullptr && sheet_ != nullptr; }

  void header(const std::vector<std::string>& names) override {
    for (std::size_t col = 0; col < names.size(); ++col) {
      worksheet_write_string(sheet_, 0, static_cast<lxw_col_t>(col), names[col].c_str(), bold_);
      worksheet_set_column(sheet_, static_cast<lxw_col_t>(col), static_cast<lxw_col_t>(col),
                           col < 3 ? 14 : 18, nullptr);
    }
    worksheet_freeze_panes(sheet_, 1, 1);
  }
  void row(const std::vector<Cell>& cells) override {
    ++row_;
    for (std::size_t col = 0; col < cells.size(); ++col) {
      const Cell& cell = cells[col];
      const auto column = static_cast<lxw_col_t>(col);
      if (cell.number) {
        worksheet_write_number(sheet_, row_, column, *cell.number, cell.money ? money_ : nullptr);
      } else if (!cell.text.empty()) {
        worksheet_write_string(sheet_, row_, column, cell.text.c_str(), nullptr);
      }
    }
  }
  Outcome<Ok> close() override {
    const lxw_error error = workbook_close(workbook_);
    workbook_ = nullptr;
    if (error != LXW_NO_ERROR) {
      return engine::fail(
          Error{Error::Kind::storage,
                std::string("writing the XLSX file failed: ") + lxw_strerror(error)});
    }
    return Ok{};
  }

 private:
  lxw_workbook* workbook_;
  lxw_worksheet* sheet_ = nullptr;
  lxw_format* bold_ = nullptr;
  lxw_format* money_ = nullptr;
  lxw_row_t row_ = 0;
};

}  // namespace

std::vector<std::string> export_header(const engine::Workflow& workflow) {
  std::vector<std::string> names = {"项目编号", "状态", "负责人"};
  if (workflow.parent) names.emplace_back(kParentHeader);  // items of a workflow with parent:
  for (const auto& field : workflow.fields)
    names.push_back(column_header(field));
  names.push_back("创建时间");
  names.push_back("更新时间");
  return names;
}

namespace {

Outcome<std::int64_t> export_to(Store& store, const engine::Workflow& workflow, Sink& sink,
                                const ProgressFn& progress) {
  sink.header(export_header(workflow));
  ProjectQuery query;
  query.workflow = workflow.id;
  query.sort = SortKey::created;
  query.descending = false;
  query.limit = 500;
  std::int64_t written = 0;
  for (;;) {
    auto page = store.list_projects(query);
    if (!page) return engine::fail(page.error());
    for (const auto& project : page->projects)
      sink.row(project_row(workflow, project));
    written += static_cast<std::int64_t>(page->projects.size());
    if (progress) progress(written, 0);
    if (page->next_cursor.empty()) break;
    query.cursor = page->next_cursor;
  }
  auto closed = sink.close();
  if (!closed) return engine::fail(closed.error());
  return written;
}

}  // namespace

Outcome<std::int64_t> export_projects(Store& store, const engine::Workflow& workflow,
                                      ExportFormat format, const std::filesystem::path& file,
                                      const ProgressFn& progress) {
  const Error cannot_write{Error::Kind::storage, "cannot write " + file.string()};
  if (format == ExportFormat::csv) {
    std::ofstream out(file, std::ios::binary);
    if (!out) return engine::fail(cannot_write);
    CsvSink sink(out);
    return export_to(store, workflow, sink, progress);
  }
  XlsxSink sink(file);
  if (!sink.open()) return engine::fail(cannot_write);
  return export_to(store, workflow, sink, progress);
}

Outcome<std::int64_t> export_projects_csv(Store& store, const engine::Workflow& workflow,
                                          std::ostream& out, const ProgressFn& progress) {
  CsvSink sink(out);
  return export_to(store, workflow, sink, progress);
}

}  // namespace investflow::storage
