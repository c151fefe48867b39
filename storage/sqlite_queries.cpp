#include "storage/sqlite_queries.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>
#include <stdexcept>
#include <string>
#include <variant>

#include "engine/visibility.hpp"
#include "storage/codec.hpp"
#include "storage/figures.hpp"
#include "storage/list_cursor.hpp"
#include "storage/projection_columns.hpp"
#include "storage/scope_sql.hpp"
#include "storage/wire_json.hpp"

namespace investflow::storage {
namespace json = boost::json;

namespace {

// A sort value as the column holds it.
using SortValue = ProjectListSql::Value;

Error invalid(std::string message) {
  return Error{Error::Kind::invalid_request, std::move(message)};
}

SortValue read_sort_value(SortKey key, const SQLite::Column& column) {
  switch (key) {
    case SortKey::updated:
    case SortKey::created:
      return column.getInt64();
    case SortKey::investment:
      return column.getDouble();
    case SortKey::name:
    case SortKey::due:
    case SortKey::alert:
      return column.getString();
  }
  return column.getString();
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string like_pattern(std::string_view text) {
  std::string pattern = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern.push_back('\\');
    pattern.push_back(c);
  }
  pattern.push_back('%');
  return pattern;
}

std::string fts_phrase(std::string_view text) {
  std::string phrase = "\"";
  for (const char c : text) {
    if (c == '"') phrase.push_back('"');
    phrase.push_back(c);
  }
  phrase.push_back('"');
  return phrase;
}

// q (the list's search): the projects whose id starts with the text (as typed, in capitals
// or in small letters) or whose name or investor (the field tagged enterprise) contains it.
// Text of three characters or more is looked up first: the full-text index (trigram) and
// the id index give the matching rows; when they are few (kFewMatches at most), the list
// reads just those rows and sorts them. Text that matches many rows (or is shorter) is
// tested row by row along the sort order's index instead, where matches come soon: the
// same meaning through LIKE (substrings, ASCII letters in any case, as trigram matching).
constexpr std::size_t kFewMatches = 5000;

struct TextSearch {
  std::string sql;
  std::vector<SortValue> parameters;
  bool many = false;  // tested row by row
};

TextSearch text_search(Connection& connection, const std::string& text) {
  std::string upper = text;
  std::string lower = text;
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<std::string> prefixes{text};
  for (const std::string& each : {upper, lower}) {
    if (std::find(prefixes.begin(), prefixes.end(), each) == prefixes.end())
      prefixes.push_back(each);
  }
  TextSearch search;
  std::vector<std::int64_t> rows;
  const auto collect = [&](SQLite::Statement& select) {
    std::size_t found = 0;
    while (!search.many && select.executeStep()) {
      rows.push_back(select.getColumn(0).getInt64());
      search.many = ++found > kFewMatches;
    }
  };
  if (utf8_length(text) < 3) search.many = true;
  const std::string limit = " LIMIT " + std::to_string(kFewMatches + 1);
  for (const std::string& prefix : prefixes) {
    if (search.many) break;
    // Every id that starts with `prefix`: from it up to (not including) its last byte + 1.
    std::string end = prefix;
    while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xFF)
      end.pop_back();
    auto select = connection.statement(
        end.empty() ? "SELECT rowid FROM projects WHERE id >= ?" + limit
                    : "SELECT rowid FROM projects WHERE id >= ? AND id < ?" + limit);
    select->bind(1, prefix);
    if (!end.empty()) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      select->bind(2, end);
    }
    collect(*select);
  }
  if (!search.many) {
    auto select =
        connection.statement("SELECT rowid FROM projects_fts WHERE projects_fts MATCH ?" + limit);
    select->bind(1, fts_phrase(text));
    collect(*select);
  }
  if (!search.many) {
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    search.many = rows.size() > kFewMatches;
  }
  if (!search.many) {
    search.sql = "rowid IN (";
    for (std::size_t i = 0; i < rows.size(); ++i)
      search.sql += (i == 0 ? "" : ",") + std::to_string(rows[i]);
    search.sql += ")";
    return search;
  }
  const std::string pattern = like_pattern(text);
  search.sql = "(name LIKE ? ESCAPE '\\' OR investor LIKE ? ESCAPE '\\'";
  search.parameters = {pattern, pattern};
  for (const std::string& prefix : prefixes) {
    search.sql += " OR substr(id, 1, ?) = ?";
    search.parameters.push_back(static_cast<std::int64_t>(prefix.size()));
    search.parameters.push_back(prefix);
  }
  search.sql += ")";
  return search;
}

