#include "storage/funds_report.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <set>
#include <sstream>

#include "storage/figures.hpp"
#include "storage/pg_schema.hpp"
#include "storage/reports.hpp"
#include "storage/wire_json.hpp"

namespace investflow::storage {
namespace {

namespace json = boost::json;

template <class Body>
auto guarded(Body body) -> Outcome<decltype(body())> {
  try {
    return body();
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

std::optional<double> growth(double now, double before) {
  if (before == 0) return std::nullopt;
  return (now - before) / before;
}

json::value optional_number(const std::optional<double>& value) {
  if (!value) return nullptr;
  return *value;
}

json::object localized_json(const engine::LocalizedText& text) {
  return {{"zh", text.zh}, {"en", text.en}};
}

const engine::Workflow* find_workflow(const FundsWorkflows& workflows, std::string_view id) {
  for (const auto& workflow : workflows) {
    if (workflow->id == id) return workflow.get();
  }
  return nullptr;
}

// The label of a promoting unit: its option label in the first workflow that has one.
engine::LocalizedText unit_label(const FundsWorkflows& workflows, const std::string& unit) {
  if (unit.empty()) return {"未填招商单位", "No promoting unit"};
  for (const auto& workflow : workflows) {
    const engine::FieldDef* field = workflow->tagged(engine::FieldTag::promoting_unit);
    if (field == nullptr) continue;
    if (const auto it = field->option_labels.find(unit); it != field->option_labels.end()) {
      return {it->second.zh.empty() ? unit : it->second.zh,
              it->second.en.empty() ? unit : it->second.en};
    }
  }
  return {unit, unit};
}

// Amounts per key for the four periods a funds figure needs.
struct Amounts {
  double month = 0;
  double cumulative = 0;
  double month_last_year = 0;
  double cumulative_last_year = 0;
  std::int64_t entries = 0;
};

FundsFigures figures_of(const Amounts& amounts) {
  FundsFigures figures;
  // Sums of amounts typed to two decimals: shown as typed, not as 0.30000000000000004.
  const auto round = [](double value) { return std::round(value * 1e6) / 1e6; };
  figures.month = round(amounts.month);
  figures.cumulative = round(amounts.cumulative);
  figures.month_last_year = round(amounts.month_last_year);
  figures.cumulative_last_year = round(amounts.cumulative_last_year);
  figures.month_growth = growth(figures.month, figures.month_last_year);
  figures.cumulative_growth = growth(figures.cumulative, figures.cumulative_last_year);
  figures.entries = amounts.entries;
  return figures;
}

json::object figures_json(const FundsFigures& figures) {
  return {{"month", figures.month},
          {"cumulative", figures.cumulative},
          {"month_last_year", figures.month_last_year},
          {"cumulative_last_year", figures.cumulative_last_year},
          {"month_growth", optional_number(figures.month_growth)},
          {"cumulative_growth", optional_number(figures.cumulative_growth)},
          {"entries", figures.entries}};
}

json::array lines_json(const std::vector<FundsLine>& lines) {
  json::array out;
  for (const FundsLine& line : lines) {
    json::object item = figures_json(line.figures);
    item["key"] = line.key;
    item["label"] = localized_json(line.label);
    out.push_back(std::move(item));
  }
  return out;
}

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << value;
  return out.str();
}

std::string percent(const std::optional<double>& rate) {
  if (!rate) return "—";
  return fixed(*rate * 100, 1) + "%";
}

SheetCell growth_cell(const std::optional<double>& rate) {
  return rate ? rate_cell(*rate) : text_cell("");
}

std::vector<SheetCell> figure_cells(const FundsFigures& figures) {
  return {number_cell(figures.month),           number_cell(figures.cumulative),
          number_cell(figures.month_last_year), number_cell(figures.cumulative_last_year),
          growth_cell(figures.month_growth),    growth_cell(figures.cumulative_growth)};
}

std::vector<std::string> figure_header(int month) {
  const std::string n = std::to_string(month % 100);
  return {"本月（万元）",     "1–" + n + "月累计（万元）",
          "上年同月（万元）", "上年1–" + n + "月（万元）",
          "本月同比",         "累计同比"};
}

}  // namespace

Outcome<FundsReport> funds_report(SqlDatabase& connection, const FundsWorkflows& workflows,
                                  int month, const std::string& workflow) {
  return guarded([&] {
    FundsReport report;
    report.month = month;
    report.workflow = workflow;
    const int year_start = month / 100 * 100 + 1;
    // This year's January to the month, and the same months of last year.
    auto select = connection.statement(
        "SELECT workflow, month, source, promoting_unit, SUM(entries), SUM(amount) "
        "FROM report_funds WHERE (month BETWEEN ? AND ? OR month BETWEEN ? AND ?) "
        "AND (? = '' OR workflow = ?) GROUP BY workflow, month, source, promoting_unit");
    select->bind(1, year_start);
    select->bind(2, month);
    select->bind(3, year_start - 100);
    select->bind(4, month - 100);
    select->bind(5, workflow);
    select->bind(6, workflow);
    Amounts total;
    std::map<std::string, Amounts> by_source;
    std::map<std::string, Amounts> by_workflow;
    std::map<std::string, Amounts> by_unit;
    while (select->executeStep()) {
      const int row_month = select->getColumn(1).getInt();
      const double amount = select->getColumn(5).getDouble();
      const std::int64_t entries = select->getColumn(4).getInt64();
      const bool this_year = row_month >= year_start;
      const bool in_month = row_month == (this_year ? month : month - 100);
      for (Amounts* amounts : {&total, &by_source[select->getColumn(2).getString()],
                               &by_workflow[select->getColumn(0).getString()],
                               &by_unit[select->getColumn(3).getString()]}) {
        if (this_year) {
          amounts->cumulative += amount;
          if (in_month) {
            amounts->month += amount;
            amounts->entries += entries;
          }
        } else {
          amounts->cumulative_last_year += amount;
          if (in_month) amounts->month_last_year += amount;
        }
      }
    }
    report.total = figures_of(total);
    for (const auto& [source, name] : engine::kFundsSourceNames) {
      report.by_source.push_back({std::string(name),
                                  {std::string(engine::funds_source_zh(source)),
                                   std::string(engine::funds_source_en(source))},
                                  figures_of(by_source[std::string(name)])});
    }
    for (const auto& definition : workflows) {
      if (definition->tagged(engine::FieldTag::funds_in_place) == nullptr) continue;
      if (!workflow.empty() && definition->id != workflow) continue;
      report.by_workflow.push_back(
          {definition->id,
           {definition->title.zh.empty() ? definition->id : definition->title.zh,
            definition->title.en.empty() ? definition->id : definition->title.en},
           figures_of(by_workflow[definition->id])});
    }
    // A workflow no longer loaded that still has funds: under its id.
    for (const auto& [id, amounts] : by_workflow) {
      if (find_workflow(workflows, id) == nullptr) {
        report.by_workflow.push_back({id, {id, id}, figures_of(amounts)});
      }
    }
    for (const auto& [unit, amounts] : by_unit) {
      report.by_unit.push_back({unit, unit_label(workflows, unit), figures_of(amounts)});
    }
    std::stable_sort(report.by_unit.begin(), report.by_unit.end(),
                     [](const FundsLine& a, const FundsLine& b) {
                       return a.figures.cumulative > b.figures.cumulative;
                     });
    return report;
  });
}

json::value funds_report_json(const FundsReport& report) {
  return json::object{
      {"month", engine::funds_month_text(report.month)},
      {"workflow", report.workflow.empty() ? json::value(nullptr) : json::value(report.workflow)},
      {"total", figures_json(report.total)},
      {"by_source", lines_json(report.by_source)},
      {"by_workflow", lines_json(report.by_workflow)},
      {"by_unit", lines_json(report.by_unit)}};
}

std::vector<Sheet> funds_report_sheets(const FundsReport& report) {
  std::vector<std::string> header = figure_header(report.month);
  const auto sheet = [&](std::string name, std::string first, const std::vector<FundsLine>& lines,
                         bool with_total) {
    Sheet out{std::move(name), {std::move(first)}, {}};
    out.header.insert(out.header.end(), header.begin(), header.end());
    for (const FundsLine& line : lines) {
      std::vector<SheetCell> row{text_cell(line.label.zh)};
      for (SheetCell& cell : figure_cells(line.figures))
        row.push_back(std::move(cell));
      out.rows.push_back(std::move(row));
    }
    if (with_total) {
      std::vector<SheetCell> row{text_cell("合计")};
      for (SheetCell& cell : figure_cells(report.total))
        row.push_back(std::move(cell));
      out.rows.push_back(std::move(row));
    }
    return out;
  };
  return {sheet("到位资金", "资金来源", report.by_source, true),
          sheet("到位资金-按流程", "流程", report.by_workflow, false),
          sheet("到位资金-按招商单位", "招商单位", report.by_unit, false)};
}

std::string funds_report_text(const FundsReport& report) {
  const int n = report.month % 100;
  std::ostringstream out;
  out << report.month / 100 << "年" << n << "月到位资金 " << money_zh(report.total.month) << "，1–"
      << n << "月累计 " << money_zh(report.total.cumulative) << "，同比 "
      << percent(report.total.cumulative_growth) << "。\n";
  const auto lines = [&](const char* title, const std::vector<FundsLine>& items) {
    out << "\n" << title << "\n";
    for (const FundsLine& line : items) {
      out << "  " << line.label.zh << "\t本月 " << fixed(line.figures.month, 2) << "\t累计 "
          << fixed(line.figures.cumulative, 2) << "\t同比 "
          << percent(line.figures.cumulative_growth) << "\n";
    }
  };
  lines("按资金来源（万元）", report.by_source);
  lines("按流程（万元）", report.by_workflow);
  lines("按招商单位（万元）", report.by_unit);
  return out.str();
}

// --- targets ---------------------------------------------------------------------------

const std::vector<TargetFigure>& target_figures() {
  static const std::vector<TargetFigure> figures = {
      {"signed_projects", "签约项目数", "Projects signed", "个"},
      {"signed_amount", "签约额", "Amount signed", "万元"},
      {"funds", "到位资金", "Funds in place", "万元"},
      {"started_projects", "开工项目数", "Projects started", "个"},
  };
  return figures;
}

const TargetFigure* find_target_figure(std::string_view id) {
  for (const TargetFigure& figure : target_figures()) {
    if (figure.id == id) return &figure;
  }
  return nullptr;
}

std::vector<TargetProblem> check_target(int year, const std::string& unit,
                                        const std::string& figure, std::optional<double> value) {
  std::vector<TargetProblem> problems;
  if (year < 2000 || year > 2100) {
    problems.push_back({"year", "年度须在 2000 至 2100 之间", "year must be 2000 to 2100"});
  }
  if (unit.find_first_not_of(" \t\r\n") == std::string::npos) {
    problems.push_back({"unit", "请填写招商单位", "the promoting unit is required"});
  } else if (unit.size() > 200) {
    problems.push_back({"unit", "招商单位名称过长", "the promoting unit is too long"});
  }
  if (find_target_figure(figure) == nullptr) {
    problems.push_back(
        {"figure", "未知的目标指标“" + figure + "”，应为：签约项目数、签约额、到位资金、开工项目数",
         "unknown figure '" + figure +
             "': signed_projects, signed_amount, funds or started_projects"});
  }
  if (value && (!std::isfinite(*value) || *value < 0 || *value > 1e12)) {
    problems.push_back({"value", "目标值须为不小于零的数", "the value must be a number ≥ 0"});
  } else if (value && (figure == "signed_projects" || figure == "started_projects") &&
             std::trunc(*value) != *value) {
    problems.push_back({"value", "项目数目标须为整数", "a number of projects must be whole"});
  }
  return problems;
}

Outcome<std::optional<TargetChange>> set_target(SqlDatabase& db, int year, const std::string& unit,
                                                const std::string& figure,
                                                std::optional<double> value, const std::string& by,
                                                engine::Timestamp at) {
  return guarded([&]() -> std::optional<TargetChange> {
    // One change at a time, also between servers on one PostgreSQL database.
    db.exec(db.postgres()
                ? "BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kPgTargetsLock) + ")"
                : "BEGIN IMMEDIATE");
    try {
      std::optional<double> before;
      {
        auto select =
            db.statement("SELECT value FROM targets WHERE year = ? AND unit = ? AND figure = ?");
        select->bind(1, year);
        select->bind(2, unit);
        select->bind(3, figure);
        if (select->executeStep()) before = select->getColumn(0).getDouble();
      }
      if (before == value) {
        db.exec("COMMIT");
        return std::nullopt;
      }
      if (value) {
        auto upsert = db.statement(
            "INSERT INTO targets (year, unit, figure, value, set_by, set_at) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT (year, unit, figure) DO UPDATE SET value = excluded.value, "
            "set_by = excluded.set_by, set_at = excluded.set_at");
        upsert->bind(1, year);
        upsert->bind(2, unit);
        upsert->bind(3, figure);
        upsert->bind(4, *value);
        upsert->bind(5, by);
        upsert->bind(6, at);
        upsert->exec();
      } else {
        auto remove =
            db.statement("DELETE FROM targets WHERE year = ? AND unit = ? AND figure = ?");
        remove->bind(1, year);
        remove->bind(2, unit);
        remove->bind(3, figure);
        remove->exec();
      }
      std::int64_t id = 0;
      {
        auto history = db.statement(
            "INSERT INTO target_history (year, unit, figure, before, after, by, at) "
            "VALUES (?,?,?,?,?,?,?) RETURNING id");
        history->bind(1, year);
        history->bind(2, unit);
        history->bind(3, figure);
        if (before) {
          history->bind(4, *before);
        } else {
          history->bind(4);
        }
        if (value) {
          history->bind(5, *value);
        } else {
          history->bind(5);
        }
        history->bind(6, by);
        history->bind(7, at);
        if (history->executeStep()) id = history->getColumn(0).getInt64();
      }
      db.exec("COMMIT");
      return TargetChange{id, year, unit, figure, before, value, by, at};
    } catch (...) {
      try {
        db.exec("ROLLBACK");
      } catch (...) {
      }
      throw;
    }
  });
}

TargetWriter::TargetWriter(const std::string& database)
    : database_(database), db_(open_sql_database(database, false)) {
}

TargetWriter::~TargetWriter() = default;

Outcome<std::optional<TargetChange>> TargetWriter::set(int year, const std::string& unit,
                                                       const std::string& figure,
                                                       std::optional<double> value,
                                                       const std::string& by,
                                                       engine::Timestamp at) {
  const std::lock_guard lock(mutex_);
  if (!db_->usable()) {  // PostgreSQL went away since: connect again, before the transaction
    try {
      db_ = open_sql_database(database_, false);
    } catch (const std::exception& error) {
      return engine::fail(storage_error(error));
    }
  }
  return set_target(*db_, year, unit, figure, value, by, at);
}

Outcome<std::vector<Target>> list_targets(SqlDatabase& connection, int year) {
  return guarded([&] {
    std::vector<Target> targets;
    auto select = connection.statement(
        "SELECT year, unit, figure, value, set_by, set_at FROM targets WHERE year = ? "
        "ORDER BY unit, figure");
    select->bind(1, year);
    while (select->executeStep()) {
      targets.push_back({select->getColumn(0).getInt(), select->getColumn(1).getString(),
                         select->getColumn(2).getString(), select->getColumn(3).getDouble(),
                         select->getColumn(4).getString(), select->getColumn(5).getInt64()});
    }
    // The figures in their order within a unit.
    const auto order = [](const std::string& figure) {
      const auto& all = target_figures();
      for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i].id == figure) return i;
      }
      return all.size();
    };
    std::stable_sort(targets.begin(), targets.end(), [&](const Target& a, const Target& b) {
      return a.unit != b.unit ? a.unit < b.unit : order(a.figure) < order(b.figure);
    });
    return targets;
  });
}

