#include "app/args.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace investflow::app {

ArgSpec::ArgSpec(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {
}

ArgSpec& ArgSpec::positional(std::string name, std::string help, bool required, bool repeated) {
  positionals_.push_back({std::move(name), std::move(help), required, repeated});
  return *this;
}

ArgSpec& ArgSpec::option(std::string name, std::string value_name, std::string help,
                         std::optional<std::string> default_value, bool repeated) {
  options_.push_back({std::move(name), std::move(value_name), std::move(help),
                      std::move(default_value), repeated, false});
  return *this;
}

ArgSpec& ArgSpec::flag(std::string name, std::string help) {
  options_.push_back({std::move(name), "", std::move(help), std::nullopt, false, true});
  return *this;
}

ArgSpec& ArgSpec::example(std::string line) {
  examples_.push_back(std::move(line));
  return *this;
}

const ArgSpec::Option* ArgSpec::find_option(std::string_view name) const {
  for (const Option& option : options_) {
    if (option.name == name) return &option;
  }
  return nullptr;
}

std::string ArgSpec::help_text() const {
  std::ostringstream out;
  out << "Usage: investflow " << command_;
  if (!options_.empty()) out << " [options]";
  for (const Positional& p : positionals_) {
    out << ' ' << (p.required ? "" : "[") << p.name << (p.repeated ? "..." : "")
        << (p.required ? "" : "]");
  }
  out << "\n\n" << summary_ << "\n";
  if (!positionals_.empty()) {
    out << "\nArguments:\n";
    for (const Positional& p : positionals_) {
      out << "  " << p.name << std::string(p.name.size() < 22 ? 22 - p.name.size() : 1, ' ')
          << p.help << "\n";
    }
  }
  out << "\nOptions:\n";
  for (const Option& o : options_) {
    std::string left = "--" + o.name + (o.is_flag ? "" : " " + o.value_name);
    out << "  " << left << std::string(left.size() < 22 ? 22 - left.size() : 1, ' ') << o.help;
    if (o.default_value && !o.default_value->empty())
      out << " (default: " << *o.default_value << ")";
    out << "\n";
  }
  if (find_option("db") == nullptr) {
    for (const Positional& p : positionals_) {
      if (p.name == "DB")
        out << "  --db FILE             the database, instead of the DB argument\n";
    }
  } else if (positionals_.empty() || positionals_.back().name != "DB") {
    out << "  DB                    the database may also be given as the last argument\n";
  }
  out << "  -h, --help            show this help\n";
  if (!examples_.empty()) {
    out << "\nExamples:\n";
    for (const std::string& line : examples_)
      out << "  " << line << "\n";
  }
  return out.str();
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 3;
  std::size_t prefixed = 0;
  std::string prefix_match;
  for (const std::string& candidate : candidates) {
    if (word.size() >= 2 && candidate.starts_with(word)) {
      ++prefixed;
      prefix_match = candidate;
    }
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance && distance < std::max<std::size_t>(candidate.size(), 2)) {
      best_distance = distance;
      best = candidate;
    }
  }
  if (best.empty() && prefixed == 1) return prefix_match;
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates,
                         std::string_view prefix) {
  const std::string match = closest_match(word, candidates);
  return match.empty() ? "" : "; did you mean '" + std::string(prefix) + match + "'?";
}

