#pragma once
// The security audit log from the command line: `investflow audit DB` lists it (filters
// like GET /api/audit), and the commands that change users, tokens, workflows or copy data
// out record what they did (address "cli", actor "cli:<the system user>").

#include <boost/json/object.hpp>
#include <span>
#include <string>

#include "app/args.hpp"

namespace investflow::app {

int run_audit(std::span<const std::string> args, Io& io);

// Appends one entry to DB's audit log; a failure is reported on io.err as a warning (what
// the command did is done) and returns false.
bool audit_cli(const std::string& db, const std::string& action, const std::string& target,
               const boost::json::object& detail, Io& io);

}  // namespace investflow::app
