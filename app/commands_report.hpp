#pragma once
// `investflow report pipeline|funnel|aging|kpis|period --db FILE ...`: the managers'
// reports from the command line, as text, JSON, CSV or XLSX; `report period` prints the
// period summary in the zone's reporting style.

#include <span>
#include <string>

#include "app/args.hpp"

namespace investflow::app {

int run_report(std::span<const std::string> args, Io& io);

}  // namespace investflow::app
