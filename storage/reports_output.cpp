#include "storage/reports_output.hpp"

#include <xlsxwriter.h>

#include <boost/json.hpp>
#include <cstdio>

#include "storage/csv.hpp"
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

ReportCell number_cell(double value, int decimals = 2) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return ReportCell{text, value};
}

ReportCell count_cell(std::int64_t value) {
  return ReportCell{std::to_string(value), static_cast<double>(value)};
}

ReportCell rate_cell(const std::optional<double>& rate) {
  if (!rate) return ReportCell{"", std::nullopt};
  return number_cell(*rate, 4);
}

// A figure the workflow has no tag for: shown as a dash, never as 0.
const ReportCell kNotApplicable{"—", std::nullopt};

ReportCell number_cell(const std::optional<double>& value) {
  return value ? number_cell(*value) : kNotApplicable;
}

ReportCell count_cell(const std::optional<std::int64_t>& value) {
  return value ? count_cell(*value) : kNotApplicable;
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
  return json::object{
      {"workflow", report.workflow},
      {"stages", std::move(stages)},
      {"total", json::object{{"count", report.total_count},
                             {"investment_wan", optional_json(report.total_investment)}}}};
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
                                {"rate", optional_json(kpi.rate)}});
  }
  json::object object = period_json(report.period);
  object["workflow"] = report.workflow;
  object["kpis"] = std::move(kpis);
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

std::vector<ReportSheet> report_sheets(const PipelineReport& report) {
  ReportSheet sheet{"项目储备", {"阶段", "阶段代码", "项目数", "计划总投资（万元）"}, {}};
  for (const PipelineStage& stage : report.stages) {
    sheet.rows.push_back({{label_zh(stage.label, stage.state), {}},
                          {stage.state, {}},
                          count_cell(stage.count),
                          number_cell(stage.investment)});
  }
  sheet.rows.push_back({{"合计", {}},
                        {"", {}},
                        count_cell(report.total_count),
                        number_cell(report.total_investment)});
  return {sheet};
}

std::vector<ReportSheet> report_sheets(const FunnelReport& report) {
  ReportSheet sheet{
      "转化漏斗", {"阶段", "阶段代码", "到达项目数", "较上一阶段转化率", "较起始转化率"}, {}};
  for (const FunnelStage& stage : report.stages) {
    sheet.rows.push_back({{label_zh(stage.label, stage.state), {}},
                          {stage.state, {}},
                          count_cell(stage.reached),
                          rate_cell(stage.rate_from_previous),
                          rate_cell(stage.rate_from_start)});
  }
  return {sheet};
}

std::vector<ReportSheet> report_sheets(const AgingReport& report) {
  ReportSheet stages{
      "阶段时长", {"阶段", "阶段代码", "样本数", "中位数（工作日）", "90分位（工作日）"}, {}};
  for (const AgingStage& stage : report.stages) {
    stages.rows.push_back({{label_zh(stage.label, stage.state), {}},
                           {stage.state, {}},
                           count_cell(stage.samples),
                           rate_cell(stage.median_working_days),
                           rate_cell(stage.p90_working_days)});
  }
  ReportSheet waiting{
      "等待最久项目", {"项目编号", "项目名称", "所处阶段", "进入阶段时间", "已等待（工作日）"}, {}};
  for (const WaitingProject& project : report.longest_waiting) {
    waiting.rows.push_back({{project.project_id, {}},
                            {project.name, {}},
                            {project.state, {}},
                            {wire_timestamp(project.since), {}},
                            count_cell(project.working_days)});
  }
  return {stages, waiting};
}

std::vector<ReportSheet> report_sheets(const KpiReport& report) {
  ReportSheet sheet{"关键指标", {"指标", "指标代码", "分子", "分母", "比率"}, {}};
  for (const Kpi& kpi : report.kpis) {
    sheet.rows.push_back({{kpi.label.zh, {}},
                          {kpi.id, {}},
                          number_cell(kpi.numerator),
                          number_cell(kpi.denominator),
                          kpi.numerator ? rate_cell(kpi.rate) : kNotApplicable});
  }
  return {sheet};
}

std::vector<ReportSheet> report_sheets(const PeriodReport& report) {
  ReportSheet sheet{
      "期间汇总",
      {"流程", "新增项目数", "新增项目总投资（万元）", "签约项目数", "签约项目总投资（万元）",
       "开工项目数", "竣工项目数", "投产项目数", "涉及企业数", "建筑面积（平方米）"},
      {}};
  for (const PeriodFigures& figures : report.workflows) {
    sheet.rows.push_back({{label_zh(figures.title, figures.workflow), {}},
                          count_cell(figures.new_projects),
                          number_cell(figures.new_investment),
                          count_cell(figures.signed_count),
                          number_cell(figures.signed_investment),
                          count_cell(figures.started),
                          count_cell(figures.completed),
                          count_cell(figures.in_production),
                          count_cell(figures.enterprises),
                          number_cell(figures.floor_area)});
  }
  return {sheet};
}

void write_report_csv(std::ostream& out, const std::vector<ReportSheet>& sheets) {
  out << "\xEF\xBB\xBF";
  for (std::size_t i = 0; i < sheets.size(); ++i) {
    if (i > 0) out << "\r\n";
    std::vector<std::string> header;
    for (const std::string& name : sheets[i].header)
      header.push_back(spreadsheet_text(name));
    write_csv_record(out, header);
    // Text cells (a project's name, an owner) are made safe for spreadsheets; numbers are
    // written as they are.
    for (const auto& row : sheets[i].rows) {
      std::vector<std::string> texts;
      texts.reserve(row.size());
      for (const ReportCell& cell : row)
        texts.push_back(cell.number ? cell.text : spreadsheet_text(cell.text));
      write_csv_record(out, texts);
    }
  }
}

Outcome<Ok> write_report_xlsx(const std::filesystem::path& file,
                              const std::vector<ReportSheet>& sheets) {
  lxw_workbook* workbook = workbook_new(file.c_str());
  if (workbook == nullptr) {
    return engine::fail(Error{Error::Kind::storage, "cannot create " + file.string()});
  }
  lxw_format* heading = workbook_add_format(workbook);
  format_set_bold(heading);
  for (const ReportSheet& sheet : sheets) {
    lxw_worksheet* worksheet = workbook_add_worksheet(workbook, sheet.name.c_str());
    for (std::size_t col = 0; col < sheet.header.size(); ++col) {
      const auto column = static_cast<lxw_col_t>(col);
      worksheet_write_string(worksheet, 0, column, sheet.header[col].c_str(), heading);
      worksheet_set_column(worksheet, column, column, 16, nullptr);
    }
    lxw_row_t line = 1;
    for (const auto& row : sheet.rows) {
      for (std::size_t col = 0; col < row.size(); ++col) {
        const ReportCell& cell = row[col];
        const auto column = static_cast<lxw_col_t>(col);
        if (cell.number) {
          worksheet_write_number(worksheet, line, column, *cell.number, nullptr);
        } else {
          worksheet_write_string(worksheet, line, column, cell.text.c_str(), nullptr);
        }
      }
      ++line;
    }
  }
  const lxw_error error = workbook_close(workbook);
  if (error != LXW_NO_ERROR) {
    return engine::fail(Error{Error::Kind::storage,
                              std::string("writing the XLSX file failed: ") + lxw_strerror(error)});
  }
  return Ok{};
}

}  // namespace investflow::storage
