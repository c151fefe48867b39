#include "app/commands_calendar.hpp"

#include <charconv>

#include "engine/date.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {
namespace {

ArgSpec calendar_spec() {
  ArgSpec spec("calendar",
               "Working-day arithmetic on an official calendar (weekends, public holidays and\n"
               "make-up working days):\n"
               "  add DATE N      the N-th working day strictly after DATE (N >= 1)\n"
               "  between A B     the number of working days after A up to and including B");
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

}  // namespace

int run_calendar(std::span<const std::string> args, Io& io) {
  const ArgSpec spec = calendar_spec();
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string action = parsed.positional("ACTION");
  if (action != "add" && action != "between") {
    io.err << "investflow calendar: the action is add or between, not '" << action << "'\n";
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
