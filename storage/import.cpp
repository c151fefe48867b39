// The import pipeline: a table read from a CSV or XLSX file -> columns matched to fields ->
// each row converted, checked (owners, keys, the engine's own rules) and planned as a
// create, an update, unchanged or refused -> written all or nothing (or the good rows with
// --partial), or only reported (dry run).
#include <sodium.h>

#include <algorithm>
#include <map>
#include <set>

#include "engine/decide.hpp"
#include "engine/typed_text.hpp"
#include "storage/field_text.hpp"
#include "storage/import_export.hpp"
#include "storage/import_values.hpp"
#include "storage/relations.hpp"
#include "storage/system_clock.hpp"
#include "storage/tabular.hpp"

namespace investflow::storage {
namespace {

using engine::LocalizedText;
using engine::trim;

LocalizedText text(std::string zh, std::string en) {
  return LocalizedText{std::move(zh), std::move(en)};
}

// --- the table ----------------------------------------------------------------------------

engine::Result<Table, TabularError> read_file(std::string_view file, const ImportOptions& options) {
  TabularOptions tabular;
  tabular.encoding = options.encoding;
  tabular.sheet = options.sheet;
  return read_table(file, options.file_name, tabular);
}

// A cell as text (ids, owners, parents, headers), blanks and invisible characters removed.
std::string cell_text(const TabularCell& cell) {
  switch (cell.kind) {
    case TabularCell::Kind::empty:
      return {};
    case TabularCell::Kind::number:
      return amount_text(cell.number);
    case TabularCell::Kind::date:
      return cell.date.to_string();
    case TabularCell::Kind::boolean:
      return cell.boolean ? "是" : "否";
    case TabularCell::Kind::text:
      break;
  }
  return clean_cell_text(cell.text);
}

// --- columns ------------------------------------------------------------------------------

enum class ColumnKind { field, id, owner, parent, ignored, unknown };

struct Column {
  ColumnKind kind = ColumnKind::unknown;
  const engine::FieldDef* field = nullptr;
  std::string header;   // as the file has it, trimmed
  LocalizedText label;  // what messages call it
};

const LocalizedText kIdLabel{"项目编号", "Project ID"};
const LocalizedText kOwnerLabel{"负责人", "Owner"};
const LocalizedText kParentLabel{std::string(kParentHeader), "Parent project"};

LocalizedText field_label(const engine::FieldDef& field) {
  LocalizedText label{column_header(field), field.label.en.empty() ? "" : field.label.en};
  if (label.en.empty()) label.en = label.zh;
  if (!field.unit.empty() && !field.label.en.empty()) label.en += " (" + field.unit + ")";
  return label;
}

bool header_is(std::string_view header, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), header) != names.end();
}

// A header with a unit in brackets, ASCII or full-width, any blanks before the bracket:
// the label part ("计划总投资 （万元）" -> "计划总投资").
std::string_view without_unit(std::string_view header) {
  for (std::string_view open : {"（", "("}) {
    const std::size_t at = header.rfind(open);
    if (at == std::string_view::npos || at == 0) continue;
    const std::string_view rest = header.substr(at + open.size());
    if (rest.ends_with("）") || rest.ends_with(")")) return trim(header.substr(0, at));
  }
  return header;
}