// Collects SQL conditions and their parameters in order.
class Conditions {
 public:
  void add(std::string sql, SortValue parameter) {
    sql_ += " AND " + sql;
    parameters_.push_back(std::move(parameter));
  }
  void add(std::string sql, std::vector<SortValue> parameters) {
    sql_ += " AND " + sql;
    for (auto& parameter : parameters)
      parameters_.push_back(std::move(parameter));
  }
  const std::string& sql() const { return sql_; }
  std::vector<SortValue>& parameters() { return parameters_; }

 private:
  std::string sql_;
  std::vector<SortValue> parameters_;
};

}  // namespace

std::optional<engine::Project> query_project(Connection& connection, std::string_view id) {
  auto select = connection.statement("SELECT body FROM projects WHERE id = ?");
  select->bind(1, std::string(id));
  if (!select->executeStep()) return std::nullopt;
  auto project = decode_project(select->getColumn(0).getString());
  if (!project) {
    throw std::runtime_error("stored projection of " + std::string(id) +
                             " is unreadable: " + project.error().to_string());
  }
  return std::move(*project);
}

std::optional<ProjectJson> query_project_json(Connection& connection, std::string_view id,
                                              const WorkflowRegistry* workflows) {
  auto project = query_project(connection, id);
  if (!project) return std::nullopt;
  const auto workflow = workflows != nullptr
                            ? workflows->find(project->workflow, project->workflow_version)
                            : nullptr;
  return project_wire_json(*project, workflow.get());
}

void ProjectListSql::bind(SQLite::Statement& statement) const {
  int index = 1;
  for (const Value& parameter : parameters) {
    std::visit([&](const auto& value) { statement.bind(index, value); }, parameter);
    ++index;
  }
}

