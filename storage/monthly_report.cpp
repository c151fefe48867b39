#include "storage/monthly_report.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <map>

#include "storage/figures.hpp"
#include "storage/funds_report.hpp"
#include "storage/problem_report.hpp"

namespace investflow::storage {
namespace {

namespace json = boost::json;

constexpr const char* kSummaryLabel = "文字摘要";  // the summary sheet's written-summary rows

engine::Date last_day_of(int year, int month) {
  const int next_year = month == 12 ? year + 1 : year;
  const int next_month = month == 12 ? 1 : month + 1;
  return engine::Date::from_ymd(next_year, next_month, 1)->plus_days(-1);
}

// Labels of workflows and their stages (sheets show labels, never ids), looked up once per
// distinct id while the rows of a long list go by.
class Labels {
 public:
  explicit Labels(const Workflows& workflows) : workflows_(workflows) {}
  const std::string& workflow_title(const std::string& workflow) {
    auto [slot, inserted] = titles_.try_emplace(workflow);
    if (inserted) {
      slot->second = workflow;
      if (const engine::Workflow* each = find(workflow); each != nullptr && !each->title.zh.empty())
        slot->second = each->title.zh;
    }
    return slot->second;
  }
  const std::string& stage_label(const std::string& workflow, const std::string& state) {
    auto [slot, inserted] = stages_.try_emplace({workflow, state});
    if (inserted) {
      slot->second = state;
      if (const engine::Workflow* each = find(workflow); each != nullptr) {
        const engine::StateDef* def = each->find_state(state);
        if (def != nullptr && !def->label.zh.empty()) slot->second = def->label.zh;
      }
    }
    return slot->second;
  }

