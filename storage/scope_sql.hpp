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
  std::string sql;                      // "1" for an unrestricted scope
  std::vector<std::string> parameters;  // in order of the '?' in sql
};

// The condition on the row of table `projects` (named so: the parent's row is read as `pp`).
ScopeSql scope_condition(const engine::DataScope& scope);

}  // namespace investflow::storage
