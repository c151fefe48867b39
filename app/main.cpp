#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "app/cli.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  investflow::app::Io io{std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1};
  const int code = investflow::app::run_cli(args, io);
  std::cout.flush();
  return code;
}
