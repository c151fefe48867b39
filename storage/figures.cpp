#include "storage/figures.hpp"

#include <algorithm>

namespace investflow::storage {
namespace {

std::string day_text(engine::Date date) {
  return std::to_string(date.days_since_epoch());
}

// Conditions by figure id; {f} {t} {today} stand for the period's days and today.
struct FigureRule {
  std::string_view id;
  const char* zh;
  const char* en;
  const char* condition;
};

constexpr const char* kCohort = "signed_day BETWEEN {f} AND {t}";

const std::vector<FigureRule>& rules() {
  static const std::vector<FigureRule> list = {
      {"new_projects", "新增项目", "New projects", "created_day BETWEEN {f} AND {t}"},
      {"signed", "新签约项目", "Newly signed projects", "signed_day BETWEEN {f} AND {t}"},
      {"started", "新开工项目", "Construction started", "started_day BETWEEN {f} AND {t}"},
      {"completed", "竣工项目", "Completed", "completed_day BETWEEN {f} AND {t}"},
      {"in_production", "新投产项目", "Production started", "production_day BETWEEN {f} AND {t}"},
      {"exited", "退出项目", "Exited", "exited_day BETWEEN {f} AND {t}"},
      {"under_construction", "在建项目", "Under construction",
       "started_day <= {t} AND (completed_day IS NULL OR completed_day > {t}) "
       "AND (exited_day IS NULL OR exited_day > {t})"},
      {"cohort", "签约项目（考核口径）", "Signed projects (the KPI cohort)", kCohort},
      {"cohort_performing", "履约项目", "Keeping their agreement",
       "signed_day BETWEEN {f} AND {t} AND (breach_day IS NULL OR breach_day > {today})"},
      {"cohort_started", "已开工的签约项目", "Signed projects started",
       "signed_day BETWEEN {f} AND {t} AND started_day IS NOT NULL"},
      {"cohort_start_due", "应开工的签约项目", "Signed projects due to have started",
       "signed_day BETWEEN {f} AND {t} AND (start_done_day IS NOT NULL OR start_due_day < "
       "{today})"},
      {"cohort_started_on_time", "按期开工的签约项目", "Signed projects started on time",
       "signed_day BETWEEN {f} AND {t} AND start_done_day <= start_due_day"},
      {"cohort_in_production", "已投产的签约项目", "Signed projects in production",
       "signed_day BETWEEN {f} AND {t} AND production_day IS NOT NULL"},
      {"cohort_completed", "已竣工的签约项目", "Signed projects completed",
       "signed_day BETWEEN {f} AND {t} AND completed_day IS NOT NULL"},
      {"cohort_completion_due", "应竣工的签约项目", "Signed projects due to be completed",
       "signed_day BETWEEN {f} AND {t} AND "
       "(completion_done_day IS NOT NULL OR completion_due_day < {today})"},
      {"cohort_completed_on_time", "按期竣工的签约项目", "Signed projects completed on time",
       "signed_day BETWEEN {f} AND {t} AND completion_done_day <= completion_due_day"},
      {"overdue_start", "超时限未开工项目", "Construction start overdue",
       "start_open_due_day < {today}"},
  };
  return list;
}

std::string filled(std::string text, const FigureQuery& query) {
  const auto replace = [&text](std::string_view key, const std::string& value) {
    for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at)) {
      text.replace(at, key.size(), value);
      at += value.size();
    }
  };
  replace("{f}", day_text(query.period.from));
  replace("{t}", day_text(query.period.to));
  replace("{today}", day_text(query.today));
  return text;
}

void bind_all(SqlStatement& statement, const FigureSql& sql) {
  int index = 1;
  for (const std::string& parameter : sql.parameters)
    statement.bind(index++, parameter);
}

}  // namespace

const std::vector<FigureDef>& figure_defs() {
  static const std::vector<FigureDef> defs = [] {
    std::vector<FigureDef> out;
    for (const FigureRule& rule : rules())
      out.push_back({rule.id, {rule.zh, rule.en}});
    return out;
  }();
  return defs;
}