 private:
  const engine::Workflow* find(const std::string& workflow) const {
    for (const auto& each : workflows_) {
      if (each->id == workflow) return each.get();
    }
    return nullptr;
  }
  const Workflows& workflows_;
  std::map<std::string, std::string> titles_;
  std::map<std::pair<std::string, std::string>, std::string> stages_;
};

SheetCell optional_date(const std::optional<std::int32_t>& day) {
  return day ? date_cell(engine::Date(*day)) : text_cell("");
}

// A list of the projects a figure counts (figures.hpp), one row each, made as they are read.
Outcome<std::optional<Sheet>> project_sheet(MonthlyContext& context, std::string name,
                                            std::string figure, ReportPeriod period) {
  FigureQuery query;
  query.figure = std::move(figure);
  query.period = period;
  query.today = context.today;
  const bool overdue = query.figure == "overdue_start";
  Sheet sheet{std::move(name),
              {"项目编号", "项目名称", "流程", "企业", "推进单位", "阶段", "投资额（万元）",
               "签约日期", "开工日期", "竣工日期", "投产日期"},
              {}};
  if (overdue) {
    sheet.header.push_back("约定开工期限");
    sheet.header.push_back("超期天数");
  }
  Labels labels(context.workflows);
  if (context.book != nullptr) context.book->add_sheet(sheet.name, sheet.header);
  std::vector<SheetCell> row;
  auto listed =
      for_each_figure_project(context.connection, query, [&](const FigureProject& project) {
        row.clear();
        row.reserve(sheet.header.size());
        row.push_back(text_cell(project.project_id));
        row.push_back(text_cell(project.name));
        row.push_back(text_cell(labels.workflow_title(project.workflow)));
        row.push_back(text_cell(project.enterprise));
        row.push_back(text_cell(project.promoting_unit));
        row.push_back(text_cell(labels.stage_label(project.workflow, project.state)));
        row.push_back(number_cell(project.investment));
        row.push_back(optional_date(project.signed_day));
        row.push_back(optional_date(project.started_day));
        row.push_back(optional_date(project.completed_day));
        row.push_back(optional_date(project.production_day));
        if (overdue) {
          row.push_back(optional_date(project.start_due_day));
          row.push_back(count_cell(project.start_due_day
                                       ? context.today.days_since_epoch() - *project.start_due_day
                                       : 0));
        }
        if (context.book != nullptr) {
          context.book->add_row(row);
        } else {
          sheet.rows.push_back(std::move(row));
        }
      });
  if (!listed) return engine::fail(listed.error());
  if (context.book != nullptr) return std::optional<Sheet>();  // written already
  return std::optional<Sheet>(std::move(sheet));
}

// 同比: the change against the same months of last year, as a fraction; blank without a base.
SheetCell change_cell(double now, double before) {
  if (before <= 0) return text_cell("");
  return rate_cell((now - before) / before);
}

// 汇总: the written summary, then per workflow its applicable figures for the month, 1–N月
// and the same months of last year with 同比, then its KPIs over the projects signed in 1–N月.
Outcome<std::optional<Sheet>> summary_sheet(MonthlyContext& context) {
  const ReportPeriod month = context.month.days();
  const ReportPeriod year = context.month.year_to_date();
  const ReportPeriod last_year = context.month.year_before().year_to_date();
  Outcome<PeriodReport> in_month_read = PeriodReport{};
  Outcome<PeriodReport> to_date_read = PeriodReport{};
  if (context.in_month == nullptr || context.to_date == nullptr) {
    in_month_read = period_report(context.connection, context.workflows, month);
    if (!in_month_read) return engine::fail(in_month_read.error());
    to_date_read = period_report(context.connection, context.workflows, year);
    if (!to_date_read) return engine::fail(to_date_read.error());
  }
  const PeriodReport* in_month = context.in_month != nullptr ? context.in_month : &*in_month_read;
  const PeriodReport* to_date = context.to_date != nullptr ? context.to_date : &*to_date_read;
  auto before = period_report(context.connection, context.workflows, last_year);
  if (!before) return engine::fail(before.error());

  Sheet sheet{"汇总", {"流程", "指标", "本月", "1–N月累计", "去年同期累计", "同比"}, {}};
  const auto text = [&](const std::string& zh) {
    sheet.rows.push_back({text_cell(kSummaryLabel), text_cell(zh), text_cell(""), text_cell(""),
                          text_cell(""), text_cell("")});
  };
  const int month_number = context.month.month;
  const std::string heading =
      std::to_string(context.month.year) + "年" + std::to_string(month_number) + "月：";
  text(period_text(*in_month, {heading, ""}).zh);
  text(period_text(*to_date, {std::to_string(context.month.year) + "年1–" +
                                  std::to_string(month_number) + "月累计：",
                              ""})
           .zh);
  for (std::size_t i = 0; i < in_month->workflows.size(); ++i) {
    const PeriodFigures& m = in_month->workflows[i];
    const PeriodFigures& y = to_date->workflows[i];
    const PeriodFigures& b = before->workflows[i];
    const std::string title = m.title.zh.empty() ? m.workflow : m.title.zh;
    const auto count_row = [&](const char* label, std::optional<std::int64_t> PeriodFigures::*f) {
      if (!(m.*f)) return;
      sheet.rows.push_back(
          {text_cell(title), text_cell(label), count_cell(*(m.*f)), count_cell(*(y.*f)),
           count_cell((b.*f).value_or(0)),
           change_cell(static_cast<double>(*(y.*f)), static_cast<double>((b.*f).value_or(0)))});
    };
    const auto amount_row = [&](const char* label, std::optional<double> PeriodFigures::*f) {
      if (!(m.*f)) return;
      sheet.rows.push_back({text_cell(title), text_cell(label), number_cell(*(m.*f)),
                            number_cell(*(y.*f)), number_cell((b.*f).value_or(0)),
                            change_cell(*(y.*f), (b.*f).value_or(0))});
    };
    sheet.rows.push_back(
        {text_cell(title), text_cell("新增项目数"), count_cell(m.new_projects),
         count_cell(y.new_projects), count_cell(b.new_projects),
         change_cell(static_cast<double>(y.new_projects), static_cast<double>(b.new_projects))});
    amount_row("新增项目投资（万元）", &PeriodFigures::new_investment);
    count_row("新签约项目数", &PeriodFigures::signed_count);
    amount_row("签约额（万元）", &PeriodFigures::signed_investment);
    count_row("新开工项目数", &PeriodFigures::started);
    count_row("竣工项目数", &PeriodFigures::completed);
    count_row("新投产项目数", &PeriodFigures::in_production);

    // The KPIs of the projects signed in the month, in 1–N月, and last year's 1–N月.
    const auto workflow = context.workflows[i];
    auto kpi_month = kpi_report(context.connection, *workflow, month, context.today, 0);
    auto kpi_year = kpi_report(context.connection, *workflow, year, context.today, 0);
    auto kpi_before = kpi_report(context.connection, *workflow, last_year, context.today, 0);
    if (!kpi_month || !kpi_year || !kpi_before) {
      return engine::fail(!kpi_month  ? kpi_month.error()
                          : !kpi_year ? kpi_year.error()
                                      : kpi_before.error());
    }
    for (std::size_t k = 0; k < kpi_month->kpis.size(); ++k) {
      const Kpi& km = kpi_month->kpis[k];
      if (!km.numerator) continue;  // not applicable to this workflow
      const auto rate = [](const Kpi& kpi) {
        return kpi.rate ? rate_cell(*kpi.rate) : text_cell("");
      };
      sheet.rows.push_back({text_cell(title), text_cell(km.label.zh), rate(km),
                            rate(kpi_year->kpis[k]), rate(kpi_before->kpis[k]), text_cell("")});
    }
    if (kpi_year->overdue_start_count) {
      sheet.rows.push_back({text_cell(title), text_cell("超时限未开工项目数（截至今日）"),
                            text_cell(""), count_cell(*kpi_year->overdue_start_count),
                            text_cell(""), text_cell("")});
    }
  }
  return std::optional<Sheet>(std::move(sheet));
}

// One sheet made of a report's parts, one below the other, each after its own header row
// (the first part's header is the sheet's).
Sheet stacked(std::string name, std::vector<Sheet> parts) {
  Sheet sheet{std::move(name), parts.front().header, {}};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      sheet.rows.emplace_back();
      std::vector<SheetCell> header;
      for (const std::string& title : parts[i].header)
        header.push_back(text_cell(title));
      sheet.rows.push_back(std::move(header));
    }
    for (auto& row : parts[i].rows)
      sheet.rows.push_back(std::move(row));
  }
  return sheet;
}

