#include "storage/field_text.hpp"

#include "engine/typed_text.hpp"

namespace investflow::storage {
namespace {

using engine::FieldType;
using engine::trim;
using engine::Value;

std::string option_label(const engine::FieldDef& field, const std::string& option) {
  const auto found = field.option_labels.find(option);
  if (found == field.option_labels.end() || found->second.zh.empty()) return option;
  return found->second.zh;
}

}  // namespace

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
    // Former labels (`aliases:`), bare or with the unit.
    for (const std::string& alias : field.aliases) {
      if (alias == header || (!field.unit.empty() && (alias + "（" + field.unit + "）" == header ||
                                                      alias + "(" + field.unit + ")" == header))) {
        return &field;
      }
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

std::string timestamp_text(engine::Timestamp at) {
  std::string text = engine::format_timestamp(at).substr(0, 19);  // YYYY-MM-DDTHH:MM:SS
  text[10] = ' ';
  return text;
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
      if (auto number = engine::parse_typed_number(text)) return Value::number(*number);
      return engine::fail("'" + std::string(text) + "' is not a number");
    case FieldType::date:
      if (auto date = engine::parse_typed_date(text)) return Value::date(*date);
      return engine::fail("'" + std::string(text) + "' is not a date (YYYY-MM-DD)");
    case FieldType::boolean:
      if (auto yes = engine::parse_yes_no(text)) return Value::boolean(*yes);
      return engine::fail("'" + std::string(text) + "' is not 是 or 否");
    case FieldType::enumeration:
      if (auto option = engine::option_named(field, text)) return Value::text(*option);
      return engine::fail("'" + std::string(text) + "' is not one of the options");
    case FieldType::list: {
      Value::List items;
      for (const std::string_view item : engine::split_list(text)) {
        if (field.options.empty()) {
          items.push_back(Value::text(std::string(item)));
        } else if (auto option = engine::option_named(field, item)) {
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