ParsedArgs ParsedArgs::parse(const ArgSpec& spec, std::span<const std::string> args) {
  ParsedArgs parsed;
  parsed.command_ = spec.command_;
  bool db_positional = false;
  for (const ArgSpec::Positional& p : spec.positionals_)
    db_positional = db_positional || p.name == "DB";
  const bool db_option = spec.find_option("db") != nullptr;
  const auto option_names = [&spec] {
    std::vector<std::string> names;
    for (const ArgSpec::Option& option : spec.options_)
      names.push_back(option.name);
    names.push_back("help");
    return names;
  };
  for (const ArgSpec::Option& option : spec.options_) {
    if (option.default_value) parsed.defaults_[option.name] = *option.default_value;
  }
  std::vector<std::string> loose;
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!options_done && (arg == "--help" || arg == "-h")) {
      parsed.help_ = true;
      return parsed;
    }
    if (!options_done && arg == "--") {
      options_done = true;
      continue;
    }
    if (options_done || arg.size() < 2 || arg[0] != '-' ||
        (arg[1] != '-' && !(arg[1] >= 'a' && arg[1] <= 'z'))) {
      loose.push_back(arg);
      continue;
    }
    if (arg[1] != '-') {
      parsed.error_ = "unknown option '" + arg + "' (options are spelled --name)" +
                      did_you_mean(arg.substr(1), option_names(), "--");
      return parsed;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const ArgSpec::Option* option = spec.find_option(name);
    static const ArgSpec::Option kDbAlias{"db", "FILE", "", std::nullopt, false, false};
    if (option == nullptr && name == "db" && db_positional) option = &kDbAlias;
    if (option == nullptr) {
      parsed.error_ = "unknown option '--" + name + "'" + did_you_mean(name, option_names(), "--");
      return parsed;
    }
    if (option->is_flag) {
      if (inline_value) {
        parsed.error_ = "option '--" + name + "' takes no value";
        return parsed;
      }
      parsed.options_[name].push_back("true");
      continue;
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      parsed.error_ = "option '--" + name + "' needs a value (" + option->value_name + ")";
      return parsed;
    }
    auto& slot = parsed.options_[name];
    if (!option->repeated) slot.clear();
    slot.push_back(std::move(value));
  }
  std::size_t next = 0;
  for (const ArgSpec::Positional& p : spec.positionals_) {
    if (p.name == "DB" && parsed.options_.contains("db")) {
      parsed.positionals_[p.name] = parsed.options_["db"];
      continue;
    }
    if (next >= loose.size()) {
      if (p.required) {
        parsed.error_ = "missing argument " + p.name;
        return parsed;
      }
      break;
    }
    auto& slot = parsed.positionals_[p.name];
    if (p.repeated) {
      while (next < loose.size())
        slot.push_back(loose[next++]);
    } else {
      slot.push_back(loose[next++]);
    }
  }
  // A command with --db takes the database as one more argument too.
  if (db_option && !db_positional && next + 1 == loose.size() && !parsed.options_.contains("db"))
    parsed.options_["db"].push_back(loose[next++]);
  if (next < loose.size()) {
    parsed.error_ = "unexpected argument '" + loose[next] + "'";
    if ((db_option || db_positional) && parsed.options_.contains("db"))
      parsed.error_ += " (the database is given once: as DB or --db)";
    return parsed;
  }
  if (db_positional && !parsed.positionals_["DB"].empty())
    parsed.options_["db"] = parsed.positionals_["DB"];
  return parsed;
}

std::vector<std::string> ParsedArgs::positionals(std::string_view name) const {
  const auto it = positionals_.find(name);
  return it == positionals_.end() ? std::vector<std::string>{} : it->second;
}

std::string ParsedArgs::positional(std::string_view name) const {
  const auto it = positionals_.find(name);
  return it == positionals_.end() || it->second.empty() ? "" : it->second.front();
}

bool ParsedArgs::has(std::string_view option) const {
  return options_.contains(option);
}

std::string ParsedArgs::value(std::string_view option) const {
  if (const auto it = options_.find(option); it != options_.end() && !it->second.empty()) {
    return it->second.back();
  }
  const auto it = defaults_.find(option);
  return it == defaults_.end() ? "" : it->second;
}

std::vector<std::string> ParsedArgs::values(std::string_view option) const {
  if (const auto it = options_.find(option); it != options_.end()) return it->second;
  const auto it = defaults_.find(option);
  return it == defaults_.end() ? std::vector<std::string>{} : std::vector{it->second};
}

void ParsedArgs::set_default(const std::string& option, std::string value, std::string origin) {
  if (options_.contains(option)) return;
  options_[option].push_back(std::move(value));
  origins_[option] = std::move(origin);
}

void ParsedArgs::clear_layers() {
  for (const auto& [option, origin] : origins_)
    options_.erase(option);
  origins_.clear();
}

std::string ParsedArgs::origin(std::string_view option) const {
  if (const auto it = origins_.find(option); it != origins_.end()) return it->second;
  return "--" + std::string(option);
}

std::optional<int> handle_parse_outcome(const ArgSpec& spec, const ParsedArgs& parsed, Io& io) {
  if (parsed.help_requested()) {
    io.out << spec.help_text();
    return kExitOk;
  }
  if (!parsed.error().empty()) {
    io.err << "investflow " << spec.command() << ": " << parsed.error() << "\n"
           << "Try 'investflow " << spec.command() << " --help'.\n";
    return kExitUsage;
  }
  return std::nullopt;
}

std::optional<long long> parse_integer_option(const ParsedArgs& parsed, std::string_view option,
                                              long long min, long long max, Io& io) {
  const std::string text = parsed.value(option);
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    io.err << "investflow " << parsed.command() << ": " << parsed.origin(option)
           << " takes a whole number from " << min << " to " << max << ", not '" << text << "'\n";
    return std::nullopt;
  }
  return value;
}

}  // namespace investflow::app