// 到位资金 (funds_report.hpp): the month, 1–N月 and 同比 in total and by source, then by
// workflow and by promoting unit. Left out when no workflow keeps a funds ledger.
Outcome<std::optional<Sheet>> funds_sheet(MonthlyContext& context) {
  auto report = funds_report(context.connection, context.workflows,
                             context.month.year * 100 + context.month.month);
  if (!report) return engine::fail(report.error());
  if (report->by_workflow.empty()) return std::optional<Sheet>();
  return std::optional<Sheet>(stacked("到位资金", funds_report_sheets(*report)));
}

// 问题台账 (problem_report.hpp): the service desk's figures over the problems raised 1–N月,
// then by responsible unit and by category. Left out when no workflow has a state tagged
// resolved.
Outcome<std::optional<Sheet>> problems_sheet(MonthlyContext& context) {
  const Workflows workflows = problem_workflows(context.workflows);
  if (workflows.empty()) return std::optional<Sheet>();
  auto report = problem_report(context.connection, workflows, context.month.year_to_date());
  if (!report) return engine::fail(report.error());
  return std::optional<Sheet>(stacked("问题台账", report_sheets(*report)));
}

}  // namespace

ReportPeriod ReportMonth::days() const {
  return {*engine::Date::from_ymd(year, month, 1), last_day_of(year, month)};
}

ReportPeriod ReportMonth::year_to_date() const {
  return {*engine::Date::from_ymd(year, 1, 1), last_day_of(year, month)};
}

std::string ReportMonth::to_string() const {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d", year, month);
  return buffer;
}

std::optional<ReportMonth> parse_month(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  int year = 0;
  int month = 0;
  for (std::size_t i = 0; i < 7; ++i) {
    if (i == 4) continue;
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    (i < 4 ? year : month) = (i < 4 ? year : month) * 10 + (text[i] - '0');
  }
  if (year < 1970 || month < 1 || month > 12) return std::nullopt;
  return ReportMonth{year, month};
}

const std::vector<MonthlySheetBuilder>& monthly_sheet_builders() {
  static const std::vector<MonthlySheetBuilder> builders = {
      {"汇总", summary_sheet},
      {"新签约项目",
       [](MonthlyContext& c) { return project_sheet(c, "新签约项目", "signed", c.month.days()); }},
      {"在建项目",
       [](MonthlyContext& c) {
         return project_sheet(c, "在建项目", "under_construction", c.month.days());
       }},
      {"新开工",
       [](MonthlyContext& c) { return project_sheet(c, "新开工", "started", c.month.days()); }},
      {"新投产",
       [](MonthlyContext& c) {
         return project_sheet(c, "新投产", "in_production", c.month.days());
       }},
      {"到位资金", funds_sheet},
      {"超时限未开工",
       [](MonthlyContext& c) {
         return project_sheet(c, "超时限未开工", "overdue_start", c.month.days());
       }},
      {"问题台账", problems_sheet},
  };
  return builders;
}

