#pragma once
// `investflow copy SRC DST`: a whole store between SQLite and PostgreSQL (storage/store_copy.hpp).

#include <span>
#include <string>

#include "app/args.hpp"

namespace investflow::app {

int run_copy(std::span<const std::string> args, Io& io);

}  // namespace investflow::app
