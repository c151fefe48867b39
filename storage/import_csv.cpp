#include <sodium.h>

#include <set>
#include <variant>

#include "engine/decide.hpp"
#include "engine/typed_text.hpp"
#include "storage/csv.hpp"
#include "storage/field_text.hpp"
#include "storage/import_export.hpp"
#include "storage/relations.hpp"
#include "storage/system_clock.hpp"

namespace investflow::storage {
namespace {

using engine::trim;

// What a CSV column holds.
struct IdColumn {};
struct OwnerColumn {};
struct ParentColumn {};
struct IgnoredColumn {};  // what export adds for people (state, timestamps)
using Column =
    std::variant<const engine::FieldDef*, IdColumn, OwnerColumn, ParentColumn, IgnoredColumn>;

std::optional<Column> column_for(const engine::Workflow& workflow, std::string_view header) {
  header = trim(header);
  if (const engine::FieldDef* field = field_for_header(workflow, header)) return field;
  if (header == "id" || header == "项目编号") return IdColumn{};
  if (header == "owner" || header == "负责人") return OwnerColumn{};
  if (header == "parent" || header == kParentHeader) return ParentColumn{};
  for (const char* ignored : {"state", "状态", "version", "版本", "created_at", "创建时间",
                              "updated_at", "更新时间", "workflow", "流程"}) {
    if (header == ignored) return IgnoredColumn{};
  }
  // A computed value (a field of older files, e.g. 承诺投资强度, now computed from the
  // amounts) is not read: the workflow computes it. By name, or by its label with or
  // without a unit in brackets.
  for (const auto& computed : workflow.computed) {
    const std::string& label = computed.label.zh;
    if (header == computed.name ||
        (!label.empty() && header.substr(0, label.size()) == label &&
         (header.size() == label.size() || header.substr(label.size(), 1) == "(" ||
          header.substr(label.size(), 3) == "（"))) {
      return IgnoredColumn{};
    }
  }
  return std::nullopt;
}

std::string random_prefix() {
  unsigned char bytes[4];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string("IMP-") + hex;
}

std::string describe(const engine::Reason& reason) {
  const std::string& text = reason.message.zh.empty() ? reason.message.en : reason.message.zh;
  std::string message = reason.field.empty() ? "" : reason.field + ": ";
  message += text.empty() ? reason.code : text;
  return message;
}

struct Row {
  int line = 0;
  WriteRequest request;
};

class Importer {
 public:
  Importer(Store& store, const engine::Workflow& workflow, const ImportOptions& options)
      : store_(store),
        workflow_(workflow),
        options_(options),
        prefix_(options.id_prefix.empty() ? random_prefix() : options.id_prefix) {}

  ImportReport run(std::istream& csv, const ProgressFn& progress) {
    CsvReader reader(csv);
    auto header = reader.next();
    if (!header) {
      report_.file_error = "the file is empty";
      return report_;
    }
    if (!read_header(*header)) return report_;
    while (auto record = reader.next()) {
      if (!reader.error().empty()) break;
      if (std::all_of(record->begin(), record->end(),
                      [](const std::string& cell) { return trim(cell).empty(); })) {
        continue;  // blank lines, trailing empty rows
      }
      ++report_.rows;
      for (std::string& cell : *record)
        cell = from_spreadsheet_text(std::move(cell));  // what an export protected
      read_row(reader.line(), *record);
    }
    if (!reader.error().empty()) {
      report_.file_error = reader.error();
      return report_;
    }
    if (!report_.problems.empty() && !options_.partial) return report_;
    write(progress);
    return report_;
  }

 private:
  bool read_header(const std::vector<std::string>& header) {
    std::vector<std::string> unknown;
    std::set<std::string> seen_fields;
    for (const std::string& cell : header) {
      auto column = column_for(workflow_, cell);
      if (!column) {
        unknown.push_back(std::string(trim(cell)));
        continue;
      }
      if (const auto* field = std::get_if<const engine::FieldDef*>(&*column)) {
        if (!seen_fields.insert((*field)->name).second) {
          report_.file_error = "two columns for the field " + (*field)->name;
          return false;
        }
      }
      columns_.push_back(*column);
    }
    if (!unknown.empty()) {
      std::string list;
      for (const auto& name : unknown)
        list += (list.empty() ? "" : ", ") + ("'" + name + "'");
      report_.file_error = "columns not in workflow " + workflow_.id + ": " + list;
      return false;
    }
    return true;
  }

