#include "storage/deployed_calendars.hpp"

#include <algorithm>

#include "workflows/loader.hpp"

namespace investflow::storage {

TakenCalendars take_deployed_calendars(Store& store, std::map<std::string, std::string>& seen) {
  TakenCalendars out;
  auto stored = store.stored_calendars();
  if (!stored) {
    out.problems.push_back("reading deployed calendars failed: " + stored.error().message);
    return out;
  }
  const auto in_use = store.calendars_in_use();
  for (const StoredCalendar& deployed : *stored) {
    std::string& hash = seen[deployed.name];
    if (hash == deployed.source_hash) continue;
    hash = deployed.source_hash;
    auto load =
        workflows::load_calendar_text(deployed.source, deployed.name + " (deployed calendar)");
    if (!load.calendar) {
      for (const auto& diagnostic : load.diagnostics)
        out.problems.push_back(diagnostic.to_string());
      ++out.refused;
      continue;
    }
    const auto current = std::find_if(in_use.begin(), in_use.end(), [&](const auto& calendar) {
      return calendar->name() == load.calendar->name();
    });
    if (current != in_use.end() && (*current)->last_year() > load.calendar->last_year()) {
      out.problems.push_back("deployed calendar " + deployed.name + " has data through " +
                             std::to_string(load.calendar->last_year()) +
                             ", the one in use through " + std::to_string((*current)->last_year()) +
                             ": kept the one in use");
      ++out.refused;
      continue;
    }
    if (store.use_calendar(load.calendar) > 0) ++out.taken;
  }
  return out;
}

}  // namespace investflow::storage