Outcome<std::vector<TargetChange>> target_history(SqlDatabase& connection, int year, int limit) {
  return guarded([&] {
    std::vector<TargetChange> changes;
    auto select = connection.statement(
        "SELECT id, year, unit, figure, before, after, by, at FROM target_history "
        "WHERE year = ? ORDER BY id DESC LIMIT ?");
    select->bind(1, year);
    select->bind(2, limit);
    while (select->executeStep()) {
      TargetChange change;
      change.id = select->getColumn(0).getInt64();
      change.year = select->getColumn(1).getInt();
      change.unit = select->getColumn(2).getString();
      change.figure = select->getColumn(3).getString();
      if (!select->getColumn(4).isNull()) change.before = select->getColumn(4).getDouble();
      if (!select->getColumn(5).isNull()) change.after = select->getColumn(5).getDouble();
      change.by = select->getColumn(6).getString();
      change.at = select->getColumn(7).getInt64();
      changes.push_back(std::move(change));
    }
    return changes;
  });
}

json::value target_json(const Target& target) {
  return json::object{{"year", target.year},     {"unit", target.unit},
                      {"figure", target.figure}, {"value", target.value},
                      {"set_by", target.set_by}, {"set_at", wire_timestamp(target.set_at)}};
}

json::value target_change_json(const TargetChange& change) {
  return json::object{{"id", change.id},
                      {"year", change.year},
                      {"unit", change.unit},
                      {"figure", change.figure},
                      {"before", optional_number(change.before)},
                      {"after", optional_number(change.after)},
                      {"by", change.by},
                      {"at", wire_timestamp(change.at)}};
}