  void read_row(int line, const std::vector<std::string>& cells) {
    ImportRowProblem problem{line, {}};
    if (cells.size() != columns_.size()) {
      problem.messages.push_back("has " + std::to_string(cells.size()) + " cells, the header " +
                                 std::to_string(columns_.size()));
      report_.problems.push_back(std::move(problem));
      return;
    }
    engine::CreateProject create;
    std::string id;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (const auto* field = std::get_if<const engine::FieldDef*>(&columns_[i])) {
        auto value = field_from_text(**field, cells[i]);
        if (!value) {
          problem.messages.push_back(column_header(**field) + ": " + value.error());
        } else if (!value->is_null()) {
          create.fields.insert_or_assign((*field)->name, std::move(*value));
        }
      } else if (std::holds_alternative<IdColumn>(columns_[i])) {
        id = std::string(trim(cells[i]));
      } else if (std::holds_alternative<OwnerColumn>(columns_[i])) {
        create.owner = std::string(trim(cells[i]));
      } else if (std::holds_alternative<ParentColumn>(columns_[i])) {
        create.parent = std::string(trim(cells[i]));
      }
    }
    if (id.empty()) id = prefix_ + "-" + std::to_string(report_.rows);
    if (!ids_.insert(id).second) problem.messages.push_back("project id " + id + " appears twice");
    if (create.owner.empty()) create.owner = options_.owner;

    WriteRequest request;
    request.command.project_id = id;
    request.command.body = std::move(create);
    request.actor = options_.actor;
    request.workflow = workflow_.id;
    request.at = options_.at;
    if (problem.messages.empty()) {
      // Dry run: the engine's own checks (required fields, bounds, options) on this row.
      const engine::FixedClock clock(options_.at.value_or(SystemClock().now()));
      auto decision =
          engine::decide(workflow_, engine::Project{}, request.command, request.actor, clock,
                         relations_of(std::get<engine::CreateProject>(request.command.body)));
      if (!decision) {
        for (const auto& reason : decision.error().reasons) {
          problem.messages.push_back(describe(reason));
        }
      }
    }
    if (!problem.messages.empty()) {
      report_.problems.push_back(std::move(problem));
      return;
    }
    rows_.push_back(Row{line, std::move(request)});
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
    std::vector<WriteRequest> requests;
    requests.reserve(rows_.size());
    for (const Row& row : rows_)
      requests.push_back(row.request);
    const auto total = static_cast<std::int64_t>(requests.size());

    if (!options_.partial) {
      std::vector<WriteResult> results = store_.write_atomic(std::move(requests)).get();
      for (std::size_t i = 0; i < results.size(); ++i)
        note(rows_[i].line, results[i]);
      if (report_.problems.empty()) report_.imported = static_cast<int>(results.size());
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
          WriteResult result = pending[next_to_note].get();
          if (result.accepted()) ++report_.imported;
          note(rows_[next_to_note].line, result);
        }
        if (progress) progress(static_cast<std::int64_t>(i + 1), total);
      }
    }
  }

  void note(int line, const WriteResult& result) {
    if (result.accepted()) return;
    ImportRowProblem problem{line, {}};
    if (result.rejected()) {
      for (const auto& reason : result.rejection.reasons) {
        if (reason.code != reason::kBatchAborted) problem.messages.push_back(describe(reason));
      }
    } else {
      problem.messages.push_back(result.error);
    }
    if (!problem.messages.empty()) report_.problems.push_back(std::move(problem));
  }

  Store& store_;
  const engine::Workflow& workflow_;
  const ImportOptions& options_;
  const std::string prefix_;
  std::vector<Column> columns_;
  std::set<std::string> ids_;
  std::vector<Row> rows_;
  ImportReport report_;
};

}  // namespace

ImportReport import_csv(Store& store, const engine::Workflow& workflow, std::istream& csv,
                        const ImportOptions& options, const ProgressFn& progress) {
  return Importer(store, workflow, options).run(csv, progress);
}

}  // namespace investflow::storage
