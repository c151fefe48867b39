#include "storage/known_roles.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <set>
#include <system_error>

#include "storage/pg_connection.hpp"
#include "workflows/loader.hpp"

namespace investflow::storage {

std::vector<std::string> known_roles(
    const std::vector<std::shared_ptr<const engine::Workflow>>& stored) {
  std::set<std::string> roles;
  for (const auto& workflow : stored) {
    if (workflow) roles.insert(workflow->roles.begin(), workflow->roles.end());
  }
  if (roles.empty()) {
    const auto calendars = workflows::CalendarRegistry::with_stand_ins();
    std::error_code error;
    const auto definitions = workflows::shipped_workflows_directory() / "definitions";
    for (const auto& entry : std::filesystem::directory_iterator(definitions, error)) {
      if (entry.path().extension() != ".yaml") continue;
      const auto load = workflows::load_workflow_file(entry.path(), calendars);
      if (load.workflow) roles.insert(load.workflow->roles.begin(), load.workflow->roles.end());
    }
  }
  return {roles.begin(), roles.end()};
}

std::vector<std::string> known_roles(const std::string& db) {
  std::vector<std::string> sources;
  try {
    if (is_postgres_uri(db)) {
      PgConnection connection(db);
      const PgResult rows = connection.exec("SELECT source FROM workflows");
      for (int i = 0; i < rows.rows(); ++i)
        sources.emplace_back(rows.text(i, 0));
    } else if (std::filesystem::exists(db)) {
      SQLite::Database connection(db, SQLite::OPEN_READONLY, 10000);
      SQLite::Statement select(connection, "SELECT source FROM workflows");
      while (select.executeStep())
        sources.push_back(select.getColumn(0).getString());
    }
  } catch (const std::exception&) {
    sources.clear();  // a database without workflows yet (or none at all): the shipped ones
  }
  const auto calendars = workflows::CalendarRegistry::with_stand_ins();
  std::vector<std::shared_ptr<const engine::Workflow>> stored;
  for (const std::string& source : sources)
    stored.push_back(workflows::load_workflow_text(source, "stored workflow", calendars).workflow);
  return known_roles(stored);
}

std::vector<std::string> unknown_roles(const std::vector<std::string>& roles,
                                       const std::vector<std::string>& known) {
  std::vector<std::string> unknown;
  for (const std::string& role : roles) {
    if (std::find(known.begin(), known.end(), role) == known.end()) unknown.push_back(role);
  }
  return unknown;
}

}  // namespace investflow::storage
