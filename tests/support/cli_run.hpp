#pragma once
// Runs `investflow ARGS...` in-process and captures what it prints and its exit code.

#include <sstream>
#include <string>
#include <vector>

#include "app/cli.hpp"

namespace investflow::app::testing {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

inline CliRun cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  Io io{out, err, false};
  const int code = run_cli(args, io);
  return {code, out.str(), err.str()};
}

}  // namespace investflow::app::testing