Outcome<MonthlyReport> monthly_report(SqlDatabase& connection, const Workflows& workflows,
                                      ReportMonth month, engine::Date today) {
  auto in_month = period_report(connection, workflows, month.days());
  if (!in_month) return engine::fail(in_month.error());
  auto to_date = period_report(connection, workflows, month.year_to_date());
  if (!to_date) return engine::fail(to_date.error());
  MonthlyContext context{connection, workflows, month, today, &*in_month, &*to_date};
  MonthlyReport report;
  report.month = month;
  report.today = today;
  for (const MonthlySheetBuilder& builder : monthly_sheet_builders()) {
    auto sheet = builder.build(context);
    if (!sheet) return engine::fail(sheet.error());
    if (*sheet) report.sheets.push_back(std::move(**sheet));
  }
  // The written summary, in both languages.
  const std::string y = std::to_string(month.year);
  const std::string m = std::to_string(month.month);
  const engine::LocalizedText first =
      period_text(*in_month, {y + "年" + m + "月：", month.to_string() + ":"});
  const engine::LocalizedText cumulative =
      period_text(*to_date, {y + "年1–" + m + "月累计：", y + "-01 to " + month.to_string() + ":"});
  report.text = {first.zh + "\n" + cumulative.zh, first.en + "\n" + cumulative.en};
  return report;
}

Outcome<Ok> write_monthly_xlsx(SqlDatabase& connection, const Workflows& workflows,
                               ReportMonth month, engine::Date today,
                               const std::filesystem::path& file) {
  auto in_month = period_report(connection, workflows, month.days());
  if (!in_month) return engine::fail(in_month.error());
  auto to_date = period_report(connection, workflows, month.year_to_date());
  if (!to_date) return engine::fail(to_date.error());
  XlsxBook book(file, true);
  if (!book.open()) {
    return engine::fail(Error{Error::Kind::storage, "cannot create " + file.string()});
  }
  MonthlyContext context{connection, workflows, month, today, &*in_month, &*to_date, &book};
  for (const MonthlySheetBuilder& builder : monthly_sheet_builders()) {
    auto sheet = builder.build(context);
    if (!sheet) return engine::fail(sheet.error());
    if (!*sheet) continue;  // left out, or written as it was read
    book.add_sheet((*sheet)->name, (*sheet)->header);
    for (const auto& row : (*sheet)->rows)
      book.add_row(row);
  }
  return book.close();
}

json::value report_json(const MonthlyReport& report) {
  json::array sheets;
  for (const Sheet& sheet : report.sheets) {
    json::array header;
    for (const std::string& name : sheet.header)
      header.push_back(json::value(name));
    json::array rows;
    for (const auto& row : sheet.rows) {
      json::array cells;
      for (const SheetCell& cell : row) {
        if (cell.kind == CellKind::date || cell.kind == CellKind::timestamp || !cell.number) {
          cells.push_back(json::value(cell.text));
        } else if (cell.kind == CellKind::count) {
          cells.push_back(json::value(static_cast<std::int64_t>(*cell.number)));
        } else {
          cells.push_back(json::value(*cell.number));
        }
      }
      rows.push_back(std::move(cells));
    }
    sheets.push_back(json::object{
        {"name", sheet.name}, {"header", std::move(header)}, {"rows", std::move(rows)}});
  }
  const ReportPeriod days = report.month.days();
  return json::object{{"month", report.month.to_string()},
                      {"from", days.from.to_string()},
                      {"to", days.to.to_string()},
                      {"today", report.today.to_string()},
                      {"text", json::object{{"zh", report.text.zh}, {"en", report.text.en}}},
                      {"sheets", std::move(sheets)}};
}

std::string monthly_text(const MonthlyReport& report, std::string_view lang) {
  std::string out = (lang == "en" ? report.text.en : report.text.zh) + "\n";
  for (const Sheet& sheet : report.sheets) {
    out += "\n" + sheet.name + "\n";
    std::string line;
    for (const std::string& name : sheet.header)
      line += name + "\t";
    out += line.substr(0, line.size() - 1) + "\n";
    for (const auto& row : sheet.rows) {
      // The written summary is printed above already (and spans lines).
      if (!row.empty() && row.front().text == kSummaryLabel) continue;
      line.clear();
      for (const SheetCell& cell : row)
        line += cell.text + "\t";
      out += line.substr(0, line.size() - 1) + "\n";
    }
  }
  return out;
}

std::string monthly_file_name(const ReportMonth& month, std::string_view extension, bool ascii) {
  return std::string(ascii ? "monthly-" : "月报-") + month.to_string() + "." +
         std::string(extension);
}

}  // namespace investflow::storage
