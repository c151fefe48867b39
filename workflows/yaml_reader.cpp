#include "workflows/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <utility>

#include "engine/expression.hpp"

namespace investflow::workflows::detail {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::size_t skip_digits(std::string_view text, std::size_t at) {
  while (at < text.size() && is_digit(text[at]))
    ++at;
  return at;
}

// The YAML 1.2 core schema's numbers, without .inf/.nan (no threshold is infinite).
bool looks_like_number(std::string_view text) {
  std::size_t at = 0;
  if (at < text.size() && (text[at] == '-' || text[at] == '+')) ++at;
  const std::size_t integer_end = skip_digits(text, at);
  bool digits = integer_end > at;
  at = integer_end;
  if (at < text.size() && text[at] == '.') {
    const std::size_t fraction_end = skip_digits(text, at + 1);
    digits = digits || fraction_end > at + 1;
    at = fraction_end;
  }
  if (!digits) return false;
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    if (at < text.size() && (text[at] == '-' || text[at] == '+')) ++at;
    const std::size_t exponent_end = skip_digits(text, at);
    if (exponent_end == at) return false;
    at = exponent_end;
  }
  return at == text.size();
}

std::string_view without_plus(std::string_view text) {
  return !text.empty() && text.front() == '+' ? text.substr(1) : text;
}

const char* kindly(YAML::NodeType::value type) {
  switch (type) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "text";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "empty";
  }
  return "empty";
}

// Language keys people write instead of zh-CN and en: zh, zh_CN, cn, chinese, english, en-US.
std::string language_suggestion(std::string_view key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  const auto starts = [&](std::string_view prefix) { return lower.rfind(prefix, 0) == 0; };
  if (starts("zh") || starts("cn") || starts("chinese")) return "; did you mean 'zh-CN'?";
  if (starts("en")) return "; did you mean 'en'?";
  return {};
}

void report_kind(const YAML::Node& node, const YAML::Mark& at, const std::string& what,
                 std::string_view expected, Reporter& reporter) {
  reporter.error(at, what + " must be " + std::string(expected) + ", not " + describe(node));
}

}  // namespace

YAML::Mark Entry::value_mark() const {
  return value.IsDefined() && !value.IsNull() ? value.Mark() : key_node.Mark();
}

std::string describe(const YAML::Node& node) {
  if (!node.IsScalar()) return kindly(node.Type());
  constexpr std::size_t kShown = 40;
  const std::string& text = node.Scalar();
  if (text.size() <= kShown) return "'" + text + "'";
  std::size_t cut = kShown;  // do not cut a UTF-8 character in half
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return "'" + text.substr(0, cut) + "...'";
}

std::string suggestion(const Reporter& reporter, std::string_view word,
                       const std::vector<std::string>& candidates) {
  if (reporter.saturated()) return {};
  const std::string match = engine::closest_match(word, candidates);
  return match.empty() ? std::string() : "; did you mean '" + match + "'?";
}

std::string line_of(const YAML::Node& node, const Reporter& reporter) {
  return "line " + std::to_string(reporter.source().position_of(node.Mark()).line);
}

bool is_identifier(std::string_view name) {
  if (name.empty() || is_digit(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_'; });
}

bool is_slug(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-';
  });
}

bool is_plain_scalar(const YAML::Node& node) {
  return node.IsScalar() && node.Tag() == "?";
}