Outcome<ProjectListSql> project_list_sql(Connection& connection, const ProjectQuery& query) {
  if (auto checked = check_list_query(query); !checked) return engine::fail(checked.error());
  Conditions where;
  // Unary plus keeps SQLite off the workflow index: with a handful of workflows it never
  // narrows enough to beat walking the sort order's own index (an overdue list of one
  // workflow: 200 ms through projects_workflow and a sort, 1 ms along projects_due, on
  // 100,000 projects).
  if (query.items) {
    // Items (children) have indexes of their own that start with the workflow.
    where.add("parent IS NOT NULL", std::vector<SortValue>{});
    if (!query.workflow.empty()) where.add("workflow = ?", query.workflow);
  } else if (!query.workflow.empty()) {
    where.add("+workflow = ?", query.workflow);
  }
  if (!query.responsible_unit.empty()) where.add("responsible_unit = ?", query.responsible_unit);
  if (!query.problem_category.empty()) where.add("problem_category = ?", query.problem_category);
  if (!query.parent_promoting_unit.empty()) {
    where.add("parent_promoting_unit = ?", query.parent_promoting_unit);
  }
  // A state or an industry holds many projects (a handful of values each), so a page of
  // them comes soon along the sort order's own index. Unary plus keeps SQLite from reading
  // every project of the industry (or of the state, but in the default order, which the
  // index on state and updated_at gives) and sorting them: on 1,000,000 projects, 275 ms
  // for one industry and stage by investment, against a few ms along projects_investment.
  // Both, by investment (the console's 台账 of a stage in an industry), have their own
  // index (projects_industry_state): 23 ms along projects_investment, 1 ms along it.
  const bool industry_and_stage =
      !query.state.empty() && !query.industry.empty() && query.sort == SortKey::investment;
  if (!query.state.empty()) {
    where.add(query.sort == SortKey::updated || industry_and_stage ? "state = ?" : "+state = ?",
              query.state);
  }
  if (!query.industry.empty()) {
    where.add(industry_and_stage ? "industry = ?" : "+industry = ?", query.industry);
  }
  if (!query.owner.empty()) where.add("owner = ?", query.owner);
  if (!query.parent.empty()) where.add("parent = ?", query.parent);
  if (!query.promoting_unit.empty()) where.add("promoting_unit = ?", query.promoting_unit);
  if (!query.holder_field.empty()) {
    // Through the holder keys the writer keeps (engine::lookup_keys), not by reading every
    // project's body: a user who holds none is answered at once.
    where.add("id IN (SELECT project_id FROM project_access WHERE key = ?)",
              std::vector<SortValue>{engine::holder_key(query.holder_field, query.holder)});
  }
  if (query.overdue_on) where.add("next_due_on < ?", query.overdue_on->to_string());
  if (query.alert_before) {
    // The second term is the partial index projects_alert's own condition, which SQLite
    // must find in the query to use it (it does not infer it from the first).
    where.add("next_alert_on < ?", query.alert_before->to_string());
    where.add("next_alert_on < '" + std::string(kNoDeadline) + "'", std::vector<SortValue>{});
  }
  if (!query.figure.empty()) {
    FigureQuery figure;
    figure.figure = query.figure;
    figure.period = {query.figure_from, query.figure_to};
    figure.workflow = query.workflow;
    figure.promoting_unit = query.figure_promoting_unit;
    figure.today = query.figure_today;
    const auto sql = figure_sql(figure);
    if (!sql) return engine::fail(invalid("no figure '" + query.figure + "'"));
    std::vector<SortValue> parameters(sql->parameters.begin(), sql->parameters.end());
    where.add("id IN (SELECT project_id FROM report_projects WHERE " + sql->condition + ")",
              std::move(parameters));
  }
  if (!query.text.empty()) {
    TextSearch search = text_search(connection, query.text);
    where.add(std::move(search.sql), std::move(search.parameters));
  }
  if (query.scope && !query.scope->unrestricted()) {
    ScopeSql scope = scope_condition(*query.scope);
    where.add(std::move(scope.sql),
              std::vector<SortValue>(scope.parameters.begin(), scope.parameters.end()));
  }
  const std::string column(sort_column(query.sort));
  const char* after = query.descending ? "<" : ">";
  if (!query.cursor.empty()) {
    auto cursor = decode_list_cursor(query);
    if (!cursor) return engine::fail(cursor.error());
    where.add("(" + column + " " + after + " ? OR (" + column + " = ? AND id " + after + " ?))",
              std::vector<SortValue>{cursor->value, cursor->value, cursor->id});
  }
  const char* direction = query.descending ? " DESC" : " ASC";
  return ProjectListSql{"SELECT body, " + column + ", id FROM projects WHERE 1 = 1" + where.sql() +
                            " ORDER BY " + column + direction + ", id" + direction + " LIMIT " +
                            std::to_string(query.limit + 1),
                        std::move(where.parameters())};
}

Outcome<ProjectPage> query_projects(Connection& connection, const ProjectQuery& query) {
  auto list = project_list_sql(connection, query);
  if (!list) return engine::fail(list.error());
  auto select = connection.statement(list->sql);
  list->bind(*select);
  ProjectPage page;
  SortValue last_value;
  std::string last_id;
  while (select->executeStep()) {
    if (static_cast<int>(page.projects.size()) == query.limit) {
      page.next_cursor = encode_list_cursor(query, last_value, last_id);
      break;
    }
    auto project = decode_project(select->getColumn(0).getString());
    if (!project) {
      return engine::fail(
          Error{Error::Kind::storage,
                "stored projection of " + select->getColumn(2).getString() + " is unreadable"});
    }
    last_value = read_sort_value(query.sort, select->getColumn(1));
    last_id = select->getColumn(2).getString();
    page.projects.push_back(std::move(*project));
  }
  return page;
}

namespace {

// One row of SELECT id, payload, prev_hash, hash.
StoredEvent stored_event_row(SQLite::Statement& select) {
  StoredEvent stored;
  stored.id = select.getColumn(0).getInt64();
  auto event = decode_event(select.getColumn(1).getString());
  const SQLite::Column previous = select.getColumn(2);
  const SQLite::Column hash = select.getColumn(3);
  auto previous_hash =
      hash_from_bytes(previous.getBlob(), static_cast<std::size_t>(previous.getBytes()));
  auto own_hash = hash_from_bytes(hash.getBlob(), static_cast<std::size_t>(hash.getBytes()));
  if (!event || !previous_hash || !own_hash) {
    throw std::runtime_error("event " + std::to_string(stored.id) + " is unreadable");
  }
  stored.event = std::move(*event);
  stored.previous_hash = *previous_hash;
  stored.hash = *own_hash;
  return stored;
}

}  // namespace

