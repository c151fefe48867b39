#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "app/cli.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  // Everything the binary creates holds the zone's data (the database with its WAL, password
  // hashes and contacts; backups, exports, logs): readable by its owner only, whoever runs it.
  ::umask(0077);
  const std::vector<std::string> args(argv + 1, argv + argc);
  investflow::app::Io io{std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1};
  const int code = investflow::app::run_cli(args, io);
  std::cout.flush();
  return code;
}