Column column_for(const engine::Workflow& workflow, std::string_view raw,
                  const std::vector<std::string>& ignore) {
  Column column;
  column.header = std::string(trim(raw));
  const std::string_view header = column.header;
  column.label = text(column.header, column.header);
  if (header.empty() || header == "序号" ||
      std::find(ignore.begin(), ignore.end(), header) != ignore.end()) {
    column.kind = ColumnKind::ignored;
    return column;
  }
  const engine::FieldDef* field = field_for_header(workflow, header);
  if (field == nullptr) {
    // The English label (a sheet exported in English), or a blank before the unit.
    for (const auto& candidate : workflow.fields) {
      if ((!candidate.label.en.empty() && candidate.label.en == header) ||
          (without_unit(header) != header &&
           field_for_header(workflow, without_unit(header)) == &candidate &&
           !candidate.unit.empty() && header.find(candidate.unit) != std::string_view::npos)) {
        field = &candidate;
        break;
      }
    }
  }
  if (field != nullptr) {
    column.kind = ColumnKind::field;
    column.field = field;
    column.label = field_label(*field);
    return column;
  }
  if (header_is(header, {"id", "项目编号", "编号"})) {
    column.kind = ColumnKind::id;
    column.label = kIdLabel;
  } else if (header_is(header, {"owner", "负责人"})) {
    column.kind = ColumnKind::owner;
    column.label = kOwnerLabel;
  } else if (header_is(header, {"parent", kParentHeader})) {
    column.kind = ColumnKind::parent;
    column.label = kParentLabel;
  } else if (header_is(header, {"state", "状态", "阶段", "version", "版本", "created_at",
                                "创建时间", "updated_at", "更新时间", "workflow", "流程"})) {
    column.kind = ColumnKind::ignored;  // what export adds for people
  } else {
    // A computed value (a typed-in field of older files, e.g. 承诺投资强度) is not read:
    // the workflow computes it. By name, or by its label with or without a unit.
    for (const auto& computed : workflow.computed) {
      if (header == computed.name ||
          (!computed.label.zh.empty() && without_unit(header) == computed.label.zh)) {
        column.kind = ColumnKind::ignored;
      }
    }
  }
  return column;
}

// --- owners -------------------------------------------------------------------------------

// The login of the user a cell names (login or display name), or a problem.
engine::Result<std::string, LocalizedText> owner_named(const std::vector<User>& users,
                                                       const std::string& name) {
  const User* found = nullptr;
  int by_display = 0;
  for (const User& user : users) {
    if (user.id == name) {
      found = &user;
      by_display = 0;
      break;
    }
    if (user.display_name == name) {
      found = &user;
      ++by_display;
    }
  }
  if (found == nullptr) {
    return engine::fail(
        text("没有用户“" + name + "”（负责人须为系统中已有的用户，填写登录名或姓名）",
             "no user '" + name + "' (an owner must be an existing user: login or name)"));
  }
  if (by_display > 1) {
    return engine::fail(text("有多个用户名为“" + name + "”，请填写登录名",
                             "several users are called '" + name + "'; give the login"));
  }
  if (found->disabled) {
    return engine::fail(text("用户“" + name + "”已停用", "user '" + name + "' is disabled"));
  }
  return found->id;
}

// --- values -------------------------------------------------------------------------------

std::string option_list(const engine::FieldDef& field) {
  std::string list;
  for (const auto& option : field.options) {
    const auto label = field.option_labels.find(option);
    list += (list.empty() ? "" : "、") +
            (label != field.option_labels.end() && !label->second.zh.empty() ? label->second.zh
                                                                             : option);
  }
  return list;
}

// read_field_cell's explanation, with the options when the cell named none.
LocalizedText value_problem(const engine::FieldDef& field, LocalizedText message) {
  if ((field.type == engine::FieldType::enumeration ||
       (field.type == engine::FieldType::list && !field.options.empty()))) {
    message.zh += "（可选：" + option_list(field) + "）";
    std::string options;
    for (const auto& option : field.options) {
      const auto label = field.option_labels.find(option);
      options += (options.empty() ? "" : ", ") +
                 (label != field.option_labels.end() && !label->second.en.empty() ? label->second.en
                                                                                  : option);
    }
    message.en += " (options: " + options + ")";
  }
  return message;
}

std::string value_text(const engine::FieldDef& field, const engine::Value& value) {
  std::string shown = field_to_text(field, value);
  if (!field.unit.empty() && value.as_number() != nullptr) shown += " " + field.unit;
  return shown;
}

std::string random_prefix() {
  unsigned char bytes[4];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string("IMP-") + hex;
}

// --- the pipeline -------------------------------------------------------------------------

struct Plan {
  std::size_t report_index = 0;  // into report_.rows
  WriteRequest request;
};

