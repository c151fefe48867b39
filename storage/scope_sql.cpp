#include "storage/scope_sql.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace investflow::storage {
namespace {

// (T.workflow = ? AND T.workflow_version IN (1, 2)) OR ..., one term per workflow.
void add_versions(const std::vector<engine::DataScope::Version>& versions, std::string_view table,
                  std::vector<std::string>& terms, std::vector<std::string>& parameters) {
  std::map<std::string, std::string> by_workflow;
  for (const auto& version : versions) {
    std::string& list = by_workflow[version.workflow];
    if (!list.empty()) list += ", ";
    list += std::to_string(version.version);
  }
  for (const auto& [workflow, list] : by_workflow) {
    terms.push_back("(" + std::string(table) + ".workflow = ? AND " + std::string(table) +
                    ".workflow_version IN (" + list + "))");
    parameters.push_back(workflow);
  }
}

// Seen by itself: its version whole, or one of its keys held.
void add_seen(const engine::DataScope& scope, std::string_view table,
              std::vector<std::string>& terms, std::vector<std::string>& parameters) {
  add_versions(scope.whole(), table, terms, parameters);
  if (scope.keys().empty()) return;
  std::string in;
  for (const std::string& key : scope.keys()) {
    in += in.empty() ? "?" : ", ?";
    parameters.push_back(key);
  }
  terms.push_back(std::string(table) +
                  ".id IN (SELECT project_id FROM project_access WHERE key IN (" + in + "))");
}

std::string any_of(const std::vector<std::string>& terms) {
  if (terms.empty()) return "(1 = 0)";  // false in SQLite and PostgreSQL alike
  std::string sql = "(";
  for (std::size_t i = 0; i < terms.size(); ++i)
    sql += (i == 0 ? "" : " OR ") + terms[i];
  return sql + ")";
}

}  // namespace

ScopeSql scope_condition(const engine::DataScope& scope) {
  if (scope.unrestricted()) return {"(1 = 1)", {}};
  ScopeSql out;
  std::vector<std::string> terms;
  add_seen(scope, "projects", terms, out.parameters);
  if (!scope.through_parent().empty()) {
    // An item of a version seen through its parent: the parent's row, seen by itself.
    std::vector<std::string> items;
    add_versions(scope.through_parent(), "projects", items, out.parameters);
    std::vector<std::string> parent;
    add_seen(scope, "pp", parent, out.parameters);
    terms.push_back("(" + any_of(items) +
                    " AND EXISTS (SELECT 1 FROM projects pp WHERE pp.id = projects.parent AND " +
                    any_of(parent) + "))");
  }
  out.sql = any_of(terms);
  return out;
}

std::string numbered_parameters(std::string_view sql, int& next) {
  std::string out;
  out.reserve(sql.size() + 16);
  bool quoted = false;  // inside a '...' literal
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (c != '?' || quoted) {
      out += c;
      continue;
    }
    // ?NNN names its parameter; a bare ? takes the one after the largest named so far.
    std::size_t end = i + 1;
    while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9')
      ++end;
    int number = next;
    if (end > i + 1) number = std::stoi(std::string(sql.substr(i + 1, end - i - 1)));
    out += '$' + std::to_string(number);
    next = std::max(next, number + 1);
    i = end - 1;
  }
  return out;
}

}  // namespace investflow::storage