std::vector<StoredEvent> query_events_after(Connection& connection, std::int64_t after_id,
                                            int limit) {
  auto select = connection.statement(
      "SELECT id, payload, prev_hash, hash FROM events WHERE id > ? ORDER BY id LIMIT ?");
  select->bind(1, after_id);
  select->bind(2, limit);
  std::vector<StoredEvent> events;
  while (select->executeStep()) {
    events.push_back(stored_event_row(*select));
  }
  return events;
}

std::int64_t query_last_event_id(Connection& connection) {
  auto select = connection.statement("SELECT COALESCE(MAX(id), 0) FROM events");
  return select->executeStep() ? select->getColumn(0).getInt64() : 0;
}

std::vector<StoredEvent> query_history(Connection& connection, std::string_view project_id) {
  auto select = connection.statement(
      "SELECT id, payload, prev_hash, hash FROM events WHERE project_id = ? ORDER BY seq");
  select->bind(1, std::string(project_id));
  std::vector<StoredEvent> history;
  while (select->executeStep()) {
    StoredEvent stored;
    stored.id = select->getColumn(0).getInt64();
    auto event = decode_event(select->getColumn(1).getString());
    const SQLite::Column previous = select->getColumn(2);
    const SQLite::Column hash = select->getColumn(3);
    auto previous_hash =
        hash_from_bytes(previous.getBlob(), static_cast<std::size_t>(previous.getBytes()));
    auto own_hash = hash_from_bytes(hash.getBlob(), static_cast<std::size_t>(hash.getBytes()));
    if (!event || !previous_hash || !own_hash) {
      throw std::runtime_error("event " + std::to_string(stored.id) + " is unreadable");
    }
    stored.event = std::move(*event);
    stored.previous_hash = *previous_hash;
    stored.hash = *own_hash;
    history.push_back(std::move(stored));
  }
  return history;
}

bool query_visible(Connection& connection, std::string_view project_id,
                   const engine::DataScope& scope) {
  ScopeSql condition = scope_condition(scope);
  auto select = connection.statement("SELECT 1 FROM projects WHERE id = ? AND " + condition.sql);
  select->bind(1, std::string(project_id));
  int index = 2;
  for (const std::string& parameter : condition.parameters)
    select->bind(index++, parameter);
  return select->executeStep();
}

std::vector<std::string> query_projects_with_attachment(Connection& connection,
                                                        std::string_view attachment_id) {
  // The expression and the condition are those of the index events_attachment.
  auto select = connection.statement(
      "SELECT DISTINCT project_id FROM events WHERE type = 'file_attached' AND "
      "json_extract(payload, '$.body.attachment_id') = ? ORDER BY project_id");
  select->bind(1, std::string(attachment_id));
  std::vector<std::string> projects;
  while (select->executeStep())
    projects.push_back(select->getColumn(0).getString());
  return projects;
}

std::vector<StoredWorkflow> query_workflows(Connection& connection) {
  auto select = connection.statement(
      "SELECT id, version, source, source_hash, loaded_at FROM workflows ORDER BY id, version");
  std::vector<StoredWorkflow> workflows;
  while (select->executeStep()) {
    workflows.push_back(
        StoredWorkflow{select->getColumn(0).getString(), select->getColumn(1).getInt64(),
                       select->getColumn(2).getString(), select->getColumn(3).getString(),
                       select->getColumn(4).getInt64()});
  }
  return workflows;
}

std::vector<StoredCalendar> query_calendars(Connection& connection) {
  auto select = connection.statement(
      "SELECT name, source, source_hash, first_year, last_year, deployed_at FROM calendars "
      "ORDER BY name");
  std::vector<StoredCalendar> calendars;
  while (select->executeStep()) {
    calendars.push_back(
        StoredCalendar{select->getColumn(0).getString(), select->getColumn(1).getString(),
                       select->getColumn(2).getString(), select->getColumn(3).getInt(),
                       select->getColumn(4).getInt(), select->getColumn(5).getInt64()});
  }
  return calendars;
}

}  // namespace investflow::storage
