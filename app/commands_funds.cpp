#include "app/commands_funds.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

#include "app/commands_storage.hpp"
#include "storage/auth.hpp"
#include "storage/funds_report.hpp"
#include "storage/open_store.hpp"
#include "storage/reports.hpp"
#include "storage/reports_output.hpp"
#include "storage/schema.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/wire_json.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;

engine::Timestamp now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<double> parse_number(const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<int> parse_year(const std::string& text) {
  int year = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), year);
  if (error != std::errc() || end != text.data() + text.size() || year < 2000 || year > 2100) {
    return std::nullopt;
  }
  return year;
}

// An existing database brought up to this version's schema.
bool open_database(const std::string& db, const std::string& command, Io& io) {
  if (!database_exists(db, io)) return false;
  if (auto version = storage::init_database_at(db); !version) {
    io.err << "investflow " << command << ": " << db << ": " << version.error().message << "\n";
    return false;
  }
  return true;
}

// The latest version of every workflow stored in the database.
std::optional<storage::Workflows> report_workflows(storage::ReportReader& reader, Io& io) {
  workflows::CalendarRegistry calendars;
  (void)workflows::load_calendar_directory(workflows::shipped_workflows_directory() / "calendars",
                                           calendars);
  auto loaded = reader.run([&](storage::SqlDatabase& connection) {
    return storage::load_report_workflows(connection, calendars);
  });
  if (!loaded) {
    io.err << "investflow: " << loaded.error().message << "\n";
    return std::nullopt;
  }
  return std::move(*loaded);
}

// --- funds add -----------------------------------------------------------------------------

int funds_add(std::span<const std::string> args, Io& io) {
  ArgSpec spec("funds add",
               "Record funds in place (到位资金) for a project: one ledger entry, as staff do on\n"
               "the project page. The field tagged funds_in_place becomes the ledger's sum.\n"
               "A correction is a negative amount with a comment.");
  spec.positional("DB", "the SQLite database file, or a postgresql:// URI")
      .positional("PROJECT", "the project's id")
      .option("month", "YYYY-MM", "the month the funds arrived")
      .option("amount", "WAN", "the amount in 万元 (negative: a correction)")
      .option("source", "SOURCE",
              "local (本市), other_city (市外省内), other_province (省外) or "
              "abroad (境外)")
      .option("evidence", "TEXT", "what proves it (a bank slip, a file name)", "")
      .option("comment", "TEXT", "a note (required for a correction)", "")
      .option("as", "USER", "who records it (a user; default: the project's owner)")
      .option("lang", "LANG", "message language: zh-CN or en", "zh-CN")
      .example(
          "investflow funds add zone.db P-2026-001 --month 2026-10 --amount 1200 --source "
          "other_province --evidence 银行回单")
      .example(
          "investflow funds add zone.db P-2026-001 --month 2026-10 --amount -200 --source "
          "other_province --comment 重复登记更正");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  for (const char* required : {"month", "amount", "source"}) {
    if (!parsed.has(required)) {
      io.err << "investflow funds add: --" << required << " is required\n";
      return kExitUsage;
    }
  }
  const std::string lang = parsed.value("lang");
  if (lang != "zh-CN" && lang != "en") {
    io.err << "investflow funds add: --lang takes zh-CN or en, not '" << lang << "'\n";
    return kExitUsage;
  }
  const auto amount = parse_number(parsed.value("amount"));
  if (!amount) {
    io.err << "investflow funds add: --amount takes a number of 万元, not '"
           << parsed.value("amount") << "'\n";
    return kExitUsage;
  }
  const std::string db = parsed.positional("DB");
  if (!database_exists(db, io)) return kExitFailed;
  auto store = open_command_store(db, io);
  if (!store) return kExitFailed;
  const std::string id = parsed.positional("PROJECT");
  auto project = store->project(id);
  if (!project) {
    io.err << "investflow funds add: " << project.error().message << "\n";
    return kExitFailed;
  }
  if (!*project) {
    io.err << "investflow funds add: "
           << (lang == "en" ? "no project '" + id + "'" : "项目“" + id + "”不存在") << "\n";
    return kExitFailed;
  }
  engine::Actor actor{(*project)->owner, {}};
  if (parsed.has("as")) {
    actor.id = parsed.value("as");
    auto auth = storage::AuthStore::open(db);
    if (!auth) {
      io.err << "investflow funds add: " << auth.error().message << "\n";
      return kExitFailed;
    }
    auto users = (*auth)->users();
    if (!users) {
      io.err << "investflow funds add: " << users.error().message << "\n";
      return kExitFailed;
    }
    const auto found = std::find_if(users->begin(), users->end(),
                                    [&](const storage::User& user) { return user.id == actor.id; });
    if (found == users->end() || found->disabled) {
      io.err << "investflow funds add: --as " << actor.id
             << (lang == "en" ? ": no such user (enabled)" : "：没有这个用户（或已停用）") << "\n";
      return kExitFailed;
    }
    actor.roles = found->roles;
  }
  storage::WriteRequest request;
  request.command.project_id = id;
  request.command.body = engine::RecordFunds{parsed.value("month"), *amount, parsed.value("source"),
                                             parsed.value("evidence"), parsed.value("comment")};
  request.actor = actor;
  const storage::WriteResult result = store->write(std::move(request)).get();
  if (result.rejected()) {
    for (const auto& reason : result.rejection.reasons) {
      io.err << "investflow funds add: " << id << ": " << reason.message.in(lang) << "\n";
    }
    return kExitFailed;
  }
  if (!result.accepted()) {
    io.err << "investflow funds add: " << result.error << "\n";
    return kExitFailed;
  }
  auto after = store->project(id);
  std::string total;
  if (after && *after) {
    double sum = 0;
    for (const auto& entry : (*after)->funds)
      sum += entry.amount;
    total = storage::money_zh(std::round(sum * 1e6) / 1e6);
  }
  io.out << (lang == "en" ? "recorded: " : "已登记：") << id << " " << parsed.value("month") << " "
         << parsed.value("amount") << " 万元" << (lang == "en" ? ", total " : "，累计到位 ")
         << total << " (version " << result.version << ")\n";
  return kExitOk;
}

