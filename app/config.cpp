#include "app/config.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "app/commands_server.hpp"

namespace investflow::app {
namespace {

std::string place(const std::string& file, const YAML::Mark& mark) {
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::vector<std::string> settable(const ArgSpec& spec) {
  std::vector<std::string> names;
  for (const ArgSpec::Option& option : spec.options()) {
    if (option.name != "config") names.push_back(option.name);
  }
  return names;
}

std::optional<bool> truth(std::string text) {
  for (char& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
  if (text == "false" || text == "no" || text == "off" || text == "0") return false;
  return std::nullopt;
}

void read_file(const ArgSpec& spec, ParsedArgs& parsed, const std::string& file,
               std::vector<std::string>& errors) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    errors.push_back(file + ": cannot read the configuration file");
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& error) {
    errors.push_back(place(file, error.mark) + ": not valid YAML: " + error.msg);
    return;
  }
  if (root.IsNull()) return;  // empty: every default
  if (!root.IsMap()) {
    errors.push_back(place(file, root.Mark()) +
                     ": the configuration is a mapping of settings (listen: 127.0.0.1:8080)");
    return;
  }
  std::map<std::string, std::string> seen;
  const std::vector<std::string> names = settable(spec);
  for (const auto& entry : root) {
    const YAML::Node& key = entry.first;
    const YAML::Node& value = entry.second;
    const std::string at = place(file, key.Mark());
    if (!key.IsScalar()) {
      errors.push_back(at + ": a setting's name is a word (listen, db, ...)");
      continue;
    }
    const std::string name = key.Scalar();
    const ArgSpec::Option* option = name == "config" ? nullptr : spec.find_option(name);
    if (option == nullptr) {
      errors.push_back(at + ": unknown setting '" + name + "'" + did_you_mean(name, names));
      continue;
    }
    if (const auto [first, inserted] = seen.emplace(name, at); !inserted) {
      errors.push_back(at + ": '" + name + "' is set twice (first at " + first->second + ")");
      continue;
    }
    const std::string value_at = place(file, value.Mark());
    if (!value.IsScalar()) {
      errors.push_back(value_at + ": " + name + " takes one value" +
                       (option->is_flag ? " (true or false)" : " (" + option->value_name + ")"));
      continue;
    }
    if (option->is_flag) {
      const auto on = truth(value.Scalar());
      if (!on) {
        errors.push_back(value_at + ": " + name + " takes true or false, not '" + value.Scalar() +
                         "'");
      } else if (*on) {
        parsed.set_default(name, "true", value_at + ": " + name);
      }
      continue;
    }
    parsed.set_default(name, value.Scalar(), value_at + ": " + name);
  }
}

}  // namespace

Environment process_environment() {
  return [](const char* name) { return std::getenv(name); };
}

std::string environment_name(const std::string& option) {
  std::string name = "INVESTFLOW_";
  for (const char c : option)
    name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

std::vector<std::string> apply_configuration(const ArgSpec& spec, ParsedArgs& parsed,
                                             const Environment& environment,
                                             std::string& config_file) {
  std::vector<std::string> errors;
  for (const ArgSpec::Option& option : spec.options()) {
    const std::string variable = environment_name(option.name);
    const char* value = environment(variable.c_str());
    if (value == nullptr) continue;
    if (option.is_flag) {
      const auto on = truth(value);
      if (!on) {
        errors.push_back(variable + ": takes true or false, not '" + std::string(value) + "'");
      } else if (*on) {
        parsed.set_default(option.name, "true", variable);
      }
      continue;
    }
    parsed.set_default(option.name, value, variable);
  }
  config_file.clear();
  if (parsed.has("config")) {
    config_file = parsed.value("config");
  } else {
    std::error_code error;
    if (std::filesystem::exists(kSystemConfigFile, error)) config_file = kSystemConfigFile;
  }
  if (!config_file.empty()) read_file(spec, parsed, config_file, errors);
  return errors;
}

int run_config(std::span<const std::string> args, Io& io) {
  const bool help = !args.empty() && (args.front() == "--help" || args.front() == "-h");
  if (args.empty() || help || args.front() != "check") {
    (help ? io.out : io.err)
        << "Usage: investflow config check [--config FILE] [serve options]\n\n"
           "Reads the server's configuration as `serve` would (--config FILE, else\n"
           ""
        << kSystemConfigFile
        << " when it exists; INVESTFLOW_* variables over it; options\n"
           "given here over both), prints every setting with its value and where it comes\n"
           "from, and every error with FILE:LINE:COL. Exit 0 when `serve` would accept it.\n";
    if (!help && !args.empty()) {
      io.err << "investflow config: no action '" << args.front() << "'"
             << did_you_mean(args.front(), {"check"}) << "\n";
    }
    return help ? kExitOk : kExitUsage;
  }
  ArgSpec spec = serve_spec();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  ParsedArgs parsed = ParsedArgs::parse(spec, rest);
  if (parsed.help_requested()) {
    io.out << "Usage: investflow config check [--config FILE] [serve options]\n";
    return kExitOk;
  }
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  std::string file;
  const std::vector<std::string> errors =
      apply_configuration(spec, parsed, process_environment(), file);
  io.out << "# configuration file: " << (file.empty() ? "none" : file) << "\n";
  for (const ArgSpec::Option& option : spec.options()) {
    if (option.name == "config") continue;
    std::string value =
        option.is_flag ? (parsed.flag(option.name) ? "true" : "false") : parsed.value(option.name);
    std::string origin = "default";
    if (parsed.has(option.name)) {
      origin = parsed.origin(option.name);
      if (origin == "--" + option.name) origin = "command line";
      if (const auto colon = origin.rfind(": "); colon != std::string::npos)
        origin.resize(colon);  // FILE:LINE:COL
    }
    io.out << option.name << ": " << (value.empty() ? "~" : value) << "  # " << origin << "\n";
  }
  for (const std::string& error : errors)
    io.err << "investflow config: " << error << "\n";
  // The values themselves, checked as serve checks them (each error with its origin).
  const bool settings_ok = resolve_serve_settings(parsed, io).has_value();
  if (!errors.empty() || !settings_ok) return kExitFailed;
  io.out << "# ok\n";
  return kExitOk;
}

}  // namespace investflow::app