Outcome<std::vector<PromotingUnit>> promoting_units(SqlDatabase& connection,
                                                    const FundsWorkflows& workflows) {
  return guarded([&] {
    std::vector<PromotingUnit> units;
    std::set<std::string> seen;
    for (const auto& workflow : workflows) {
      const engine::FieldDef* field = workflow->tagged(engine::FieldTag::promoting_unit);
      if (field == nullptr) continue;
      for (const std::string& option : field->options) {
        if (seen.insert(option).second) units.push_back({option, unit_label(workflows, option)});
      }
    }
    std::set<std::string> others;
    for (const char* sql :
         {"SELECT DISTINCT value FROM report_pipeline_by WHERE dimension = 'promoting_unit' "
          "AND value <> ''",
          "SELECT DISTINCT unit FROM targets"}) {
      auto select = connection.statement(sql);
      while (select->executeStep())
        others.insert(select->getColumn(0).getString());
    }
    for (const std::string& unit : others) {
      if (seen.insert(unit).second) units.push_back({unit, unit_label(workflows, unit)});
    }
    return units;
  });
}

Outcome<TargetsReport> targets_report(SqlDatabase& connection, const FundsWorkflows& workflows,
                                      int year, engine::Date through) {
  auto units = promoting_units(connection, workflows);
  if (!units) return engine::fail(units.error());
  auto targets = list_targets(connection, year);
  if (!targets) return engine::fail(targets.error());
  return guarded([&] {
    TargetsReport report;
    report.year = year;
    const engine::Date from = *engine::Date::from_ymd(year, 1, 1);
    const engine::Date year_end = *engine::Date::from_ymd(year, 12, 31);
    report.through = std::min(through, year_end);
    const auto signed_by_unit =
        reached_by_unit(connection, workflows, engine::StateTag::signing, from, report.through);
    const auto started_by_unit = reached_by_unit(
        connection, workflows, engine::StateTag::construction_started, from, report.through);
    std::map<std::string, double> funds_by_unit;
    {
      auto select = connection.statement(
          "SELECT promoting_unit, SUM(amount) FROM report_funds WHERE month BETWEEN ? AND ? "
          "GROUP BY promoting_unit");
      select->bind(1, year * 100 + 1);
      select->bind(2, report.through.year() * 100 + report.through.ymd().month);
      while (select->executeStep())
        funds_by_unit[select->getColumn(0).getString()] = select->getColumn(1).getDouble();
    }
    std::map<std::string, std::map<std::string, double>> target_of;  // unit -> figure -> value
    for (const Target& target : *targets)
      target_of[target.unit][target.figure] = target.value;

    for (const PromotingUnit& unit : *units) {
      UnitProgress progress;
      progress.unit = unit.id;
      progress.label = unit.label;
      double rates = 0;
      int with_target = 0;
      for (const TargetFigure& figure : target_figures()) {
        TargetProgress item;
        item.figure = std::string(figure.id);
        if (figure.id == "signed_projects" || figure.id == "signed_amount") {
          if (const auto it = signed_by_unit.find(unit.id); it != signed_by_unit.end()) {
            item.actual = figure.id == "signed_projects" ? static_cast<double>(it->second.projects)
                                                         : it->second.investment;
          }
        } else if (figure.id == "started_projects") {
          if (const auto it = started_by_unit.find(unit.id); it != started_by_unit.end()) {
            item.actual = static_cast<double>(it->second.projects);
          }
        } else if (const auto it = funds_by_unit.find(unit.id); it != funds_by_unit.end()) {
          item.actual = std::round(it->second * 1e6) / 1e6;
        }
        if (const auto unit_targets = target_of.find(unit.id); unit_targets != target_of.end()) {
          if (const auto it = unit_targets->second.find(item.figure);
              it != unit_targets->second.end()) {
            item.target = it->second;
            if (it->second > 0) {
              item.rate = item.actual / it->second;
              rates += *item.rate;
              ++with_target;
            }
          }
        }
        progress.figures.push_back(std::move(item));
      }
      if (with_target > 0) progress.score = rates / with_target;
      report.units.push_back(std::move(progress));
    }
    std::stable_sort(report.units.begin(), report.units.end(),
                     [](const UnitProgress& a, const UnitProgress& b) {
                       if (a.score.has_value() != b.score.has_value()) return a.score.has_value();
                       return a.score && *a.score > *b.score;
                     });
    int rank = 0;
    for (std::size_t i = 0; i < report.units.size(); ++i) {
      UnitProgress& unit = report.units[i];
      if (!unit.score) break;
      rank = i > 0 && report.units[i - 1].score == unit.score ? rank : static_cast<int>(i) + 1;
      unit.rank = rank;
    }
    return report;
  });
}