class Importer {
 public:
  Importer(Store& store, const engine::Workflow& workflow, const ImportOptions& options)
      : store_(store),
        workflow_(workflow),
        options_(options),
        prefix_(options.id_prefix.empty() ? random_prefix() : options.id_prefix),
        batch_("import:" + workflow.id + ":" + random_prefix().substr(4)),
        clock_(options.at.value_or(SystemClock().now())) {}

  ImportReport run(std::string_view file, const ProgressFn& progress) {
    report_.batch = batch_;
    auto table = read_file(file, options_);
    if (!table) {
      report_.file_error = table.error().message;
      return report_;
    }
    date1904_ = table->date1904;
    auto blank = [](const TabularRow& row) {
      return std::all_of(row.cells.begin(), row.cells.end(),
                         [](const TabularCell& cell) { return cell_text(cell).empty(); });
    };
    auto& rows = table->rows;
    auto header = std::find_if_not(rows.begin(), rows.end(), blank);
    if (header == rows.end()) {
      report_.file_error = text("文件是空的，没有表头", "the file is empty: no header row");
      return report_;
    }
    if (!read_header(header->cells) || !find_key() || !index_keys()) return report_;
    for (auto row = std::next(header); row != rows.end(); ++row) {
      if (blank(*row)) continue;  // blank lines, trailing empty rows
      read_row(*row);
    }
    for (const ImportRow& row : report_.rows)
      count(row.action, +1);
    if (options_.dry_run || (report_.refused > 0 && !options_.partial) || plans_.empty()) {
      return report_;
    }
    write(progress);
    return report_;
  }

 private:
  void count(ImportAction action, int delta) {
    switch (action) {
      case ImportAction::create:
        report_.created += delta;
        break;
      case ImportAction::update:
        report_.updated += delta;
        break;
      case ImportAction::unchanged:
        report_.unchanged += delta;
        break;
      case ImportAction::refused:
        report_.refused += delta;
        break;
    }
  }

  bool read_header(const std::vector<TabularCell>& header) {
    std::map<const engine::FieldDef*, std::string> seen;
    std::set<ColumnKind> seen_kinds;
    for (const TabularCell& cell : header) {
      Column column = column_for(workflow_, cell_text(cell), options_.ignore_columns);
      if (column.kind == ColumnKind::unknown) {
        report_.unknown_columns.push_back(column.header);
      } else if (column.kind == ColumnKind::ignored) {
        if (!column.header.empty()) report_.ignored_columns.push_back(column.header);
      } else if (column.kind == ColumnKind::field) {
        auto [at, fresh] = seen.emplace(column.field, column.header);
        if (!fresh) {
          report_.file_error = text("“" + at->second + "”和“" + column.header + "”是同一字段“" +
                                        column.label.zh + "”的两列，请删去一列",
                                    "'" + at->second + "' and '" + column.header +
                                        "' are two columns for the same field '" + column.label.en +
                                        "'; remove one");
          return false;
        }
      } else if (!seen_kinds.insert(column.kind).second) {
        report_.file_error = text("“" + column.label.zh + "”列出现了两次",
                                  "two columns for '" + column.label.en + "'");
        return false;
      }
      columns_.push_back(std::move(column));
    }
    if (!report_.unknown_columns.empty()) {
      std::string zh, en;
      for (const auto& name : report_.unknown_columns) {
        zh += (zh.empty() ? "" : "、") + ("“" + name + "”");
        en += (en.empty() ? "" : ", ") + ("'" + name + "'");
      }
      report_.file_error =
          text("流程“" + (workflow_.title.zh.empty() ? workflow_.id : workflow_.title.zh) +
                   "”没有这些列：" + zh + "。请核对表头，或用 --ignore-columns 忽略这些列",
               "columns not in workflow " + workflow_.id + ": " + en +
                   " (check the header, or leave them out with --ignore-columns)");
      return false;
    }
    return true;
  }

