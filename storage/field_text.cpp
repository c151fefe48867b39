#include "storage/field_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

namespace investflow::storage {
namespace {

using engine::FieldType;
using engine::Value;

std::string option_label(const engine::FieldDef& field, const std::string& option) {
  const auto found = field.option_labels.find(option);
  if (found == field.option_labels.end() || found->second.zh.empty()) return option;
  return found->second.zh;
}

std::optional<std::string> option_for(const engine::FieldDef& field, std::string_view text) {
  for (const auto& option : field.options) {
    if (option == text) return option;
  }
  for (const auto& [option, label] : field.option_labels) {
    if (label.zh == text || label.en == text) return option;
  }
  return std::nullopt;
}

std::optional<double> parse_number(std::string_view text) {
  std::string digits;
  for (const char c : text) {
    if (c != ',' && c != ' ') digits.push_back(c);  // 12,500.5 as spreadsheets show it
  }
  double number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
      !std::isfinite(number)) {
    return std::nullopt;
  }
  return number;
}

std::optional<engine::Date> parse_date(std::string_view text) {
  std::string normalized(text);
  for (char& c : normalized) {
    if (c == '/' || c == '.') c = '-';
  }
  // 2026-3-2 as well as 2026-03-02.
  int year = 0, month = 0, day = 0;
  char dash1 = 0, dash2 = 0;
  if (std::sscanf(normalized.c_str(), "%d%c%d%c%d", &year, &dash1, &month, &dash2, &day) == 5 &&
      dash1 == '-' && dash2 == '-') {
    return engine::Date::from_ymd(year, month, day);
  }
  return std::nullopt;
}

std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  static constexpr std::string_view kSeparators[] = {"；", "、", ";", "，", ","};
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t matched = 0;
    for (const auto separator : kSeparators) {
      if (text.substr(i, separator.size()) == separator) {
        matched = separator.size();
        break;
      }
    }
    if (matched == 0) {
      ++i;
      continue;
    }
    items.push_back(trim(text.substr(start, i - start)));
    i += matched;
    start = i;
  }
  items.push_back(trim(text.substr(start)));
  std::erase_if(items, [](std::string_view item) { return item.empty(); });
  return items;
}

}  // namespace

std::string_view trim(std::string_view text) {
  static constexpr std::string_view kIdeographicSpace = "\u3000";
  for (;;) {
    if (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
      text.remove_prefix(1);
    } else if (text.substr(0, kIdeographicSpace.size()) == kIdeographicSpace) {
      text.remove_prefix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  for (;;) {
    if (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
      text.remove_suffix(1);
    } else if (text.size() >= kIdeographicSpace.size() &&
               text.substr(text.size() - kIdeographicSpace.size()) == kIdeographicSpace) {
      text.remove_suffix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  return text;
}

std::string column_header(const engine::FieldDef& field) {
  std::string header = field.label.zh.empty() ? field.name : field.label.zh;
  if (!field.unit.empty()) header += "（" + field.unit + "）";
  return header;
}

const engine::FieldDef* field_for_header(const engine::Workflow& workflow,
                                         std::string_view header) {
  header = trim(header);
  for (const auto& field : workflow.fields) {
    if (field.name == header || (!field.label.zh.empty() && field.label.zh == header) ||
        column_header(field) == header ||
        (!field.unit.empty() && (field.label.zh + "(" + field.unit + ")") == header)) {
      return &field;
    }
  }
  return nullptr;
}

std::string field_to_text(const engine::FieldDef& field, const Value& value) {
  if (value.is_null()) return {};
  switch (field.type) {
    case FieldType::boolean:
      return value.is_true() ? "是" : "否";
    case FieldType::enumeration:
      if (const std::string* option = value.as_text()) return option_label(field, *option);
      break;
    case FieldType::list:
      if (const Value::List* items = value.as_list()) {
        std::string text;
        for (const Value& item : *items) {
          if (!text.empty()) text += "；";
          const std::string* option = item.as_text();
          text += option != nullptr ? option_label(field, *option) : item.to_display();
        }
        return text;
      }
      break;
    case FieldType::number:
    case FieldType::money:
    case FieldType::area:
      if (const double* number = value.as_number()) return engine::format_number(*number, 6);
      break;
    default:
      break;
  }
  return value.to_display();
}

engine::Result<Value, std::string> field_from_text(const engine::FieldDef& field,
                                                   std::string_view raw) {
  const std::string_view text = trim(raw);
  if (text.empty()) return Value();
  switch (field.type) {
    case FieldType::text:
    case FieldType::user:
      return Value::text(std::string(text));
    case FieldType::number:
    case FieldType::money:
    case FieldType::area:
      if (auto number = parse_number(text)) return Value::number(*number);
      return engine::fail("'" + std::string(text) + "' is not a number");
    case FieldType::date:
      if (auto date = parse_date(text)) return Value::date(*date);
      return engine::fail("'" + std::string(text) + "' is not a date (YYYY-MM-DD)");
    case FieldType::boolean:
      for (const char* yes : {"是", "true", "TRUE", "True", "1", "yes", "Y", "y"}) {
        if (text == yes) return Value::boolean(true);
      }
      for (const char* no : {"否", "false", "FALSE", "False", "0", "no", "N", "n"}) {
        if (text == no) return Value::boolean(false);
      }
      return engine::fail("'" + std::string(text) + "' is not 是 or 否");
    case FieldType::enumeration:
      if (auto option = option_for(field, text)) return Value::text(*option);
      return engine::fail("'" + std::string(text) + "' is not one of the options");
    case FieldType::list: {
      Value::List items;
      for (const std::string_view item : split_list(text)) {
        if (field.options.empty()) {
          items.push_back(Value::text(std::string(item)));
        } else if (auto option = option_for(field, item)) {
          items.push_back(Value::text(*option));
        } else {
          return engine::fail("'" + std::string(item) + "' is not one of the options");
        }
      }
      return Value::list(std::move(items));
    }
  }
  return Value::text(std::string(text));
}

}  // namespace investflow::storage
