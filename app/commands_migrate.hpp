#pragma once
// `investflow workflow migrate`: move projects to another version of their workflow
// (storage/migration.hpp), or with --dry-run show what would happen.

#include <span>
#include <string>

#include "app/args.hpp"

namespace investflow::app {

int run_workflow_migrate(std::span<const std::string> args, Io& io);

}  // namespace investflow::app
