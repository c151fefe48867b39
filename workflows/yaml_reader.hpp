#pragma once
// Private to workflows/: reading typed values out of YAML nodes, reporting every problem
// instead of throwing. Messages name what is being read ("'quorum' must be at least 1, not
// 0"), so each reader takes the node, where to report, and a short description of the thing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/workflow.hpp"
#include "workflows/yaml_document.hpp"

namespace investflow::workflows::detail {

// One `key: value` pair of a mapping.
struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;

  // Where a problem with the value is reported: the value, or the key when the value is
  // empty (yaml-cpp places an empty value at the next token, often on the next line).
  YAML::Mark value_mark() const;
  // How messages name the value: 'key'.
  std::string what() const { return "'" + key + "'"; }
};

// A name read from a list or scalar, with its node for reporting.
struct NameAt {
  std::string name;
  YAML::Node node;
};

// How a node reads in a message: "a mapping", "a list", "empty", "'text'".
std::string describe(const YAML::Node& node);
// "; did you mean 'x'?" when a candidate is close to `word`, else "" (also once the reporter
// drops diagnostics: the search is the costly part of a message).
std::string suggestion(const Reporter& reporter, std::string_view word,
                       const std::vector<std::string>& candidates);
// "line N" of a node, for "first defined at line N".
std::string line_of(const YAML::Node& node, const Reporter& reporter);

bool is_identifier(std::string_view name);  // [a-z_][a-z0-9_]*
bool is_slug(std::string_view name);        // [a-z0-9-]+

// Whether a scalar was written plain (unquoted): only plain scalars are numbers or booleans.
bool is_plain_scalar(const YAML::Node& node);
std::optional<std::int64_t> plain_integer(const YAML::Node& node);
std::optional<double> plain_number(const YAML::Node& node);
std::optional<bool> plain_bool(const YAML::Node& node);

// The pairs of a mapping in file order, first occurrence of each key only. Reports a node
// that is not a mapping, keys that are not text and duplicate keys. `what` names the mapping.
std::vector<Entry> read_entries(const YAML::Node& map, const YAML::Mark& at,
                                const std::string& what, Reporter& reporter);

// A mapping with a fixed set of keys. Unknown keys are reported with a suggestion.
class Record {
 public:
  Record(const YAML::Node& map, const YAML::Mark& at, std::string what,
         std::vector<std::string> keys, Reporter& reporter);

  // False when the node was not a mapping (already reported); every get() is then null.
  bool valid() const { return valid_; }
  const Entry* get(std::string_view key) const;
  // Like get(), and reports the key as missing.
  const Entry* require(std::string_view key);
  const YAML::Mark& mark() const { return mark_; }
  const std::string& what() const { return what_; }

 private:
  std::string what_;
  YAML::Mark mark_;
  Reporter& reporter_;
  bool valid_ = false;
  std::vector<Entry> entries_;
};

std::optional<std::string> read_text(const YAML::Node& node, const YAML::Mark& at,
                                     const std::string& what, Reporter& reporter);
std::optional<std::int64_t> read_integer(const YAML::Node& node, const YAML::Mark& at,
                                         const std::string& what, std::int64_t minimum,
                                         Reporter& reporter);
std::optional<double> read_number(const YAML::Node& node, const YAML::Mark& at,
                                  const std::string& what, Reporter& reporter);
std::optional<bool> read_bool(const YAML::Node& node, const YAML::Mark& at, const std::string& what,
                              Reporter& reporter);
// Text (the same in both languages) or {zh-CN: ..., en: ...}.
std::optional<engine::LocalizedText> read_label(const YAML::Node& node, const YAML::Mark& at,
                                                const std::string& what, Reporter& reporter);
// The items of a list, or nothing (reported) when the node is not a list.
std::optional<std::vector<YAML::Node>> read_list(const YAML::Node& node, const YAML::Mark& at,
                                                 const std::string& what, Reporter& reporter);
// A list of texts; bad items are reported and skipped.
std::vector<NameAt> read_text_list(const YAML::Node& node, const YAML::Mark& at,
                                   const std::string& what, Reporter& reporter);

// Entry shorthands: report at the entry, naming it by its key.
inline std::optional<std::string> read_text(const Entry& entry, Reporter& reporter) {
  return read_text(entry.value, entry.value_mark(), entry.what(), reporter);
}
inline std::optional<std::int64_t> read_integer(const Entry& entry, std::int64_t minimum,
                                                Reporter& reporter) {
  return read_integer(entry.value, entry.value_mark(), entry.what(), minimum, reporter);
}
inline std::optional<double> read_number(const Entry& entry, Reporter& reporter) {
  return read_number(entry.value, entry.value_mark(), entry.what(), reporter);
}
inline std::optional<bool> read_bool(const Entry& entry, Reporter& reporter) {
  return read_bool(entry.value, entry.value_mark(), entry.what(), reporter);
}
inline std::optional<engine::LocalizedText> read_label(const Entry& entry, Reporter& reporter) {
  return read_label(entry.value, entry.value_mark(), entry.what(), reporter);
}
inline std::vector<NameAt> read_text_list(const Entry& entry, Reporter& reporter) {
  return read_text_list(entry.value, entry.value_mark(), entry.what(), reporter);
}

}  // namespace investflow::workflows::detail