json::value targets_report_json(const TargetsReport& report) {
  json::array units;
  for (const UnitProgress& unit : report.units) {
    json::array figures;
    for (const TargetProgress& item : unit.figures) {
      figures.push_back(json::object{{"figure", item.figure},
                                     {"target", optional_number(item.target)},
                                     {"actual", item.actual},
                                     {"rate", optional_number(item.rate)}});
    }
    units.push_back(json::object{{"unit", unit.unit},
                                 {"label", localized_json(unit.label)},
                                 {"figures", std::move(figures)},
                                 {"score", optional_number(unit.score)},
                                 {"rank", unit.rank ? json::value(*unit.rank) : json::value()}});
  }
  json::array figures;
  for (const TargetFigure& figure : target_figures()) {
    figures.push_back(json::object{{"id", figure.id},
                                   {"label", json::object{{"zh", figure.zh}, {"en", figure.en}}},
                                   {"unit", figure.unit}});
  }
  return json::object{{"year", report.year},
                      {"through", report.through.to_string()},
                      {"figures", std::move(figures)},
                      {"units", std::move(units)}};
}

std::vector<Sheet> targets_report_sheets(const TargetsReport& report) {
  Sheet sheet{"目标进度", {"排名", "招商单位"}, {}};
  for (const TargetFigure& figure : target_figures()) {
    const std::string name(figure.zh);
    const std::string unit = figure.unit == "万元" ? "（万元）" : "";
    sheet.header.push_back(name + "目标" + unit);
    sheet.header.push_back(name + "完成" + unit);
    sheet.header.push_back(name + "完成率");
  }
  sheet.header.push_back("综合完成率");
  for (const UnitProgress& unit : report.units) {
    std::vector<SheetCell> row{unit.rank ? count_cell(*unit.rank) : text_cell(""),
                               text_cell(unit.label.zh)};
    for (const TargetProgress& item : unit.figures) {
      const bool count = item.figure == "signed_projects" || item.figure == "started_projects";
      row.push_back(item.target ? (count ? count_cell(static_cast<std::int64_t>(*item.target))
                                         : number_cell(*item.target))
                                : text_cell(""));
      row.push_back(count ? count_cell(static_cast<std::int64_t>(item.actual))
                          : number_cell(item.actual));
      row.push_back(growth_cell(item.rate));
    }
    row.push_back(growth_cell(unit.score));
    sheet.rows.push_back(std::move(row));
  }
  return {std::move(sheet)};
}

std::string targets_report_text(const TargetsReport& report) {
  std::ostringstream out;
  out << report.year << "年招商目标完成情况（截至 " << report.through.to_string() << "）\n";
  for (const UnitProgress& unit : report.units) {
    out << (unit.rank ? std::to_string(*unit.rank) : std::string("—")) << "\t" << unit.label.zh;
    for (std::size_t i = 0; i < unit.figures.size(); ++i) {
      const TargetProgress& item = unit.figures[i];
      out << "\t" << target_figures()[i].zh << " "
          << fixed(item.actual, item.figure.ends_with("projects") ? 0 : 2);
      if (item.target) out << "/" << fixed(*item.target, item.figure.ends_with("projects") ? 0 : 2);
      out << " " << percent(item.rate);
    }
    out << "\t综合 " << percent(unit.score) << "\n";
  }
  return out.str();
}

}  // namespace investflow::storage
