#include "storage/problem_report.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "storage/codec.hpp"

namespace investflow::storage {
namespace {

namespace json = boost::json;
using engine::FieldTag;
using engine::StateTag;

std::optional<double> ratio(std::int64_t numerator, std::int64_t denominator) {
  if (denominator == 0) return std::nullopt;
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

engine::LocalizedText option_label(const engine::FieldDef* field, const std::string& value) {
  if (value.empty()) return {"（未填）", "(none)"};
  if (field != nullptr) {
    if (const auto found = field->option_labels.find(value); found != field->option_labels.end()) {
      return found->second;
    }
  }
  return {value, value};
}

// Groups by a tagged field's value, labelled by the first workflow that has the field.
class Groups {
 public:
  explicit Groups(FieldTag tag) : tag_(tag) {}
  ProblemGroup& at(const engine::Workflow& workflow, const std::string& key) {
    auto [slot, inserted] = groups_.try_emplace(key);
    if (inserted) {
      slot->second.key = key;
      slot->second.label = option_label(workflow.tagged(tag_), key);
    }
    return slot->second;
  }
  // In the order of the field's options, then the others by key.
  std::vector<ProblemGroup> finish(const Workflows& workflows) {
    std::vector<ProblemGroup> out;
    for (const auto& workflow : workflows) {
      const engine::FieldDef* field = workflow->tagged(tag_);
      if (field == nullptr) continue;
      for (const std::string& option : field->options) {
        if (auto found = groups_.find(option); found != groups_.end()) {
          out.push_back(std::move(found->second));
          groups_.erase(found);
        }
      }
    }
    for (auto& [key, group] : groups_)
      out.push_back(std::move(group));
    for (ProblemGroup& group : out) {
      group.resolution_rate = ratio(group.resolved, group.raised);
      group.on_time_rate = ratio(group.on_time, group.resolved);
    }
    return out;
  }

 private:
  FieldTag tag_;
  std::map<std::string, ProblemGroup> groups_;
};

}  // namespace

Workflows problem_workflows(const Workflows& all) {
  Workflows out;
  for (const auto& workflow : all) {
    if (workflow && workflow->tagged(StateTag::resolved) != nullptr) out.push_back(workflow);
  }
  return out;
}

Outcome<ProblemReport> problem_report(SqlDatabase& connection, const Workflows& workflows,
                                      const ReportPeriod& period) {
  ProblemReport report;
  report.period = period;
  Groups units(FieldTag::responsible_unit);
  Groups categories(FieldTag::problem_category);
  std::int64_t working_days = 0;
  const PeriodParts parts = period_parts(period);
  try {
    // From the summaries the writer keeps (reports_ledger.hpp), so the cost follows the
    // months, days and units asked for, not the number of problems.
    auto open = connection.statement(
        "SELECT unit, category, problems FROM report_problem_months "
        "WHERE workflow = ? AND terminal = 0 AND problems <> 0");
    auto raised_days = connection.statement(
        "SELECT terminal, resolved, unit, category, problems, on_time FROM report_problems "
        "WHERE workflow = ? AND terminal IN (0, 1) AND created_day BETWEEN ? AND ? "
        "AND problems <> 0");
    auto raised_months = connection.statement(
        "SELECT terminal, resolved, unit, category, problems, on_time FROM report_problem_months "
        "WHERE workflow = ? AND terminal IN (0, 1) AND month BETWEEN ? AND ? AND problems <> 0");
    auto closings = connection.statement(
        "SELECT created_day, resolved_day, problems FROM report_problem_closings "
        "WHERE workflow = ? AND created_day BETWEEN ? AND ? AND problems <> 0");
    for (const auto& workflow : problem_workflows(workflows)) {
      report.workflows.push_back(workflow->id);
      open->bind(1, workflow->id);
      while (open->executeStep()) {
        const std::int64_t count = open->getColumn(2).getInt64();
        report.open += count;
        units.at(*workflow, open->getColumn(0).getString()).open += count;
        categories.at(*workflow, open->getColumn(1).getString()).open += count;
      }
      open->reset();
      const auto count_raised = [&](SqlStatement& select) {
        while (select.executeStep()) {
          const std::int64_t count = select.getColumn(4).getInt64();
          const bool terminal = select.getColumn(0).getInt() != 0;
          const bool resolved = select.getColumn(1).getInt() != 0;
          const std::int64_t on_time = select.getColumn(5).getInt64();
          ProblemGroup& unit = units.at(*workflow, select.getColumn(2).getString());
          ProblemGroup& category = categories.at(*workflow, select.getColumn(3).getString());
          report.raised += count;
          unit.raised += count;
          category.raised += count;
          if (!resolved) {
            if (terminal) report.ended_otherwise += count;
            continue;
          }
          for (ProblemGroup* group : {&unit, &category}) {
            group->resolved += count;
            group->on_time += on_time;
          }
          report.resolved += count;
          report.on_time += on_time;
        }
        select.reset();
      };
      for (const auto& [from, to] : parts.days) {
        raised_days->bind(1, workflow->id);
        raised_days->bind(2, from.days_since_epoch());
        raised_days->bind(3, to.days_since_epoch());
        count_raised(*raised_days);
      }
      if (parts.months) {
        raised_months->bind(1, workflow->id);
        raised_months->bind(2, parts.months->first);
        raised_months->bind(3, parts.months->second);
        count_raised(*raised_months);
      }
      closings->bind(1, workflow->id);
      closings->bind(2, period.from.days_since_epoch());
      closings->bind(3, period.to.days_since_epoch());
      while (closings->executeStep()) {
        const auto raised_on = engine::Date(closings->getColumn(0).getInt());
        const auto resolved_on = engine::Date(closings->getColumn(1).getInt());
        working_days += closings->getColumn(2).getInt64() *
                        workflow->calendar->working_days_between(raised_on, resolved_on);
      }
      closings->reset();
    }
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
  report.resolution_rate = ratio(report.resolved, report.raised);
  report.on_time_rate = ratio(report.on_time, report.resolved);
  if (report.resolved > 0) {
    report.average_working_days =
        static_cast<double>(working_days) / static_cast<double>(report.resolved);
  }
  report.by_unit = units.finish(workflows);
  report.by_category = categories.finish(workflows);
  return report;
}

namespace {

json::value optional_number(const std::optional<double>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::array groups_json(const std::vector<ProblemGroup>& groups) {
  json::array out;
  for (const ProblemGroup& group : groups) {
    out.push_back(json::object{{"key", group.key},
                               {"label", group.label.zh},
                               {"label_en", group.label.en},
                               {"raised", group.raised},
                               {"resolved", group.resolved},
                               {"on_time", group.on_time},
                               {"resolution_rate", optional_number(group.resolution_rate)},
                               {"on_time_rate", optional_number(group.on_time_rate)},
                               {"open", group.open}});
  }
  return out;
}

SheetCell optional_rate(const std::optional<double>& value) {
  return value ? rate_cell(*value) : text_cell("—");  // as every report: nothing to divide by
}

std::vector<SheetCell> group_row(const ProblemGroup& group) {
  return {text_cell(group.label.zh),  count_cell(group.raised),
          count_cell(group.resolved), optional_rate(group.resolution_rate),
          count_cell(group.on_time),  optional_rate(group.on_time_rate),
          count_cell(group.open)};
}

Sheet group_sheet(std::string name, std::string first, const std::vector<ProblemGroup>& groups) {
  Sheet sheet{std::move(name),
              {std::move(first), "新增诉求", "已办结", "诉求办结率", "按期办结", "按期办结率",
               "未办结（当前）"},
              {}};
  for (const ProblemGroup& group : groups)
    sheet.rows.push_back(group_row(group));
  return sheet;
}

}  // namespace

json::value report_json(const ProblemReport& report) {
  json::array workflows;
  for (const auto& id : report.workflows)
    workflows.emplace_back(id);
  return json::object{
      {"workflows", std::move(workflows)},
      {"from", report.period.from.to_string()},
      {"to", report.period.to.to_string()},
      {"raised", report.raised},
      {"resolved", report.resolved},
      {"on_time", report.on_time},
      {"ended_otherwise", report.ended_otherwise},
      {"resolution_rate", optional_number(report.resolution_rate)},
      {"on_time_rate", optional_number(report.on_time_rate)},
      {"average_working_days", optional_number(report.average_working_days)},
      {"open", report.open},
      {"by_unit", groups_json(report.by_unit)},
      {"by_category", groups_json(report.by_category)},
  };
}

std::vector<Sheet> report_sheets(const ProblemReport& report) {
  Sheet totals{"问题台账", {"指标", "数值"}, {}};
  const auto line = [&totals](std::string name, SheetCell cell) {
    totals.rows.push_back({text_cell(std::move(name)), std::move(cell)});
  };
  line("统计期间",
       text_cell(report.period.from.to_string() + " 至 " + report.period.to.to_string()));
  line("新增诉求", count_cell(report.raised));
  line("已办结", count_cell(report.resolved));
  line("诉求办结率", optional_rate(report.resolution_rate));
  line("按期办结", count_cell(report.on_time));
  line("按期办结率", optional_rate(report.on_time_rate));
  line("不予解决等其他终结", count_cell(report.ended_otherwise));
  line("平均办结用时（工作日）",
       report.average_working_days ? number_cell(*report.average_working_days, 1) : text_cell("—"));
  line("未办结（当前）", count_cell(report.open));
  return {std::move(totals), group_sheet("按责任单位", "责任单位", report.by_unit),
          group_sheet("按问题类别", "问题类别", report.by_category)};
}

}  // namespace investflow::storage
