#pragma once
// A small, strict command-line parser shared by every `investflow` subcommand: long options
// (--name VALUE, --name=VALUE), flags, positionals, generated --help text. Usage mistakes
// are reported as errors the caller turns into exit code 2.

#include <map>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace investflow::app {

enum ExitCode : int { kExitOk = 0, kExitFailed = 1, kExitUsage = 2 };

// Where a command writes. Commands never touch std::cout/std::cerr directly, so tests can
// run them in-process.
struct Io {
  std::ostream& out;
  std::ostream& err;
  bool err_is_terminal = false;  // progress bars only when true
};

class ArgSpec {
 public:
  ArgSpec(std::string command, std::string summary);

  ArgSpec& positional(std::string name, std::string help, bool required = true,
                      bool repeated = false);
  ArgSpec& option(std::string name, std::string value_name, std::string help,
                  std::optional<std::string> default_value = std::nullopt, bool repeated = false);
  ArgSpec& flag(std::string name, std::string help);
  ArgSpec& example(std::string line);

  std::string help_text() const;
  const std::string& command() const { return command_; }

 private:
  friend class ParsedArgs;
  struct Positional {
    std::string name, help;
    bool required, repeated;
  };
  struct Option {
    std::string name, value_name, help;
    std::optional<std::string> default_value;
    bool repeated;
    bool is_flag;
  };
  const Option* find_option(std::string_view name) const;

  std::string command_;
  std::string summary_;
  std::vector<Positional> positionals_;
  std::vector<Option> options_;
  std::vector<std::string> examples_;
};

class ParsedArgs {
 public:
  // Parses `args` (without the program and command names). On `--help`/`-h` sets
  // help_requested(); on a usage mistake sets error().
  static ParsedArgs parse(const ArgSpec& spec, std::span<const std::string> args);

  bool help_requested() const { return help_; }
  const std::string& error() const { return error_; }

  // Positional values by name (a repeated positional collects the rest).
  std::vector<std::string> positionals(std::string_view name) const;
  std::string positional(std::string_view name) const;
  bool has(std::string_view option) const;           // given on the command line (or a flag set)
  std::string value(std::string_view option) const;  // last value or the default, or ""
  std::vector<std::string> values(std::string_view option) const;
  bool flag(std::string_view name) const { return has(name); }

 private:
  bool help_ = false;
  std::string error_;
  std::map<std::string, std::vector<std::string>, std::less<>> positionals_;
  std::map<std::string, std::vector<std::string>, std::less<>> options_;
  std::map<std::string, std::string, std::less<>> defaults_;
};

// Handles the common outcomes of parsing: prints help (returns kExitOk) or a usage error
// with a hint (returns kExitUsage). Returns nullopt when the command should run.
std::optional<int> handle_parse_outcome(const ArgSpec& spec, const ParsedArgs& parsed, Io& io);

// Parses an integer option value; on failure writes a usage error and returns nullopt.
std::optional<long long> parse_integer_option(const ParsedArgs& parsed, std::string_view option,
                                              long long min, long long max, Io& io);

}  // namespace investflow::app