  // --key: which column, and so how rows find their project.
  bool find_key() {
    if (options_.key.empty()) return true;
    const Column wanted = column_for(workflow_, options_.key, {});
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const Column& column = columns_[i];
      const bool same = column.header == wanted.header ||
                        (wanted.kind == ColumnKind::field && column.field == wanted.field) ||
                        (wanted.kind == ColumnKind::id && column.kind == ColumnKind::id);
      if (!same) continue;
      if (column.kind != ColumnKind::field && column.kind != ColumnKind::id) {
        report_.file_error =
            text("“" + column.label.zh + "”列不能用来识别项目（--key）",
                 "the column '" + column.label.en + "' cannot identify projects (--key)");
        return false;
      }
      key_ = i;
      report_.key_column = column.label;
      return true;
    }
    report_.file_error =
        text("文件中没有用来识别项目的列“" + options_.key + "”（--key）",
             "the file has no column '" + options_.key + "' to identify projects (--key)");
    return false;
  }

  // A field key: the stored projects of the workflow by that field's value.
  bool index_keys() {
    if (!key_ || columns_[*key_].kind != ColumnKind::field) return true;
    const engine::FieldDef& field = *columns_[*key_].field;
    ProjectQuery query;
    query.workflow = workflow_.id;
    query.limit = 500;
    for (;;) {
      auto page = store_.list_projects(query);
      if (!page) {
        report_.file_error = text("读取已有项目失败：" + page.error().message,
                                  "reading the stored projects failed: " + page.error().message);
        return false;
      }
      for (const auto& project : page->projects) {
        const engine::Value value = project.field(field.name);
        if (!value.is_null()) by_key_[field_to_text(field, value)].push_back(project.id);
      }
      if (page->next_cursor.empty()) return true;
      query.cursor = page->next_cursor;
    }
  }

  LocalizedText label_of_field(const std::string& name) const {
    for (const Column& column : columns_) {
      if (column.field != nullptr && column.field->name == name) return column.label;
    }
    if (name == "parent") return kParentLabel;
    if (const engine::FieldDef* field = workflow_.find_field(name)) return field_label(*field);
    return text(name, name);
  }

  void add_reasons(ImportRow& row, const std::vector<engine::Reason>& reasons) {
    for (const auto& reason : reasons) {
      // A field whose cell could not be read is missing from the command: its problem is
      // reported already, not again as "required".
      if (reason.code == reason::kBatchAborted || unreadable_.contains(reason.field)) continue;
      row.problems.push_back(
          {reason.field.empty() ? LocalizedText{} : label_of_field(reason.field),
           reason.message.empty() ? text(reason.code, reason.code) : reason.message});
    }
  }

  void read_row(const TabularRow& source) {
    unreadable_.clear();
    ImportRow& row = report_.rows.emplace_back();
    row.row = source.source_row;
    auto problem = [&](const Column* column, LocalizedText message) {
      row.problems.push_back(
          {column != nullptr ? column->label : LocalizedText{}, std::move(message)});
    };
    engine::FieldMap fields;
    std::string id, owner, parent;
    const Column* owner_column = nullptr;
    std::string key_text;
    for (std::size_t i = columns_.size(); i < source.cells.size(); ++i) {
      if (!cell_text(source.cells[i]).empty()) {
        const std::string letters = column_letters(static_cast<int>(i + 1));
        problem(nullptr, text(letters + " 列有内容但没有表头",
                              "column " + letters + " has a value but no header"));
        break;
      }
    }
    static const TabularCell kEmpty;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const Column& column = columns_[i];
      const TabularCell& cell = i < source.cells.size() ? source.cells[i] : kEmpty;
      const std::string value_text_in = column.kind == ColumnKind::field ? "" : cell_text(cell);
      switch (column.kind) {
        case ColumnKind::field: {
          auto input = read_field_cell(*column.field, cell, date1904_);
          if (!input) {
            problem(&column, value_problem(*column.field, std::move(input.error())));
            unreadable_.insert(column.field->name);
          } else if (!input->value.is_null()) {
            if (key_ == i) key_text = field_to_text(*column.field, input->value);
            row.values.push_back(
                {column.label, value_text(*column.field, input->value), std::move(input->how)});
            fields.insert_or_assign(column.field->name, std::move(input->value));
          }
          break;
        }
        case ColumnKind::id:
          id = std::string(value_text_in);
          if (key_ == i) key_text = id;
          break;
        case ColumnKind::owner:
          owner = std::string(value_text_in);
          owner_column = &column;
          break;
        case ColumnKind::parent:
          parent = std::string(value_text_in);
          break;
        default:
          break;
      }
    }
    if (!owner.empty() && options_.users) {
      auto login = owner_named(*options_.users, owner);
      if (!login) {
        problem(owner_column, login.error());
      } else {
        row.values.push_back(
            {kOwnerLabel, owner == *login ? owner : owner + "（" + *login + "）", {}});
        owner = *login;
      }
    }

    // The project the row's key finds, if any.
    std::optional<engine::Project> existing;
    if (key_ && !key_text.empty()) {
      const Column& column = columns_[*key_];
      auto [first, fresh] = keys_seen_.emplace(key_text, row.row);
      if (!fresh) {
        problem(&column, text("与第 " + std::to_string(first->second) + " 行重复（同一" +
                                  column.label.zh + "“" + key_text + "”）",
                              "the same " + column.label.en + " '" + key_text + "' as row " +
                                  std::to_string(first->second)));
      } else if (column.kind == ColumnKind::id) {
        auto found = store_.project(key_text);
        if (!found) {
          problem(nullptr, text("读取项目失败：" + found.error().message, found.error().message));
        } else if (*found) {
          existing = std::move(**found);
        }
      } else {
        const auto matches = by_key_.find(key_text);
        if (matches != by_key_.end() && matches->second.size() > 1) {
          problem(&column,
                  text("有 " + std::to_string(matches->second.size()) + " 个项目的" +
                           column.label.zh + "都是“" + key_text + "”，无法确定更新哪一个",
                       "" + std::to_string(matches->second.size()) + " projects have the " +
                           column.label.en + " '" + key_text + "': cannot tell which to update"));
        } else if (matches != by_key_.end()) {
          auto found = store_.project(matches->second.front());
          if (found && *found) existing = std::move(**found);
        }
      }
    }

    WriteRequest request;
    request.actor = options_.actor;
    request.workflow = workflow_.id;
    request.at = options_.at;
    request.batch = batch_;  // one digest per chat robot for the whole import
    if (existing) {
      plan_update(row, *existing, std::move(fields), id, owner, parent, std::move(request));
    } else {
      plan_create(row, std::move(fields), id, owner, parent, std::move(request));
    }
  }

  void plan_create(ImportRow& row, engine::FieldMap fields, std::string id, std::string owner,
                   std::string parent, WriteRequest request) {
    if (id.empty()) id = prefix_ + "-" + std::to_string(row.row);
    row.project_id = id;
    if (!ids_.insert(id).second) {
      row.problems.push_back({kIdLabel, text("项目编号“" + id + "”在文件中出现了两次",
                                             "project id " + id + " appears twice")});
    }
    engine::CreateProject create;
    create.fields = std::move(fields);
    create.owner = owner.empty() ? options_.owner : owner;
    create.parent = std::move(parent);
    request.command.project_id = id;
    request.command.body = std::move(create);
    {
      // The engine's own checks (required fields, bounds, options, roles) on this row, so
      // that the report lists every problem of the row at once.
      auto decision =
          engine::decide(workflow_, engine::Project{}, request.command, request.actor, clock_,
                         relations_of(std::get<engine::CreateProject>(request.command.body)));
      if (!decision) add_reasons(row, decision.error().reasons);
    }
    finish(row, ImportAction::create, std::move(request));
  }

  void plan_update(ImportRow& row, const engine::Project& project, engine::FieldMap fields,
                   const std::string& id, const std::string& owner, const std::string& parent,
                   WriteRequest request) {
    row.project_id = project.id;
    if (project.workflow != workflow_.id) {
      row.problems.push_back(
          {report_.key_column, text("项目“" + project.id + "”属于另一流程，不能在此导入中更新",
                                    "project '" + project.id +
                                        "' follows another workflow; it cannot be updated here")});
    }
    if (!id.empty() && id != project.id) {
      row.problems.push_back(
          {kIdLabel, text("项目编号“" + id + "”与按" + report_.key_column.zh + "找到的项目“" +
                              project.id + "”不一致",
                          "project id '" + id + "' differs from the project found by " +
                              report_.key_column.en + ", '" + project.id + "'")});
    }
    if (!owner.empty() && owner != project.owner) {
      row.problems.push_back(
          {kOwnerLabel, text("导入不能更换已有项目的负责人（现为“" + project.owner + "”）",
                             "an import does not change an existing project's owner (now '" +
                                 project.owner + "')")});
    }
    if (!parent.empty() && parent != project.parent) {
      row.problems.push_back(
          {kParentLabel, text("导入不能更改已有项目的所属项目（现为“" + project.parent + "”）",
                              "an import does not change an existing project's parent (now '" +
                                  project.parent + "')")});
    }
    if (!ids_.insert(project.id).second) {
      row.problems.push_back(
          {report_.key_column, text("项目“" + project.id + "”在文件中出现了两次",
                                    "project " + project.id + " appears twice")});
    }
    request.command.project_id = project.id;
    request.command.expected_version = project.version;
    request.command.body = engine::EditFields{std::move(fields)};
    ImportAction action = ImportAction::update;
    if (project.workflow == workflow_.id) {
      // The edit as the engine decides it on the project as stored: roles, guards, bounds.
      // Nothing to change is "unchanged", not a refusal.
      auto workflow = store_.workflow(project.workflow, project.workflow_version);
      auto relations = store_.relations(project);
      if (!workflow || !relations) {
        row.problems.push_back({{},
                                text("无法读取项目“" + project.id + "”的流程",
                                     "cannot read the workflow of project " + project.id)});
      } else {
        auto decision =
            engine::decide(*workflow, project, request.command, request.actor, clock_, *relations);
        if (!decision) {
          const auto& reasons = decision.error().reasons;
          if (reasons.size() == 1 && reasons.front().code == engine::reason::kNothingToDo) {
            action = ImportAction::unchanged;  // (refused all the same if the row has problems)
          } else {
            add_reasons(row, reasons);
          }
        }
      }
    }
    finish(row, action, std::move(request));
  }

  void finish(ImportRow& row, ImportAction action, WriteRequest request) {
    if (!row.problems.empty()) {
      row.action = ImportAction::refused;
      return;
    }
    row.action = action;
    if (action == ImportAction::unchanged) return;
    plans_.push_back(Plan{report_.rows.size() - 1, std::move(request)});
  }

  // The parent a row names, as the store has it (the writer looks again when it writes).
  engine::Relations relations_of(const engine::CreateProject& create) {
    if (create.parent.empty()) return {};
    std::optional<engine::Project> parent;
    RelationSource source;
    source.project = [&](const std::string& id) -> const engine::Project* {
      auto found = store_.project(id);
      if (!found || !*found) return nullptr;
      parent = std::move(**found);
      return &*parent;
    };
    source.children = [](const std::string&, const std::string&) {
      return std::vector<ChildRow>{};
    };
    source.workflow = [&](const std::string& id, std::int64_t version) {
      return store_.workflow(id, version);
    };
    return relations_for(workflow_, engine::Project{}, create.parent, source);
  }

  void write(const ProgressFn& progress) {
    unreadable_.clear();
    std::vector<WriteRequest> requests;
    requests.reserve(plans_.size());
    for (const Plan& plan : plans_)
      requests.push_back(plan.request);
    const auto total = static_cast<std::int64_t>(requests.size());

    if (!options_.partial) {
      std::vector<WriteResult> results = store_.write_atomic(std::move(requests)).get();
      bool all = true;
      for (std::size_t i = 0; i < results.size(); ++i)
        all = note(plans_[i].report_index, results[i]) && all;
      report_.written = all;
      if (progress) progress(total, total);
      return;
    }
    // Partial: each row on its own, many in flight at once.
    constexpr std::size_t kWindow = 2048;
    std::vector<std::future<WriteResult>> pending;
    std::size_t next_to_note = 0;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      pending.push_back(store_.write(std::move(requests[i])));
      if (pending.size() - next_to_note >= kWindow || i + 1 == requests.size()) {
        for (; next_to_note < pending.size(); ++next_to_note) {
          if (note(plans_[next_to_note].report_index, pending[next_to_note].get())) {
            report_.written = true;
          }
        }
        if (progress) progress(static_cast<std::int64_t>(i + 1), total);
      }
    }
  }

  // A row refused by the writer (the project changed meanwhile, a clash) is refused in the
  // report with the engine's reasons. True when the row was written.
  bool note(std::size_t index, const WriteResult& result) {
    if (result.accepted()) return true;
    ImportRow& row = report_.rows[index];
    if (result.rejected()) {
      add_reasons(row, result.rejection.reasons);
    } else {
      row.problems.push_back(
          {{}, text("写入失败：" + result.error, "write failed: " + result.error)});
    }
    if (!row.problems.empty()) {  // not only aborted with the batch
      count(row.action, -1);
      row.action = ImportAction::refused;
      count(row.action, +1);
    }
    return false;
  }

  Store& store_;
  const engine::Workflow& workflow_;
  const ImportOptions& options_;
  const std::string prefix_;
  const std::string batch_;  // WriteRequest::batch of every write of this run
  const engine::FixedClock clock_;
  bool date1904_ = false;  // the workbook's date system (Excel serials in date fields)
  std::vector<Column> columns_;
  std::optional<std::size_t> key_;                          // into columns_
  std::map<std::string, std::vector<std::string>> by_key_;  // field key -> project ids
  std::map<std::string, int> keys_seen_;                    // key -> first row with it
  std::set<std::string> ids_;
  std::set<std::string, std::less<>> unreadable_;  // fields of the current row
  std::vector<Plan> plans_;
  ImportReport report_;
};

}  // namespace

