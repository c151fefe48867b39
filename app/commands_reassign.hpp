#pragma once
// `investflow reassign`: the bulk handover (人员交接) of a departing staff member's open
// projects to another person (storage/reassign.hpp), each decided by the engine.

#include <span>
#include <string>

#include "app/args.hpp"

namespace investflow::app {

int run_reassign(std::span<const std::string> args, Io& io);

}  // namespace investflow::app
