#include <fstream>
#include <memory>

#include "storage/field_text.hpp"
#include "storage/import_export.hpp"
#include "storage/sheet_output.hpp"

namespace investflow::storage {
namespace {

using engine::FieldType;

std::string state_label(const engine::Workflow& workflow, const std::string& state) {
  const engine::StateDef* def = workflow.find_state(state);
  return def == nullptr || def->label.zh.empty() ? state : def->label.zh;
}

// A field's cell: text as import reads it back (CSV, full precision), and for XLSX the
// value typed: numbers rounded to the field's precision (money in 万元 and areas to two
// places, other numbers to six), dates as dates; enum options and booleans as labels.
SheetCell field_cell(const engine::FieldDef& field, const engine::Value& value) {
  std::string text = field_to_text(field, value);
  if (const double* number = value.as_number()) {
    const bool amount = field.type == FieldType::money || field.type == FieldType::area;
    if (amount || field.type == FieldType::number) {
      SheetCell cell = amount ? number_cell(*number) : number_cell(*number, 6, false);
      cell.text = std::move(text);
      return cell;
    }
  }
  if (const engine::Date* date = value.as_date();
      date != nullptr && field.type == FieldType::date) {
    return date_cell(*date);
  }
  return text_cell(std::move(text));
}

std::vector<SheetCell> project_row(const engine::Workflow& workflow,
                                   const engine::Project& project) {
  std::vector<SheetCell> row;
  row.push_back(text_cell(project.id));
  row.push_back(text_cell(state_label(workflow, project.state)));
  row.push_back(text_cell(project.owner));
  if (workflow.parent) row.push_back(text_cell(project.parent));
  for (const auto& field : workflow.fields)
    row.push_back(field_cell(field, project.field(field.name)));
  row.push_back(timestamp_cell(project.created_at));
  row.push_back(timestamp_cell(project.updated_at));
  return row;
}

// Writes rows as they come; the CSV and XLSX sinks differ only in how.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void header(const std::vector<std::string>& names) = 0;
  virtual void row(const std::vector<SheetCell>& cells) = 0;
  virtual Outcome<Ok> close() = 0;
};

class CsvSink final : public Sink {
 public:
  explicit CsvSink(std::ostream& out) : out_(out) {
    out_ << "\xEF\xBB\xBF";  // a byte order mark, so spreadsheet programs read UTF-8
  }
  void header(const std::vector<std::string>& names) override { write_csv_header(out_, names); }
  void row(const std::vector<SheetCell>& cells) override { write_csv_cells(out_, cells); }
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
  explicit XlsxSink(const std::filesystem::path& file) : book_(file) {}
  bool open() const { return book_.open(); }
  // The project id stays in view with the header.
  void header(const std::vector<std::string>& names) override { book_.add_sheet("项目", names, 1); }
  void row(const std::vector<SheetCell>& cells) override { book_.add_row(cells); }
  Outcome<Ok> close() override { return book_.close(); }

 private:
  XlsxBook book_;
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

// Every project `filter` lists (its cursor and limit aside), oldest first.
Outcome<std::int64_t> export_to(Store& store, const engine::Workflow& workflow, Sink& sink,
                                const ProgressFn& progress, ProjectQuery query = {}) {
  sink.header(export_header(workflow));
  query.workflow = workflow.id;
  query.sort = SortKey::created;
  query.descending = false;
  query.cursor.clear();
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

std::string export_file_name(const engine::Workflow& workflow, engine::Date day,
                             ExportFormat format) {
  const std::string title = workflow.title.zh.empty() ? workflow.id : workflow.title.zh;
  return download_file_name(title + "台账", workflow.id, day,
                            engine::name_in(kExportFormatNames, format));
}

Outcome<std::int64_t> export_projects_csv(Store& store, const engine::Workflow& workflow,
                                          std::ostream& out, const ProgressFn& progress) {
  CsvSink sink(out);
  return export_to(store, workflow, sink, progress);
}

Outcome<std::int64_t> export_project_list(Store& store, const engine::Workflow& workflow,
                                          const ProjectQuery& filter, ExportFormat format,
                                          const std::filesystem::path& file) {
  if (format == ExportFormat::csv) {
    std::ofstream out(file, std::ios::binary);
    if (!out) return engine::fail(Error{Error::Kind::storage, "cannot write " + file.string()});
    CsvSink sink(out);
    return export_to(store, workflow, sink, {}, filter);
  }
  XlsxSink sink(file);
  if (!sink.open()) {
    return engine::fail(Error{Error::Kind::storage, "cannot write " + file.string()});
  }
  return export_to(store, workflow, sink, {}, filter);
}

}  // namespace investflow::storage
