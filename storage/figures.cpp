#include "storage/figures.hpp"

namespace investflow::storage {

std::map<std::string, ReachedSum> reached_by_unit(
    Connection& connection, const std::vector<std::shared_ptr<const engine::Workflow>>& workflows,
    engine::StateTag tag, engine::Date from, engine::Date to) {
  std::map<std::string, ReachedSum> sums;
  for (const auto& workflow : workflows) {
    const engine::StateDef* state = workflow->tagged(tag);
    if (state == nullptr) continue;
    auto select = connection.statement(
        "SELECT promoting_unit, SUM(projects), SUM(investment) FROM report_unit_reached "
        "WHERE workflow = ? AND state = ? AND reached_day BETWEEN ? AND ? "
        "GROUP BY promoting_unit");
    select->bind(1, workflow->id);
    select->bind(2, state->id);
    select->bind(3, from.days_since_epoch());
    select->bind(4, to.days_since_epoch());
    while (select->executeStep()) {
      ReachedSum& sum = sums[select->getColumn(0).getString()];
      sum.projects += select->getColumn(1).getInt64();
      sum.investment += select->getColumn(2).getDouble();
    }
  }
  return sums;
}

}  // namespace investflow::storage
