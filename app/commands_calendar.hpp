#pragma once
// `investflow calendar add DATE N` and `investflow calendar between A B`: working-day
// arithmetic on the official calendar, for staff asking "when is it due?".

#include <span>
#include <string>

#include "app/args.hpp"

namespace investflow::app {

int run_calendar(std::span<const std::string> args, Io& io);

}  // namespace investflow::app
