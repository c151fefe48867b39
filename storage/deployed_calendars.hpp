#pragma once
// Calendars deployed into the database (`investflow calendar deploy`, Store::deploy_calendar)
// taken into use by a store: every server on the database does this each few seconds
// (notify/calendar_watch.hpp), and the CLI's commands once when they open a store.

#include <map>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace investflow::storage {

struct TakenCalendars {
  int taken = 0;    // deployed calendars now in use
  int refused = 0;  // texts that do not load, or that cover fewer years than the one in use
  std::vector<std::string> problems;  // what went wrong, one line each (English, for logs)
};

// Takes each deployed calendar whose text is not in `seen` (name -> source hash; updated)
// into use when it covers at least the years of the one in use: the workflows naming it
// decide with it from then on, and deadlines already stored stay as they are.
TakenCalendars take_deployed_calendars(Store& store, std::map<std::string, std::string>& seen);

}  // namespace investflow::storage
