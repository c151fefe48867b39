#pragma once
// `investflow COMMAND ...`: dispatch to the subcommands. Everything a command prints goes
// through Io, so tests run the CLI in-process.

#include <span>
#include <string>

#include "app/args.hpp"

namespace investflow::app {

// `args` excludes the program name. Returns the process exit code.
int run_cli(std::span<const std::string> args, Io& io);

}  // namespace investflow::app
