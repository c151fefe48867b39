#pragma once
// Commands around the HTTP server: `serve`, and `user add|passwd|token` for the people who
// log in to it.

#include <span>
#include <string>

#include "app/args.hpp"

namespace investflow::app {

int run_serve(std::span<const std::string> args, Io& io);
int run_user(std::span<const std::string> args, Io& io);

}  // namespace investflow::app
