#pragma once
// `investflow funds add`, `investflow target set|list`, and `investflow report funds|targets`
// (issue 16): the 到位资金 ledger and the promoting units' annual targets.

#include <span>
#include <string>
#include <string_view>

#include "app/args.hpp"

namespace investflow::app {

int run_funds(std::span<const std::string> args, Io& io);
int run_target(std::span<const std::string> args, Io& io);
// `report funds` and `report targets` (run_report hands them here; args start with the
// report's name).
bool is_funds_report(std::string_view report);
int run_funds_report(std::span<const std::string> args, Io& io);

}  // namespace investflow::app