// --- target set / list ---------------------------------------------------------------------

int target_set(std::span<const std::string> args, Io& io) {
  ArgSpec spec("target set",
               "Set a promoting unit's annual target (every change is kept with who and when).\n"
               "Figures: signed_projects (签约项目数), signed_amount (签约额, 万元), funds\n"
               "(到位资金, 万元), started_projects (开工项目数).");
  spec.positional("DB", "the SQLite database file, or a postgresql:// URI")
      .option("year", "YYYY", "the year")
      .option("unit", "UNIT", "the promoting unit, as projects' promoting unit field holds it")
      .option("figure", "FIGURE", "signed_projects, signed_amount, funds or started_projects")
      .option("value", "N", "the target (a count, or 万元); 'none' removes it")
      .option("as", "NAME", "who is recorded as setting it", "cli")
      .example(
          "investflow target set zone.db --year 2026 --unit 招商一科 --figure funds --value 50000");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  for (const char* required : {"year", "unit", "figure", "value"}) {
    if (!parsed.has(required)) {
      io.err << "investflow target set: --" << required << " is required\n";
      return kExitUsage;
    }
  }
  const auto year = parse_year(parsed.value("year"));
  if (!year) {
    io.err << "investflow target set: --year takes a year 2000 to 2100, not '"
           << parsed.value("year") << "'\n";
    return kExitUsage;
  }
  std::optional<double> value;
  if (parsed.value("value") != "none") {
    value = parse_number(parsed.value("value"));
    if (!value) {
      io.err << "investflow target set: --value takes a number or 'none', not '"
             << parsed.value("value") << "'\n";
      return kExitUsage;
    }
  }
  const auto problems =
      storage::check_target(*year, parsed.value("unit"), parsed.value("figure"), value);
  if (!problems.empty()) {
    for (const auto& problem : problems)
      io.err << "investflow target set: --" << problem.field << ": " << problem.zh << "\n";
    return kExitUsage;
  }
  const std::string db = parsed.positional("DB");
  if (!open_database(db, "target set", io)) return kExitFailed;
  try {
    auto connection = storage::open_sql_database(db, false);
    auto change = storage::set_target(*connection, *year, parsed.value("unit"),
                                      parsed.value("figure"), value, parsed.value("as"), now());
    if (!change) {
      io.err << "investflow target set: " << change.error().message << "\n";
      return kExitFailed;
    }
    if (!*change) {
      io.out << "unchanged\n";
    } else {
      const auto* figure = storage::find_target_figure(parsed.value("figure"));
      io.out << *year << " " << parsed.value("unit") << " " << figure->zh << ": "
             << (value ? parsed.value("value") : std::string("(removed)")) << "\n";
    }
  } catch (const std::exception& error) {
    io.err << "investflow target set: " << db << ": " << error.what() << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

int target_list(std::span<const std::string> args, Io& io) {
  ArgSpec spec("target list", "A year's targets per promoting unit, and who set them.");
  spec.positional("DB", "the SQLite database file, or a postgresql:// URI")
      .option("year", "YYYY", "the year (default: this year)")
      .option("format", "FORMAT", "text or json", "text")
      .flag("history", "also list every change to the year's targets, newest first")
      .example("investflow target list zone.db --year 2026");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  std::optional<int> year = today().year();
  if (parsed.has("year")) year = parse_year(parsed.value("year"));
  if (!year) {
    io.err << "investflow target list: --year takes a year 2000 to 2100, not '"
           << parsed.value("year") << "'\n";
    return kExitUsage;
  }
  const std::string format = parsed.value("format");
  if (format != "text" && format != "json") {
    io.err << "investflow target list: --format takes text or json, not '" << format << "'\n";
    return kExitUsage;
  }
  const std::string db = parsed.positional("DB");
  if (!open_database(db, "target list", io)) return kExitFailed;
  storage::ReportReader reader(db, 1);
  auto targets = reader.run(
      [&](storage::SqlDatabase& connection) { return storage::list_targets(connection, *year); });
  auto history = reader.run(
      [&](storage::SqlDatabase& connection) { return storage::target_history(connection, *year); });
  if (!targets || !history) {
    io.err << "investflow target list: "
           << (!targets ? targets.error().message : history.error().message) << "\n";
    return kExitFailed;
  }
  if (format == "json") {
    boost::json::array items;
    for (const auto& target : *targets)
      items.push_back(storage::target_json(target));
    boost::json::object out{{"year", *year}, {"targets", std::move(items)}};
    if (parsed.flag("history")) {
      boost::json::array changes;
      for (const auto& change : *history)
        changes.push_back(storage::target_change_json(change));
      out["history"] = std::move(changes);
    }
    io.out << boost::json::serialize(out) << "\n";
    return kExitOk;
  }
  io.out << *year << "年目标\n招商单位\t指标\t目标\t设定人\t设定时间\n";
  for (const auto& target : *targets) {
    const auto* figure = storage::find_target_figure(target.figure);
    std::ostringstream value;
    value << target.value;
    io.out << target.unit << "\t" << (figure ? figure->zh : target.figure) << "\t" << value.str()
           << (figure ? std::string(figure->unit) : std::string()) << "\t" << target.set_by << "\t"
           << storage::wire_timestamp(target.set_at) << "\n";
  }
  if (parsed.flag("history")) {
    io.out << "\n变更记录\n";
    for (const auto& change : *history) {
      const auto text = [](const std::optional<double>& value) {
        if (!value) return std::string("—");
        std::ostringstream out;
        out << *value;
        return out.str();
      };
      const auto* figure = storage::find_target_figure(change.figure);
      io.out << storage::wire_timestamp(change.at) << "\t" << change.by << "\t" << change.unit
             << "\t" << (figure ? figure->zh : change.figure) << "\t" << text(change.before)
             << " → " << text(change.after) << "\n";
    }
  }
  return kExitOk;
}

void write_file(const fs::path& file, const std::string& text, Io& io, int& code) {
  std::ofstream out(file, std::ios::binary);
  out << text;
  if (!out.flush()) {
    io.err << "investflow report: cannot write " << file.string() << "\n";
    code = kExitFailed;
  }
}

int emit(const std::vector<storage::Sheet>& sheets, const boost::json::value& json,
         const std::string& text, const std::string& format, const std::string& title,
         const ParsedArgs& parsed, Io& io) {
  const std::string extension = format == "text" ? "txt" : format;
  const fs::path file =
      output_file(parsed.value("out"), storage::download_file_name(title, "", today(), extension));
  if (format == "xlsx") {
    auto written = storage::write_xlsx(file, sheets);
    if (!written) {
      io.err << "investflow report: " << written.error().message << "\n";
      return kExitFailed;
    }
    io.out << "written to " << file.string() << "\n";
    return kExitOk;
  }
  std::ostringstream out;
  if (format == "json") {
    out << boost::json::serialize(json) << "\n";
  } else if (format == "csv") {
    storage::write_report_csv(out, sheets);
  } else {
    out << text;
  }
  if (!parsed.has("out")) {
    io.out << out.str();
    return kExitOk;
  }
  int code = kExitOk;
  write_file(file, out.str(), io, code);
  return code;
}

}  // namespace

int run_funds(std::span<const std::string> args, Io& io) {
  if (!args.empty() && args.front() == "add") return funds_add(args.subspan(1), io);
  const bool help = !args.empty() && (args.front() == "--help" || args.front() == "-h");
  (help ? io.out : io.err) << "Usage: investflow funds add DB PROJECT --month YYYY-MM --amount WAN "
                              "--source SOURCE [--evidence TEXT] [--comment TEXT]\n\n"
                              "Funds in place (到位资金) as a ledger; reports: 'investflow report "
                              "funds'.\nRun 'investflow funds add --help' for the options.\n";
  if (help) return kExitOk;
  if (!args.empty()) io.err << "investflow funds: no action '" << args.front() << "'\n";
  return kExitUsage;
}

int run_target(std::span<const std::string> args, Io& io) {
  if (!args.empty() && args.front() == "set") return target_set(args.subspan(1), io);
  if (!args.empty() && args.front() == "list") return target_list(args.subspan(1), io);
  const bool help = !args.empty() && (args.front() == "--help" || args.front() == "-h");
  (help ? io.out : io.err) << "Usage: investflow target ACTION DB ...\n\n"
                              "Promoting units' annual targets:\n"
                              "  set DB --year Y --unit U --figure F --value V   set one target\n"
                              "  list DB [--year Y] [--history]                  list a year's\n\n"
                              "Progress and ranking: 'investflow report targets'.\n"
                              "Run 'investflow target ACTION --help' for an action's options.\n";
  if (help) return kExitOk;
  if (!args.empty()) io.err << "investflow target: no action '" << args.front() << "'\n";
  return kExitUsage;
}

bool is_funds_report(std::string_view report) {
  return report == "funds" || report == "targets";
}

int run_funds_report(std::span<const std::string> args, Io& io) {
  const std::string report = args.front();
  const bool funds = report == "funds";
  ArgSpec spec("report " + report,
               funds ? "到位资金: the month, January to the month (1–N月) and 同比, by source,\n"
                       "workflow and promoting unit (docs/reports.md)."
                     : "Progress against the promoting units' annual targets, and their ranking\n"
                       "(docs/reports.md).");
  spec.option("db", "FILE", "the SQLite database file, or a postgresql:// URI")
      .option("format", "FORMAT", "text, json, csv or xlsx", "text")
      .option("out", "FILE", "write here instead of stdout; a directory: the default name in it");
  if (funds) {
    spec.option("month", "YYYY-MM", "the month (default: this month)")
        .option("workflow", "ID", "only this workflow")
        .example("investflow report funds --db zone.db --month 2026-10 --format xlsx");
  } else {
    spec.option("year", "YYYY", "the year (default: this year)")
        .option("today", "DATE", "count up to this day (default: today)")
        .example("investflow report targets --db zone.db --year 2026");
  }
  const ParsedArgs parsed = ParsedArgs::parse(spec, args.subspan(1));
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string format = parsed.value("format");
  if (format != "text" && format != "json" && format != "csv" && format != "xlsx") {
    io.err << "investflow report: --format takes text, json, csv or xlsx, not '" << format << "'\n";
    return kExitUsage;
  }
  if (!parsed.has("db")) {
    io.err << "investflow report " << report << ": --db FILE is required\n";
    return kExitUsage;
  }
  const engine::Date day = today();
  std::optional<int> month = day.year() * 100 + day.ymd().month;
  std::optional<int> year = day.year();
  std::optional<engine::Date> through = day;
  if (parsed.has("month")) month = engine::parse_funds_month(parsed.value("month"));
  if (parsed.has("year")) year = parse_year(parsed.value("year"));
  if (parsed.has("today")) through = engine::Date::parse(parsed.value("today"));
  if (!month || !year || !through) {
    io.err << "investflow report " << report << ": "
           << (!month  ? "--month takes YYYY-MM, not '" + parsed.value("month") + "'"
               : !year ? "--year takes a year 2000 to 2100, not '" + parsed.value("year") + "'"
                       : "--today takes a date YYYY-MM-DD, not '" + parsed.value("today") + "'")
           << "\n";
    return kExitUsage;
  }
  const std::string db = parsed.value("db");
  if (!open_database(db, "report", io)) return kExitFailed;
  storage::ReportReader reader(db, 1);
  auto workflows = report_workflows(reader, io);
  if (!workflows) return kExitFailed;
  if (funds) {
    const std::string workflow = parsed.value("workflow");
    if (!workflow.empty() &&
        std::none_of(workflows->begin(), workflows->end(),
                     [&](const auto& known) { return known->id == workflow; })) {
      io.err << "investflow report funds: no workflow '" << workflow << "' in " << db << "\n";
      return kExitFailed;
    }
    auto result = reader.run([&](storage::SqlDatabase& connection) {
      return storage::funds_report(connection, *workflows, *month, workflow);
    });
    if (!result) {
      io.err << "investflow report: " << result.error().message << "\n";
      return kExitFailed;
    }
    return emit(storage::funds_report_sheets(*result), storage::funds_report_json(*result),
                storage::funds_report_text(*result), format,
                "到位资金-" + engine::funds_month_text(*month), parsed, io);
  }
  auto result = reader.run([&](storage::SqlDatabase& connection) {
    return storage::targets_report(connection, *workflows, *year, *through);
  });
  if (!result) {
    io.err << "investflow report: " << result.error().message << "\n";
    return kExitFailed;
  }
  return emit(storage::targets_report_sheets(*result), storage::targets_report_json(*result),
              storage::targets_report_text(*result), format, "目标进度-" + std::to_string(*year),
              parsed, io);
}

}  // namespace investflow::app
