#pragma once
// Data scope in SQL (issue 19): the condition on a projects row that holds when a user's
// engine::DataScope sees it, for lists, searches, exports and single checks alike. One place,
// so a path cannot see more than another.

#include <string>
#include <string_view>
#include <vector>

#include "engine/visibility.hpp"

namespace investflow::storage {

struct ScopeSql {
  std::string sql;                      // "(1 = 1)" for an unrestricted scope
  std::vector<std::string> parameters;  // in order of the '?' in sql
};

// The condition on the row of table `projects` (named so: the parent's row is read as `pp`).
// Valid in SQLite and, with its '?' numbered (numbered_parameters), in PostgreSQL.
ScopeSql scope_condition(const engine::DataScope& scope);

// `sql` with each '?' replaced by $next, $next+1, ... (PostgreSQL's placeholders) and each
// '?N' by $N, as SQLite numbers them; `next` ends past the largest. A '?' inside a '...'
// literal is left alone.
std::string numbered_parameters(std::string_view sql, int& next);

}  // namespace investflow::storage
