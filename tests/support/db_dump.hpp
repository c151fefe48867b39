#pragma once
// Every row of every table of a SQLite database as text, for "changes no row" checks.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <string>
#include <vector>

namespace investflow::testing {

// With `quiet_only`, only the tables a running server does not write by itself (its
// notification dispatcher and logins do).
inline std::string dump_tables(const std::string& db, bool quiet_only = false) {
  SQLite::Database read(db, SQLite::OPEN_READONLY, 10000);
  std::vector<std::string> tables;
  SQLite::Statement names(
      read, quiet_only ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
                         "('outbox', 'deliveries', 'notifications', 'sessions', 'api_tokens', "
                         "'users', 'webhooks') AND name NOT LIKE 'notifications_%' ORDER BY 1"
                       : "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1");
  while (names.executeStep())
    tables.push_back(names.getColumn(0).getString());
  std::string out;
  for (const std::string& table : tables) {
    out += "# " + table + "\n";
    SQLite::Statement rows(read, "SELECT * FROM \"" + table + "\" ORDER BY 1");
    while (rows.executeStep()) {
      for (int i = 0; i < rows.getColumnCount(); ++i) {
        const SQLite::Column column = rows.getColumn(i);
        out += (column.isNull() ? std::string("NULL") : column.getString()) + "|";
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace investflow::testing
