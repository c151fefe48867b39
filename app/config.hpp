#pragma once
// investflow.yaml: the server's settings from a file and from INVESTFLOW_* environment
// variables, layered under the command line (which wins), over the options' defaults.
//
//   # /etc/investflow/investflow.yaml
//   db: /var/lib/investflow/investflow.db
//   listen: 127.0.0.1:8080
//   access-log: true
//
// Every key is a long option of the command (`serve`) without its dashes; a flag takes
// true or false. INVESTFLOW_LISTEN, INVESTFLOW_ATTACHMENT_LIMIT, ... (the option upper-cased,
// dashes as underscores) override the file. Where each value came from stays known
// (ParsedArgs::origin) so that an error names the file's line and column or the variable.

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "app/args.hpp"

namespace investflow::app {

// Used when no --config is given and the file exists.
inline constexpr const char* kSystemConfigFile = "/etc/investflow/investflow.yaml";

// Reads one environment variable (nullptr when unset); getenv in the binary, a map in tests.
using Environment = std::function<const char*(const char*)>;
Environment process_environment();

// INVESTFLOW_ATTACHMENT_LIMIT for attachment-limit.
std::string environment_name(const std::string& option);

// Fills `parsed` from the environment, then from the configuration file (--config, else
// kSystemConfigFile when it exists). Returns every problem as "FILE:LINE:COL: message" (or
// "INVESTFLOW_X: message"); values are checked by the command itself, with their origin.
// `config_file` is set to the file read ("" when none).
std::vector<std::string> apply_configuration(const ArgSpec& spec, ParsedArgs& parsed,
                                             const Environment& environment,
                                             std::string& config_file);

// `investflow config check [--config FILE] [serve options]`.
int run_config(std::span<const std::string> args, Io& io);

}  // namespace investflow::app
