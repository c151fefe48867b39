#include "engine/typed_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace investflow::engine {
namespace {

constexpr std::string_view kBlanks[] = {" ",      "\t",     "\n",     "\r",     "\v",
                                        "\f",     "\u00A0", "\u3000", "\u200B", "\u200C",
                                        "\u200D", "\u2060", "\uFEFF"};
constexpr std::string_view kListSeparators[] = {",", "，", "、", ";", "；", "\n"};

// The length of the entry of `table` that `text` starts with; 0 if none.
template <std::size_t N>
std::size_t starts_with_one(std::string_view text, const std::string_view (&table)[N]) {
  for (const std::string_view entry : table) {
    if (text.starts_with(entry)) return entry.size();
  }
  return 0;
}

template <std::size_t N>
std::size_t ends_with_one(std::string_view text, const std::string_view (&table)[N]) {
  for (const std::string_view entry : table) {
    if (text.ends_with(entry)) return entry.size();
  }
  return 0;
}

bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

// Digits only: "2026", "3". Rejects signs, blanks and an empty part.
std::optional<int> parse_date_part(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text.front() == '-' || error != std::errc() ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string_view trim(std::string_view text) {
  while (const std::size_t n = starts_with_one(text, kBlanks))
    text.remove_prefix(n);
  while (const std::size_t n = ends_with_one(text, kBlanks))
    text.remove_suffix(n);
  return text;
}

std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (const std::size_t n = starts_with_one(text.substr(i), kListSeparators)) {
      items.push_back(trim(text.substr(start, i - start)));
      i += n;
      start = i;
    } else {
      ++i;
    }
  }
  items.push_back(trim(text.substr(start)));
  std::erase_if(items, [](std::string_view item) { return item.empty(); });
  return items;
}

std::optional<bool> parse_yes_no(std::string_view text) {
  text = trim(text);
  for (const std::string_view yes : {"是", "true", "yes", "y", "1"}) {
    if (equals_ignoring_ascii_case(text, yes)) return true;
  }
  for (const std::string_view no : {"否", "false", "no", "n", "0"}) {
    if (equals_ignoring_ascii_case(text, no)) return false;
  }
  return std::nullopt;
}

std::optional<std::string> option_named(const FieldDef& field, std::string_view text) {
  text = trim(text);
  if (std::find(field.options.begin(), field.options.end(), text) != field.options.end()) {
    return std::string(text);
  }
  // People write the label (CSV files written by hand use the Chinese one).
  for (const auto& [option, label] : field.option_labels) {
    if ((!label.zh.empty() && label.zh == text) || (!label.en.empty() && label.en == text)) {
      return option;
    }
  }
  // Former labels the workflow still accepts (`option_aliases:`).
  for (const auto& [option, aliases] : field.option_aliases) {
    if (std::find(aliases.begin(), aliases.end(), text) != aliases.end()) return option;
  }
  return std::nullopt;
}

std::optional<double> parse_typed_number(std::string_view text) {
  std::string digits;
  for (const char c : trim(text)) {
    if (c != ',' && c != ' ') digits.push_back(c);  // 12,500.5 as spreadsheets show it
  }
  double number = 0;
  const char* const end = digits.data() + digits.size();
  const auto [stop, error] = std::from_chars(digits.data(), end, number);
  if (digits.empty() || error != std::errc() || stop != end || !std::isfinite(number)) {
    return std::nullopt;
  }
  return number;
}

std::optional<Date> parse_typed_date(std::string_view text) {
  text = trim(text);
  const std::size_t first = text.find_first_of("-/.");
  if (first == std::string_view::npos) return std::nullopt;
  const char separator = text[first];
  const std::size_t second = text.find(separator, first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const std::optional<int> year = parse_date_part(text.substr(0, first));
  const std::optional<int> month = parse_date_part(text.substr(first + 1, second - first - 1));
  const std::optional<int> day = parse_date_part(text.substr(second + 1));
  if (!year || !month || !day) return std::nullopt;
  return Date::from_ymd(*year, *month, *day);
}

}  // namespace investflow::engine
