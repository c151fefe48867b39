#include "app/commands_calendar.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include "app/commands_storage.hpp"
#include "engine/date.hpp"
#include "storage/open_store.hpp"
#include "storage/pg_connection.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {
namespace {

ArgSpec calendar_spec() {
  ArgSpec spec("calendar",
               "Working-day arithmetic on an official calendar (weekends, public holidays and\n"
               "make-up working days):\n"
               "  add DATE N      the N-th working day strictly after DATE (N >= 1)\n"
               "  between A B     the number of working days after A up to and including B\n"
               "Deployed calendars (see `investflow calendar deploy --help`):\n"
               "  deploy DB FILE  store a newer calendar file; running servers take it\n"
               "  list DB         the calendars deployed into a database");
  spec.positional("ACTION", "add or between")
      .positional("FIRST", "a date YYYY-MM-DD")
      .positional("SECOND", "N (for add) or a date (for between)")
      .option("calendar", "NAME", "the calendar", "cn-mainland")
      .option("calendars", "DIR", "where calendars are (default: the shipped ones)")
      .example("investflow calendar add 2026-02-13 3")
      .example("investflow calendar between 2026-02-01 2026-02-28");
  return spec;
}

std::optional<engine::Date> date_argument(const std::string& text, Io& io) {
  const std::optional<engine::Date> date = engine::Date::parse(text);
  if (!date) io.err << "investflow calendar: '" << text << "' is not a date YYYY-MM-DD\n";
  return date;
}

std::unique_ptr<storage::Store> open_store(const std::string& db, Io& io) {
  if (!database_exists(db, io)) return nullptr;
  auto store = storage::open_store_at(db);
  if (!store) {
    io.err << "investflow calendar: " << storage::redact_uri(db) << ": " << store.error().message
           << "\n";
    return nullptr;
  }
  return std::move(*store);
}

int calendar_deploy(std::span<const std::string> args, Io& io) {
  ArgSpec spec("calendar deploy",
               "Store a calendar file in the database. Every server on that database takes it\n"
               "within a few seconds, without a restart: the workflows that name the calendar\n"
               "count working days on it from then on. Deadlines already computed stay as they\n"
               "were (those counted past the old data stay marked estimated). The file must\n"
               "keep every year of official data the stored one has; deploying the same text\n"
               "again changes nothing.");
  spec.positional("DB", "the SQLite database file, or a postgresql:// URI")
      .positional("FILE", "the calendar YAML, e.g. cn-mainland.yaml with 2027 added")
      .example("investflow calendar deploy zone.db workflows/calendars/cn-mainland.yaml");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const workflows::CalendarLoad load = workflows::load_calendar_file(parsed.positional("FILE"));
  for (const workflows::Diagnostic& diagnostic : load.diagnostics)
    io.err << diagnostic.to_string() << "\n";
  if (!load.calendar) return kExitFailed;
  std::ifstream in(parsed.positional("FILE"), std::ios::binary);
  std::ostringstream source;
  source << in.rdbuf();
  auto store = open_store(parsed.positional("DB"), io);
  if (!store) return kExitFailed;
  auto deployed = store->deploy_calendar(*load.calendar, source.str());
  if (!deployed) {
    io.err << "investflow calendar deploy: " << deployed.error().message << "\n";
    return kExitFailed;
  }
  const engine::Calendar& calendar = *load.calendar;
  if (!*deployed) {
    io.out << calendar.name() << " is deployed with this text already; nothing changed\n";
  } else {
    io.out << "deployed " << calendar.name() << " (official data " << calendar.first_year() << "-"
           << calendar.last_year() << "); servers on "
           << storage::redact_uri(parsed.positional("DB")) << " take it within a few seconds\n";
  }
  return kExitOk;
}

int calendar_list(std::span<const std::string> args, Io& io) {
  ArgSpec spec("calendar list",
               "The calendars deployed into a database, one a line:\n"
               "name, years of official data, when deployed.");
  spec.positional("DB", "the SQLite database file, or a postgresql:// URI");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  auto store = open_store(parsed.positional("DB"), io);
  if (!store) return kExitFailed;
  auto stored = store->stored_calendars();
  if (!stored) {
    io.err << "investflow calendar list: " << stored.error().message << "\n";
    return kExitFailed;
  }
  for (const storage::StoredCalendar& calendar : *stored) {
    io.out << calendar.name << "\t" << calendar.first_year << "-" << calendar.last_year << "\t"
           << engine::format_timestamp(calendar.deployed_at, engine::kChinaUtcOffsetMinutes)
           << "\n";
  }
  if (stored->empty())
    io.err << "investflow calendar list: none deployed (the shipped files are used)\n";
  return kExitOk;
}

}  // namespace

int run_calendar(std::span<const std::string> args, Io& io) {
  if (!args.empty() && args.front() == "deploy") return calendar_deploy(args.subspan(1), io);
  if (!args.empty() && args.front() == "list") return calendar_list(args.subspan(1), io);
  const ArgSpec spec = calendar_spec();
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string action = parsed.positional("ACTION");
  if (action != "add" && action != "between") {
    io.err << "investflow calendar: the action is add, between, deploy or list, not '" << action
           << "'\n";
    return kExitUsage;
  }
  const std::optional<engine::Date> first = date_argument(parsed.positional("FIRST"), io);
  if (!first) return kExitUsage;
  std::optional<engine::Date> second;
  int count = 0;
  if (action == "add") {
    const std::string& text = parsed.positional("SECOND");
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (ec != std::errc() || end != text.data() + text.size() || count < 1 || count > 100000) {
      io.err << "investflow calendar: N is a whole number from 1 to 100000, not '" << text << "'\n";
      return kExitUsage;
    }
  } else if (!(second = date_argument(parsed.positional("SECOND"), io))) {
    return kExitUsage;
  }

  workflows::CalendarRegistry registry;
  const std::filesystem::path directory =
      parsed.has("calendars") ? std::filesystem::path(parsed.value("calendars"))
                              : workflows::shipped_workflows_directory() / "calendars";
  const auto diagnostics = workflows::load_calendar_directory(directory, registry);
  for (const workflows::Diagnostic& diagnostic : diagnostics)
    io.err << diagnostic.to_string() << "\n";
  const auto calendar = registry.find(parsed.value("calendar"));
  if (!calendar) {
    io.err << "investflow calendar: no calendar '" << parsed.value("calendar") << "' in "
           << directory.string() << "\n";
    return kExitFailed;
  }
  const engine::Date result = action == "add" ? calendar->add_working_days(*first, count) : *first;
  for (const engine::Date date : {*first, second.value_or(result)}) {
    if (!calendar->covers(date)) {
      io.err << "investflow calendar: warning: " << calendar->name() << " has official data for "
             << calendar->first_year() << "-" << calendar->last_year() << " only; "
             << date.to_string() << " counts weekends alone\n";
      break;
    }
  }
  if (action == "add") {
    io.out << result.to_string() << "\n";
  } else {
    io.out << calendar->working_days_between(*first, *second) << "\n";
  }
  return kExitOk;
}

}  // namespace investflow::app