std::optional<std::int64_t> plain_integer(const YAML::Node& node) {
  if (!is_plain_scalar(node)) return std::nullopt;
  const std::string_view text = without_plus(node.Scalar());
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> plain_number(const YAML::Node& node) {
  if (!is_plain_scalar(node) || !looks_like_number(node.Scalar())) return std::nullopt;
  const std::string_view text = without_plus(node.Scalar());
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> plain_bool(const YAML::Node& node) {
  if (!is_plain_scalar(node)) return std::nullopt;
  const std::string& text = node.Scalar();
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

std::vector<Entry> read_entries(const YAML::Node& map, const YAML::Mark& at,
                                const std::string& what, Reporter& reporter) {
  std::vector<Entry> entries;
  std::map<std::string, std::size_t, std::less<>> index;  // key -> position in entries
  if (!map.IsMap()) {
    report_kind(map, at, what, "a mapping", reporter);
    return entries;
  }
  for (const auto& pair : map) {
    const YAML::Node& key = pair.first;
    if (!key.IsScalar()) {
      reporter.error(key.IsNull() ? pair.second.Mark() : key.Mark(),
                     "a key in " + what + " must be text, not " + describe(key));
      continue;
    }
    const auto [first, inserted] = index.try_emplace(key.Scalar(), entries.size());
    if (!inserted) {
      reporter.error(key.Mark(), "duplicate key '" + key.Scalar() + "' in " + what + " (first at " +
                                     line_of(entries[first->second].key_node, reporter) + ")");
      continue;
    }
    entries.push_back(Entry{key.Scalar(), key, pair.second});
  }
  return entries;
}

Record::Record(const YAML::Node& map, const YAML::Mark& at, std::string what,
               std::vector<std::string> keys, Reporter& reporter)
    : what_(std::move(what)), mark_(at), reporter_(reporter), valid_(map.IsMap()) {
  for (Entry& entry : read_entries(map, at, what_, reporter)) {
    if (std::find(keys.begin(), keys.end(), entry.key) == keys.end()) {
      reporter.error(entry.key_node.Mark(), "unknown key '" + entry.key + "' in " + what_ +
                                                suggestion(reporter, entry.key, keys));
      continue;
    }
    entries_.push_back(std::move(entry));
  }
}

const Entry* Record::get(std::string_view key) const {
  const auto found = std::find_if(entries_.begin(), entries_.end(),
                                  [&](const Entry& entry) { return entry.key == key; });
  return found == entries_.end() ? nullptr : &*found;
}

const Entry* Record::require(std::string_view key) {
  const Entry* entry = get(key);
  if (entry == nullptr && valid_) {
    reporter_.error(mark_, "missing key '" + std::string(key) + "' in " + what_);
  }
  return entry;
}

std::optional<std::string> read_text(const YAML::Node& node, const YAML::Mark& at,
                                     const std::string& what, Reporter& reporter) {
  if (!node.IsScalar()) {
    report_kind(node, at, what, "text", reporter);
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::int64_t> read_integer(const YAML::Node& node, const YAML::Mark& at,
                                         const std::string& what, std::int64_t minimum,
                                         Reporter& reporter) {
  const std::optional<std::int64_t> value = plain_integer(node);
  if (!value) {
    report_kind(node, at, what, "a whole number", reporter);
    return std::nullopt;
  }
  // Everything counted here (days, votes, versions) fits an int; larger values are mistakes.
  constexpr std::int64_t kMaximum = 1'000'000;
  if (*value < minimum || *value > kMaximum) {
    reporter.error(at, what + " must be " +
                           (*value < minimum ? "at least " + std::to_string(minimum)
                                             : "at most " + std::to_string(kMaximum)) +
                           ", not " + std::to_string(*value));
    return std::nullopt;
  }
  return value;
}

std::optional<double> read_number(const YAML::Node& node, const YAML::Mark& at,
                                  const std::string& what, Reporter& reporter) {
  const std::optional<double> value = plain_number(node);
  if (!value) report_kind(node, at, what, "a number", reporter);
  return value;
}

std::optional<bool> read_bool(const YAML::Node& node, const YAML::Mark& at, const std::string& what,
                              Reporter& reporter) {
  const std::optional<bool> value = plain_bool(node);
  if (!value) report_kind(node, at, what, "true or false", reporter);
  return value;
}

std::optional<engine::LocalizedText> read_label(const YAML::Node& node, const YAML::Mark& at,
                                                const std::string& what, Reporter& reporter) {
  if (node.IsScalar()) return engine::LocalizedText{node.Scalar(), node.Scalar()};
  if (!node.IsMap()) {
    report_kind(node, at, what, "text or {zh-CN: ..., en: ...}", reporter);
    return std::nullopt;
  }
  engine::LocalizedText label;
  bool ok = true;
  bool has_language = false;
  for (const Entry& entry : read_entries(node, at, what, reporter)) {
    std::string* text = entry.key == "zh-CN" ? &label.zh : entry.key == "en" ? &label.en : nullptr;
    if (text == nullptr) {
      reporter.error(entry.key_node.Mark(), "unknown key '" + entry.key + "' in " + what +
                                                " (the languages are zh-CN and en)" +
                                                language_suggestion(entry.key));
      continue;
    }
    has_language = true;
    std::optional<std::string> value = read_text(entry, reporter);
    ok = ok && value.has_value();
    if (value) *text = std::move(*value);
  }
  if (!has_language) {
    reporter.error(at, what + " needs 'zh-CN' or 'en'");
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return label;
}

std::optional<std::vector<YAML::Node>> read_list(const YAML::Node& node, const YAML::Mark& at,
                                                 const std::string& what, Reporter& reporter) {
  if (!node.IsSequence()) {
    report_kind(node, at, what, "a list", reporter);
    return std::nullopt;
  }
  std::vector<YAML::Node> items;
  for (const auto& item : node)
    items.push_back(item);
  return items;
}

std::vector<NameAt> read_text_list(const YAML::Node& node, const YAML::Mark& at,
                                   const std::string& what, Reporter& reporter) {
  std::vector<NameAt> names;
  const std::optional<std::vector<YAML::Node>> items = read_list(node, at, what, reporter);
  if (!items) return names;
  for (const YAML::Node& item : *items) {
    const YAML::Mark item_at = item.IsNull() ? at : item.Mark();
    if (std::optional<std::string> name =
            read_text(item, item_at, "an item of " + what, reporter)) {
      names.push_back(NameAt{std::move(*name), item});
    }
  }
  return names;
}

}  // namespace investflow::workflows::detail
