#include "storage/reports_output.hpp"

#include <boost/json.hpp>
#include <cstdio>

#include "storage/wire_json.hpp"

namespace investflow::storage {
namespace json = boost::json;

namespace {

json::value label_json(const engine::LocalizedText& label) {
  return json::object{{"zh", label.zh}, {"en", label.en}};
}

json::value optional_json(const std::optional<double>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

// A count, or null when not applicable.
json::value optional_json(const std::optional<std::int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::object period_json(const ReportPeriod& period) {
  return json::object{{"from", period.from.to_string()}, {"to", period.to.to_string()}};
}

SheetCell rate_or_blank(const std::optional<double>& rate) {
  return rate ? rate_cell(*rate) : text_cell("");
}

// A figure the workflow has no tag for: shown as a dash, never as 0.
json::value figure_json(const std::string& figure) {
  return figure.empty() ? json::value(nullptr) : json::value(figure);
}

SheetCell not_applicable() {
  return text_cell("—");
}

// 万元 and m²: two places.
SheetCell amount_cell(const std::optional<double>& value) {
  return value ? number_cell(*value) : not_applicable();
}

SheetCell count_or_dash(const std::optional<std::int64_t>& value) {
  return value ? count_cell(*value) : not_applicable();
}

// Working days: a median can be a half day.
SheetCell days_cell(const std::optional<double>& value) {
  return value ? number_cell(*value, 1, false) : text_cell("");
}

std::string label_zh(const engine::LocalizedText& label, const std::string& fallback) {
  return label.zh.empty() ? fallback : label.zh;
}

}  // namespace

json::value report_json(const PipelineReport& report) {
  json::array stages;
  for (const PipelineStage& stage : report.stages) {
    stages.push_back(json::object{{"state", stage.state},
                                  {"label", label_json(stage.label)},
                                  {"count", stage.count},
                                  {"investment_wan", optional_json(stage.investment)}});
  }
  json::object body{
      {"workflow", report.workflow},
      {"stages", std::move(stages)},
      {"total", json::object{{"count", report.total_count},
                             {"investment_wan", optional_json(report.total_investment)}}}};
  if (report.groups) {
    json::array groups;
    for (const PipelineGroup& group : *report.groups) {
      groups.push_back(json::object{{"value", group.value},
                                    {"count", group.count},
                                    {"investment_wan", optional_json(group.investment)}});
    }
    body["groups"] = std::move(groups);
  }
  return body;
}

json::value report_json(const FunnelReport& report) {
  json::array stages;
  for (const FunnelStage& stage : report.stages) {
    stages.push_back(json::object{{"state", stage.state},
                                  {"label", label_json(stage.label)},
                                  {"terminal", stage.terminal},
                                  {"reached", stage.reached},
                                  {"rate_from_previous", optional_json(stage.rate_from_previous)},
                                  {"rate_from_start", optional_json(stage.rate_from_start)}});
  }
  json::object object = period_json(report.period);
  object["workflow"] = report.workflow;
  object["cohort"] = report.cohort;
  object["stages"] = std::move(stages);
  return object;
}

json::value report_json(const AgingReport& report) {
  json::array stages;
  for (const AgingStage& stage : report.stages) {
    stages.push_back(json::object{{"state", stage.state},
                                  {"label", label_json(stage.label)},
                                  {"samples", stage.samples},
                                  {"median_working_days", optional_json(stage.median_working_days)},
                                  {"p90_working_days", optional_json(stage.p90_working_days)}});
  }
  json::array waiting;
  for (const WaitingProject& project : report.longest_waiting) {
    waiting.push_back(json::object{{"project_id", project.project_id},
                                   {"name", project.name},
                                   {"state", project.state},
                                   {"since", wire_timestamp(project.since)},
                                   {"working_days", project.working_days}});
  }
  json::object object = period_json(report.period);
  object["workflow"] = report.workflow;
  object["stages"] = std::move(stages);
  object["longest_waiting"] = std::move(waiting);
  return object;
}

json::value report_json(const KpiReport& report) {
  json::array kpis;
  for (const Kpi& kpi : report.kpis) {
    kpis.push_back(json::object{{"id", kpi.id},
                                {"label", label_json(kpi.label)},
                                {"numerator", optional_json(kpi.numerator)},
                                {"denominator", optional_json(kpi.denominator)},
                                {"rate", optional_json(kpi.rate)},
                                {"numerator_figure", figure_json(kpi.numerator_figure)},
                                {"denominator_figure", figure_json(kpi.denominator_figure)}});
  }
  json::object object = period_json(report.period);
  object["workflow"] = report.workflow;
  object["today"] = report.today.to_string();
  object["signed_projects"] = optional_json(report.signed_projects);
  object["signed_investment_wan"] = optional_json(report.signed_investment);
  object["kpis"] = std::move(kpis);
  object["overdue_start_count"] = optional_json(report.overdue_start_count);
  json::array overdue;
  for (const OverdueStart& project : report.overdue_start) {
    overdue.push_back(json::object{{"project_id", project.project_id},
                                   {"name", project.name},
                                   {"state", project.state},
                                   {"state_label", label_json(project.state_label)},
                                   {"due_on", project.due_on.to_string()},
                                   {"days_overdue", project.days_overdue}});
  }
  object["overdue_start"] = std::move(overdue);
  return object;
}

json::value report_json(const PeriodReport& report) {
  json::array workflows;
  for (const PeriodFigures& figures : report.workflows) {
    workflows.push_back(
        json::object{{"workflow", figures.workflow},
                     {"title", label_json(figures.title)},
                     {"new_projects", figures.new_projects},
                     {"new_investment_wan", optional_json(figures.new_investment)},
                     {"signed", optional_json(figures.signed_count)},
                     {"signed_investment_wan", optional_json(figures.signed_investment)},
                     {"started", optional_json(figures.started)},
                     {"completed", optional_json(figures.completed)},
                     {"in_production", optional_json(figures.in_production)},
                     {"enterprises", optional_json(figures.enterprises)},
                     {"floor_area_m2", optional_json(figures.floor_area)}});
  }
  json::object object = period_json(report.period);
  object["workflows"] = std::move(workflows);
  object["text"] = label_json(report.text);
  return object;
}

std::vector<Sheet> report_sheets(const PipelineReport& report) {
  Sheet sheet{"项目储备", {"阶段", "项目数", "计划总投资（万元）"}, {}};
  for (const PipelineStage& stage : report.stages) {
    sheet.rows.push_back({text_cell(label_zh(stage.label, stage.state)), count_cell(stage.count),
                          amount_cell(stage.investment)});
  }
  sheet.rows.push_back(
      {text_cell("合计"), count_cell(report.total_count), amount_cell(report.total_investment)});
  return {sheet};
}

std::vector<Sheet> report_sheets(const FunnelReport& report) {
  Sheet sheet{"转化漏斗", {"阶段", "到达项目数", "较上一阶段转化率", "较起始转化率"}, {}};
  for (const FunnelStage& stage : report.stages) {
    sheet.rows.push_back({text_cell(label_zh(stage.label, stage.state)), count_cell(stage.reached),
                          rate_or_blank(stage.rate_from_previous),
                          rate_or_blank(stage.rate_from_start)});
  }
  return {sheet};
}

std::vector<Sheet> report_sheets(const AgingReport& report) {
  Sheet stages{"阶段时长", {"阶段", "样本数", "中位数（工作日）", "90分位（工作日）"}, {}};
  for (const AgingStage& stage : report.stages) {
    stages.rows.push_back({text_cell(label_zh(stage.label, stage.state)), count_cell(stage.samples),
                           days_cell(stage.median_working_days),
                           days_cell(stage.p90_working_days)});
  }
  // A waiting project is in a non-terminal state: one of the stages above, with its label.
  const auto stage_label = [&](const std::string& state) {
    for (const AgingStage& stage : report.stages) {
      if (stage.state == state) return label_zh(stage.label, state);
    }
    return state;
  };
  Sheet waiting{
      "等待最久项目", {"项目编号", "项目名称", "所处阶段", "进入阶段时间", "已等待（工作日）"}, {}};
  for (const WaitingProject& project : report.longest_waiting) {
    waiting.rows.push_back({text_cell(project.project_id), text_cell(project.name),
                            text_cell(stage_label(project.state)), timestamp_cell(project.since),
                            count_cell(std::int64_t{project.working_days})});
  }
  return {stages, waiting};
}

std::vector<Sheet> report_sheets(const KpiReport& report) {
  Sheet sheet{"关键指标", {"指标", "分子", "分母", "比率"}, {}};
  sheet.rows.push_back({text_cell("新签约项目数"), count_or_dash(report.signed_projects),
                        text_cell(""), text_cell("")});
  sheet.rows.push_back({text_cell("签约额（万元）"), amount_cell(report.signed_investment),
                        text_cell(""), text_cell("")});
  // Numerators and denominators are counts or 万元: up to two places, as they are.
  const auto figure = [](const std::optional<double>& value) {
    return value ? number_cell(*value, 2, false) : not_applicable();
  };
  for (const Kpi& kpi : report.kpis) {
    sheet.rows.push_back({text_cell(label_zh(kpi.label, kpi.id)), figure(kpi.numerator),
                          figure(kpi.denominator),
                          kpi.numerator ? rate_or_blank(kpi.rate) : not_applicable()});
  }
  sheet.rows.push_back({text_cell("超时限未开工项目数"), count_or_dash(report.overdue_start_count),
                        text_cell(""), text_cell("")});
  if (!report.overdue_start_count) return {sheet};
  Sheet overdue{"超时限未开工", {"项目", "阶段", "约定开工期限", "超期天数"}, {}};
  for (const OverdueStart& project : report.overdue_start) {
    overdue.rows.push_back({text_cell(project.name.empty() ? project.project_id : project.name),
                            text_cell(label_zh(project.state_label, project.state)),
                            date_cell(project.due_on), count_cell(project.days_overdue)});
  }
  return {sheet, overdue};
}

std::vector<Sheet> report_sheets(const PeriodReport& report) {
  Sheet sheet{
      "期间汇总",
      {"流程", "新增项目数", "新增项目总投资（万元）", "签约项目数", "签约项目总投资（万元）",
       "开工项目数", "竣工项目数", "投产项目数", "涉及企业数", "建筑面积（平方米）"},
      {}};
  for (const PeriodFigures& figures : report.workflows) {
    sheet.rows.push_back({text_cell(label_zh(figures.title, figures.workflow)),
                          count_cell(figures.new_projects), amount_cell(figures.new_investment),
                          count_or_dash(figures.signed_count),
                          amount_cell(figures.signed_investment), count_or_dash(figures.started),
                          count_or_dash(figures.completed), count_or_dash(figures.in_production),
                          count_or_dash(figures.enterprises), amount_cell(figures.floor_area)});
  }
  return {sheet};
}

void write_report_csv(std::ostream& out, const std::vector<Sheet>& sheets) {
  out << "\xEF\xBB\xBF";
  for (std::size_t i = 0; i < sheets.size(); ++i) {
    if (i > 0) out << "\r\n";
    write_csv_header(out, sheets[i].header);
    for (const auto& row : sheets[i].rows)
      write_csv_cells(out, row);
  }
}

std::string report_title(std::string_view report) {
  static constexpr std::pair<std::string_view, std::string_view> kTitles[] = {
      {"pipeline", "项目储备"}, {"funnel", "转化漏斗"}, {"aging", "阶段时长"},
      {"kpis", "关键指标"},     {"period", "期间汇总"}, {"problems", "问题台账"},
  };
  for (const auto& [id, title] : kTitles) {
    if (id == report) return std::string(title);
  }
  return std::string(report);
}

}  // namespace investflow::storage
