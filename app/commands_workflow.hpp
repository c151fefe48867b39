#pragma once
// Commands that work on workflow files: validate, graph, simulate; and on the versions
// deployed into a database: workflow deploy, list, diff.

#include <span>
#include <string>

#include "app/args.hpp"

namespace investflow::app {

int run_validate(std::span<const std::string> args, Io& io);
int run_graph(std::span<const std::string> args, Io& io);
int run_simulate(std::span<const std::string> args, Io& io);
// `workflow deploy|list|diff ...`
int run_workflow(std::span<const std::string> args, Io& io);

}  // namespace investflow::app