bool is_figure(std::string_view id) {
  if (id.starts_with("reached:")) return id.size() > 8;
  return std::any_of(rules().begin(), rules().end(),
                     [id](const FigureRule& rule) { return rule.id == id; });
}

std::optional<FigureSql> figure_sql(const FigureQuery& query) {
  FigureSql sql;
  if (query.figure.starts_with("reached:") && query.figure.size() > 8) {
    sql.condition = filled("created_day BETWEEN {f} AND {t} AND instr(reached, ?) > 0", query);
    sql.parameters.push_back("|" + query.figure.substr(8) + "|");
  } else {
    const auto rule = std::find_if(rules().begin(), rules().end(),
                                   [&](const FigureRule& each) { return each.id == query.figure; });
    if (rule == rules().end()) return std::nullopt;
    sql.condition = filled(rule->condition, query);
  }
  if (!query.workflow.empty()) {
    sql.condition += " AND workflow = ?";
    sql.parameters.push_back(query.workflow);
  }
  if (!query.promoting_unit.empty()) {
    sql.condition += " AND promoting_unit = ?";
    sql.parameters.push_back(query.promoting_unit);
  }
  return sql;
}

Outcome<std::int64_t> figure_count(SqlDatabase& connection, const FigureQuery& query) {
  const auto sql = figure_sql(query);
  if (!sql) return engine::fail(Error{Error::Kind::invalid_request, "no figure " + query.figure});
  try {
    auto select =
        connection.statement("SELECT COUNT(*) FROM report_projects WHERE " + sql->condition);
    bind_all(*select, *sql);
    select->executeStep();
    return select->getColumn(0).getInt64();
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error, "figures: "));
  }
}

Outcome<std::int64_t> for_each_figure_project(SqlDatabase& connection, const FigureQuery& query,
                                              const std::function<void(const FigureProject&)>& each,
                                              int limit) {
  const auto sql = figure_sql(query);
  if (!sql) return engine::fail(Error{Error::Kind::invalid_request, "no figure " + query.figure});
  try {
    auto select = connection.statement(
        "SELECT project_id, workflow, name, investor, promoting_unit, state, investment, "
        "created_day, signed_day, started_day, completed_day, production_day, start_due_day "
        "FROM report_projects WHERE " +
        sql->condition + " ORDER BY workflow, project_id LIMIT " + std::to_string(limit));
    bind_all(*select, *sql);
    const auto text = [&select](int column, std::string& into) {
      const SqlColumn value = select->getColumn(column);
      into.assign(value.text());
    };
    const auto day = [&select](int column) -> std::optional<std::int32_t> {
      if (select->getColumn(column).isNull()) return std::nullopt;
      return select->getColumn(column).getInt();
    };
    FigureProject project;
    std::int64_t count = 0;
    while (select->executeStep()) {
      text(0, project.project_id);
      text(1, project.workflow);
      text(2, project.name);
      text(3, project.enterprise);
      text(4, project.promoting_unit);
      text(5, project.state);
      project.investment = select->getColumn(6).getDouble();
      project.created_day = select->getColumn(7).getInt();
      project.signed_day = day(8);
      project.started_day = day(9);
      project.completed_day = day(10);
      project.production_day = day(11);
      project.start_due_day = day(12);
      each(project);
      ++count;
    }
    return count;
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error, "figures: "));
  }
}

Outcome<std::int64_t> signed_projects(SqlDatabase& connection, const std::string& workflow,
                                      const ReportPeriod& period,
                                      const std::string& promoting_unit) {
  FigureQuery query;
  query.figure = "signed";
  query.period = period;
  query.workflow = workflow;
  query.promoting_unit = promoting_unit;
  return figure_count(connection, query);
}

std::map<std::string, ReachedSum> reached_by_unit(
    SqlDatabase& connection, const std::vector<std::shared_ptr<const engine::Workflow>>& workflows,
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