ImportReport import_projects(Store& store, const engine::Workflow& workflow, std::string_view file,
                             const ImportOptions& options, const ProgressFn& progress) {
  return Importer(store, workflow, options).run(file, progress);
}

std::string import_problem_text(const ImportRow& row, const ImportProblem& problem,
                                std::string_view lang) {
  const bool english = lang.substr(0, 2) == "en";
  const std::string& column = problem.column.in(lang);
  if (english) {
    return "row " + std::to_string(row.row) + (column.empty() ? "" : ", " + column) + ": " +
           problem.message.in(lang);
  }
  return "第 " + std::to_string(row.row) + " 行" + (column.empty() ? "" : "，" + column) + "：" +
         problem.message.in(lang);
}

std::string import_summary_text(const ImportReport& report, bool dry_run, bool partial,
                                std::string_view lang) {
  const bool english = lang.substr(0, 2) == "en";
  const auto n = [](int count) { return std::to_string(count); };
  std::string summary =
      english ? "created " + n(report.created) + ", updated " + n(report.updated) + ", unchanged " +
                    n(report.unchanged) + ", refused " + n(report.refused)
              : "新建 " + n(report.created) + "，更新 " + n(report.updated) + "，未变 " +
                    n(report.unchanged) + "，拒绝 " + n(report.refused);
  if (dry_run) {
    summary += english ? " (dry run: nothing written)" : "（试运行，未写入任何数据）";
  } else if (!report.written && report.refused > 0 && !partial) {
    summary += english ? "; nothing written (fix the refused rows, or use --partial)"
                       : "；未写入任何数据（请修改被拒绝的行，或用 --partial 只导入无误的行）";
  } else if (!report.written && report.created + report.updated > 0) {
    summary += english ? "; nothing written" : "；未写入任何数据";
  }
  return summary;
}

}  // namespace investflow::storage
