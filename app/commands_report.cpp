#include "app/commands_report.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/commands_funds.hpp"
#include "app/commands_storage.hpp"
#include "storage/monthly_report.hpp"
#include "storage/open_store.hpp"
#include "storage/problem_report.hpp"
#include "storage/reports.hpp"
#include "storage/reports_output.hpp"
#include "storage/sqlite_store.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;

constexpr const char* kReports[] = {"pipeline", "funnel",  "aging",   "kpis",
                                    "period",   "monthly", "problems"};

constexpr const char* kOverview =
    "Usage: investflow report REPORT --db FILE [options]   (or: report REPORT DB)\n\n"
    "Reports over the summaries the event log keeps (definitions: docs/reports.md):\n"
    "  pipeline   projects and investment per stage, now\n"
    "  funnel     how far the projects created in a period got, stage by stage\n"
    "  aging      time in each stage (working days), and the longest-waiting projects\n"
    "  kpis       新签约, 履约率, 开工率, 按期开工率, 投产率, 竣工率, 按期竣工率, 资金到位率,\n"
    "             SLA and milestone on-time rates, 超时限未开工\n"
    "  period     the figures of a period, per workflow, in the zone's reporting style\n"
    "  funds      到位资金: the month, 1–N月 and 同比, by source, workflow and unit\n"
    "  targets    progress against the promoting units' annual targets, ranked\n"
    "  monthly    the monthly report (月报): summary with 1–N月 and 同比, project lists\n"
    "  problems   the service desk: 诉求办结率, 按期办结率, working days to close, open\n"
    "             problems by unit and by category (docs/service-desk.md)\n\n"
    "Run 'investflow report REPORT --help' for a report's options.\n";

// kpis (issue 16): the monthly report (月报).
ArgSpec monthly_spec() {
  ArgSpec spec(
      "report monthly",
      "The monthly report (月报): one workbook with the sheets 汇总 (summary, the month, "
      "1–N月 and 同比, KPIs), 新签约项目, 在建项目, 新开工, 新投产, 到位资金, 超时限未开工, "
      "问题台账 "
      "(docs/reports.md).");
  spec.option("db", "FILE", "the SQLite database file, or a postgresql:// URI")
      .option("month", "YYYY-MM", "the month")
      .option("format", "FORMAT", "xlsx, text or json", "xlsx")
      .option("out", "FILE",
              "write here; a directory: 月报-<month>.xlsx in it (default: that name in the\n"
              "current directory for xlsx, stdout for text and json)")
      .option("today", "DATE", "count 超时限未开工 and the so-far KPIs up to this day")
      .option("lang", "LANG", "zh or en (the text format's summary)", "zh");
  spec.example("investflow report monthly --db zone.db --month 2026-10");
  spec.example("investflow report monthly --db zone.db --month 2026-10 --format text");
  return spec;
}

