#pragma once
// Shared rules for figures counted in a period (funds and kpis, issue 16):
//   新签约 (signed in a period): the project first entered the state tagged `signed` in it;
//   新开工 (started in a period): it first entered the state tagged `construction_started`.
// Both are read from report_unit_reached (reports_ledger.hpp), by promoting unit.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/date.hpp"
#include "engine/workflow.hpp"
#include "storage/sqlite_connection.hpp"

namespace investflow::storage {

struct ReachedSum {
  std::int64_t projects = 0;
  double investment = 0;  // the investment-tagged field when the state was entered, 万元
};

// Per promoting unit ("" for projects without one): the projects of `workflows` that first
// entered the state carrying `tag` between `from` and `to` (inclusive). A workflow without
// that tag adds nothing. Throws what SQLite throws.
std::map<std::string, ReachedSum> reached_by_unit(
    Connection& connection, const std::vector<std::shared_ptr<const engine::Workflow>>& workflows,
    engine::StateTag tag, engine::Date from, engine::Date to);

}  // namespace investflow::storage
