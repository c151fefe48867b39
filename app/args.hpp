#pragma once
// A small, strict command-line parser shared by every `investflow` subcommand: long options
// (--name VALUE, --name=VALUE), flags, positionals, generated --help text. Usage mistakes
// are reported as errors the caller turns into exit code 2.

#include <iostream>
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
  std::istream* in = &std::cin;  // --password-stdin and the like
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

  // Every command that works on a database takes it the same two ways: as its positional
  // DB or as `--db FILE`. A spec with a positional "DB" accepts --db for it; a spec with an
  // option "db" accepts one more positional argument for it. Either way positional("DB")
  // and value("db") give the same file.

  std::string help_text() const;
  const std::string& command() const { return command_; }

  struct Option {
    std::string name, value_name, help;
    std::optional<std::string> default_value;
    bool repeated;
    bool is_flag;
  };
  const std::vector<Option>& options() const { return options_; }
  const Option* find_option(std::string_view name) const;

 private:
  friend class ParsedArgs;
  struct Positional {
    std::string name, help;
    bool required, repeated;
  };

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

  // A layer under the command line: the configuration file or the environment. `origin`
  // says where a value came from (FILE:LINE:COL, INVESTFLOW_LISTEN) in messages. Ignored
  // when the option was given on the command line (or set by an earlier layer).
  void set_default(const std::string& option, std::string value, std::string origin);
  // Forgets what set_default() set (to read the configuration again).
  void clear_layers();
  // Where the option's value comes from, for an error: "--listen", "FILE:3:9 (listen)", ...
  std::string origin(std::string_view option) const;
  // The command, for messages ("serve", "user add").
  const std::string& command() const { return command_; }

 private:
  bool help_ = false;
  std::string error_;
  std::map<std::string, std::vector<std::string>, std::less<>> positionals_;
  std::map<std::string, std::vector<std::string>, std::less<>> options_;
  std::map<std::string, std::string, std::less<>> defaults_;
  std::map<std::string, std::string, std::less<>> origins_;
  std::string command_;
};

// The candidate closest to `word` (a typo: edit distance at most 2, or a unique prefix), or
// "" when none is close. For "did you mean" hints.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);
// ", did you mean 'X'?" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates,
                         std::string_view prefix = "");

// Handles the common outcomes of parsing: prints help (returns kExitOk) or a usage error
// with a hint (returns kExitUsage). Returns nullopt when the command should run.
std::optional<int> handle_parse_outcome(const ArgSpec& spec, const ParsedArgs& parsed, Io& io);

// Parses an integer option value; on failure writes a usage error (naming where the value
// came from: the option, the configuration file's line, the environment) and returns nullopt.
std::optional<long long> parse_integer_option(const ParsedArgs& parsed, std::string_view option,
                                              long long min, long long max, Io& io);

}  // namespace investflow::app