engine::Date system_today() {
  return engine::local_date(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
}

ArgSpec report_spec(const std::string& report) {
  ArgSpec spec("report " + report,
               std::string("The ") + report + " report (see 'investflow report --help').");
  spec.option("db", "FILE", "the SQLite database file, or a postgresql:// URI")
      .option("format", "FORMAT", "text, json, csv or xlsx", "text")
      .option("out", "FILE",
              "write here instead of stdout; a directory: the default name in it (xlsx\n"
              "without --out: <报表>-<workflow>-<today>.xlsx in the current directory)");
  if (report == "problems") {
    spec.option("workflow", "ID",
                "only this workflow (default: every workflow with a state\n"
                "tagged resolved)");
  } else if (report != "period") {
    spec.option("workflow", "ID", "the workflow (required)");
  }
  const bool pipeline = report == "pipeline";
  spec.option("from", "DATE",
              pipeline ? "only projects created on or after this day (YYYY-MM-DD)"
                       : "first day of the period (YYYY-MM-DD)")
      .option("to", "DATE",
              pipeline ? "only projects created on or before this day"
                       : "last day of the period (YYYY-MM-DD)");
  if (pipeline) {
    spec.option("industry", "ID", "only this industry")
        .option("chain-role", "ID", "only this chain role")
        .option("owner", "USER", "only projects of this owner")
        .option("promoting-unit", "TEXT", "only projects of this promoting unit");
  }
  if (report == "aging") spec.option("today", "DATE", "count waiting days up to this day");
  if (report == "kpis") {
    spec.option("today", "DATE", "count the so-far figures (履约, 按期, 超时限) up to this day");
  }
  if (report == "period") spec.option("lang", "LANG", "zh or en (text format)", "zh");
  spec.example("investflow report " + report + " --db zone.db" +
               (report == "period" ? std::string() : std::string(" --workflow tech-renovation")) +
               (report == "pipeline" ? std::string(" --industry electronics")
                                     : std::string(" --from 2026-01-01 --to 2026-03-31")));
  return spec;
}

struct Request {
  std::string report;
  std::string format;
  std::optional<engine::Date> from;
  std::optional<engine::Date> to;
};

std::optional<engine::Date> date_option(const ParsedArgs& parsed, const std::string& name,
                                        const std::string& report, Io& io, bool& bad) {
  if (!parsed.has(name)) return std::nullopt;
  auto date = engine::Date::parse(parsed.value(name));
  if (!date) {
    io.err << "investflow report " << report << ": --" << name << " takes a date YYYY-MM-DD, not '"
           << parsed.value(name) << "'\n";
    bad = true;
  }
  return date;
}

storage::ReportPeriod period_of(const Request& request) {
  storage::ReportPeriod period;
  if (request.from) period.from = *request.from;
  if (request.to) period.to = *request.to;
  return period;
}

// Text: the sheets as aligned columns.
void print_sheets(std::ostream& out, const std::vector<storage::Sheet>& sheets) {
  for (std::size_t i = 0; i < sheets.size(); ++i) {
    if (i > 0) out << "\n";
    out << sheets[i].name << "\n";
    std::string line;
    for (const std::string& name : sheets[i].header)
      line += name + "\t";
    out << line.substr(0, line.size() - 1) << "\n";
    for (const auto& row : sheets[i].rows) {
      line.clear();
      for (const storage::SheetCell& cell : row)
        line += cell.text + "\t";
      out << line.substr(0, line.size() - 1) << "\n";
    }
  }
}

template <class Report>
int emit(const Report& report, const Request& request, const ParsedArgs& parsed, Io& io) {
  const auto sheets = storage::report_sheets(report);
  const std::string extension = request.format == "text" ? "txt" : request.format;
  const fs::path file =
      output_file(parsed.value("out"),
                  storage::download_file_name(storage::report_title(request.report),
                                              parsed.value("workflow"), today(), extension));
  if (request.format == "xlsx") {
    auto written = storage::write_xlsx(file, sheets);
    if (!written) {
      io.err << "investflow report: " << written.error().message << "\n";
      return kExitFailed;
    }
    io.out << "written to " << file.string() << "\n";
    return kExitOk;
  }
  std::ostringstream text;
  if (request.format == "json") {
    text << boost::json::serialize(storage::report_json(report)) << "\n";
  } else if (request.format == "csv") {
    storage::write_report_csv(text, sheets);
  } else if constexpr (std::is_same_v<Report, storage::PeriodReport>) {
    text << (parsed.value("lang") == "en" ? report.text.en : report.text.zh) << "\n";
  } else {
    print_sheets(text, sheets);
  }
  if (!parsed.has("out")) {
    io.out << text.str();
    return kExitOk;
  }
  std::ofstream out(file, std::ios::binary);
  out << text.str();
  if (!out.flush()) {
    io.err << "investflow report: cannot write " << file.string() << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

template <class Report>
int emit_outcome(const storage::Outcome<Report>& report, const Request& request,
                 const ParsedArgs& parsed, Io& io) {
  if (!report) {
    io.err << "investflow report: " << report.error().message << "\n";
    return kExitFailed;
  }
  return emit(*report, request, parsed, io);
}

int run_one(const Request& request, const ParsedArgs& parsed, Io& io) {
  const std::string db = parsed.value("db");
  if (!fs::exists(db) && !storage::is_postgres_uri(db)) {
    io.err << "investflow report: no database at " << db << "\n";
    return kExitFailed;
  }
  // Brings an older database up to date, filling the report summaries from its events.
  if (auto version = storage::init_database_at(db); !version) {
    io.err << "investflow report: " << db << ": " << version.error().message << "\n";
    return kExitFailed;
  }
  workflows::CalendarRegistry calendars;
  (void)workflows::load_calendar_directory(workflows::shipped_workflows_directory() / "calendars",
                                           calendars);
  storage::ReportReader reader(db, 1);
  auto loaded = reader.run([&](storage::SqlDatabase& connection) {
    return storage::load_report_workflows(connection, calendars);
  });
  if (!loaded) {
    io.err << "investflow report: " << loaded.error().message << "\n";
    return kExitFailed;
  }
  if (request.report == "period") {
    return emit_outcome(reader.run([&](storage::SqlDatabase& connection) {
      return storage::period_report(connection, *loaded, period_of(request));
    }),
                        request, parsed, io);
  }
  if (request.report == "problems") {
    storage::Workflows chosen;
    for (const auto& candidate : *loaded) {
      if (!parsed.has("workflow") || candidate->id == parsed.value("workflow")) {
        chosen.push_back(candidate);
      }
    }
    if (parsed.has("workflow") && chosen.empty()) {
      io.err << "investflow report: no workflow '" << parsed.value("workflow") << "' in " << db
             << "\n";
      return kExitFailed;
    }
    return emit_outcome(reader.run([&](storage::SqlDatabase& connection) {
      return storage::problem_report(connection, chosen, period_of(request));
    }),
                        request, parsed, io);
  }
  std::shared_ptr<const engine::Workflow> workflow;
  for (const auto& candidate : *loaded) {
    if (candidate->id == parsed.value("workflow")) workflow = candidate;
  }
  if (!workflow) {
    io.err << "investflow report: no workflow '" << parsed.value("workflow") << "' in " << db
           << "\n";
    return kExitFailed;
  }
  if (request.report == "pipeline") {
    storage::PipelineFilter filter;
    filter.industry = parsed.value("industry");
    filter.chain_role = parsed.value("chain-role");
    filter.owner = parsed.value("owner");
    filter.promoting_unit = parsed.value("promoting-unit");
    filter.entered_from = request.from;
    filter.entered_to = request.to;
    return emit_outcome(reader.run([&](storage::SqlDatabase& connection) {
      return storage::pipeline_report(connection, *workflow, filter);
    }),
                        request, parsed, io);
  }
  if (request.report == "funnel") {
    return emit_outcome(reader.run([&](storage::SqlDatabase& connection) {
      return storage::funnel_report(connection, *workflow, period_of(request));
    }),
                        request, parsed, io);
  }
  const engine::Date today =
      parsed.has("today") ? *engine::Date::parse(parsed.value("today")) : system_today();
  if (request.report == "aging") {
    return emit_outcome(reader.run([&](storage::SqlDatabase& connection) {
      return storage::aging_report(connection, *workflow, period_of(request), today);
    }),
                        request, parsed, io);
  }
  return emit_outcome(reader.run([&](storage::SqlDatabase& connection) {
    return storage::kpi_report(connection, *workflow, period_of(request), today);
  }),
                      request, parsed, io);
}

int run_monthly(std::span<const std::string> args, Io& io) {
  const ArgSpec spec = monthly_spec();
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string format = parsed.value("format");
  if (format != "xlsx" && format != "text" && format != "json") {
    io.err << "investflow report monthly: --format takes xlsx, text or json, not '" << format
           << "'\n";
    return kExitUsage;
  }
  if (!parsed.has("db")) {
    io.err << "investflow report monthly: --db FILE is required\n";
    return kExitUsage;
  }
  const auto month = storage::parse_month(parsed.value("month"));
  if (!month) {
    io.err << "investflow report monthly: --month takes a month YYYY-MM"
           << (parsed.has("month") ? ", not '" + parsed.value("month") + "'" : std::string())
           << "\n";
    return kExitUsage;
  }
  engine::Date today = system_today();
  if (parsed.has("today")) {
    const auto day = engine::Date::parse(parsed.value("today"));
    if (!day) {
      io.err << "investflow report monthly: --today takes a date YYYY-MM-DD, not '"
             << parsed.value("today") << "'\n";
      return kExitUsage;
    }
    today = *day;
  }
  const std::string db = parsed.value("db");
  if (!fs::exists(db) && !storage::is_postgres_uri(db)) {
    io.err << "investflow report monthly: no database at " << db << "\n";
    return kExitFailed;
  }
  if (auto version = storage::init_database_at(db); !version) {
    io.err << "investflow report monthly: " << db << ": " << version.error().message << "\n";
    return kExitFailed;
  }
  workflows::CalendarRegistry calendars;
  (void)workflows::load_calendar_directory(workflows::shipped_workflows_directory() / "calendars",
                                           calendars);
  storage::ReportReader reader(db, 1);
  const std::string extension = format == "text" ? "txt" : format;
  const fs::path file =
      output_file(parsed.value("out"), storage::monthly_file_name(*month, extension));
  if (format == "xlsx") {
    // Written as it is read (storage::write_monthly_xlsx), never held as cells.
    auto written =
        reader.run([&](storage::SqlDatabase& connection) -> storage::Outcome<storage::Ok> {
          auto loaded = storage::load_report_workflows(connection, calendars);
          if (!loaded) return engine::fail(loaded.error());
          return storage::write_monthly_xlsx(connection, *loaded, *month, today, file);
        });
    if (!written) {
      io.err << "investflow report monthly: " << written.error().message << "\n";
      return kExitFailed;
    }
    io.out << "written to " << file.string() << "\n";
    return kExitOk;
  }
  auto report =
      reader.run([&](storage::SqlDatabase& connection) -> storage::Outcome<storage::MonthlyReport> {
        auto loaded = storage::load_report_workflows(connection, calendars);
        if (!loaded) return engine::fail(loaded.error());
        return storage::monthly_report(connection, *loaded, *month, today);
      });
  if (!report) {
    io.err << "investflow report monthly: " << report.error().message << "\n";
    return kExitFailed;
  }
  const std::string body = format == "json"
                               ? boost::json::serialize(storage::report_json(*report)) + "\n"
                               : storage::monthly_text(*report, parsed.value("lang"));
  if (!parsed.has("out")) {
    io.out << body;
    return kExitOk;
  }
  std::ofstream out(file, std::ios::binary);
  out << body;
  if (!out.flush()) {
    io.err << "investflow report monthly: cannot write " << file.string() << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

int run_report(std::span<const std::string> args, Io& io) {
  if (args.empty() || args.front() == "--help" || args.front() == "-h") {
    (args.empty() ? io.err : io.out) << kOverview;
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (is_funds_report(args.front())) return run_funds_report(args, io);  // funds (issue 16)
  Request request;
  request.report = args.front();
  if (std::find(std::begin(kReports), std::end(kReports), request.report) == std::end(kReports)) {
    std::vector<std::string> names(std::begin(kReports), std::end(kReports));
    names.insert(names.end(), {"funds", "targets"});
    io.err << "investflow report: no report '" << request.report << "'"
           << did_you_mean(request.report, names) << "\n\n"
           << kOverview;
    return kExitUsage;
  }
  if (request.report == "monthly") return run_monthly(args.subspan(1), io);
  const ArgSpec spec = report_spec(request.report);
  const ParsedArgs parsed = ParsedArgs::parse(spec, args.subspan(1));
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;

  request.format = parsed.value("format");
  if (request.format != "text" && request.format != "json" && request.format != "csv" &&
      request.format != "xlsx") {
    io.err << "investflow report: --format takes text, json, csv or xlsx, not '" << request.format
           << "'\n";
    return kExitUsage;
  }
  if (!parsed.has("db")) {
    io.err << "investflow report " << request.report << ": --db FILE is required\n";
    return kExitUsage;
  }
  if (request.report != "period" && request.report != "problems" && !parsed.has("workflow")) {
    io.err << "investflow report " << request.report << ": --workflow ID is required\n";
    return kExitUsage;
  }
  bool bad = false;
  request.from = date_option(parsed, "from", request.report, io, bad);
  request.to = date_option(parsed, "to", request.report, io, bad);
  if (request.report == "aging" || request.report == "kpis") {
    (void)date_option(parsed, "today", request.report, io, bad);
  }
  if (bad) return kExitUsage;
  if (request.report == "period" && (!request.from || !request.to)) {
    io.err << "investflow report period: --from and --to are required\n";
    return kExitUsage;
  }
  if (request.from && request.to && *request.to < *request.from) {
    io.err << "investflow report " << request.report << ": --to is before --from\n";
    return kExitUsage;
  }
  return run_one(request, parsed, io);
}

}  // namespace investflow::app
