#include "storage/field_text.hpp"

#include "engine/typed_text.hpp"
#include "storage/import_values.hpp"

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

engine::Result<FieldInput, engine::LocalizedText> read_field_text(const engine::FieldDef& field,
                                                                  std::string_view raw) {
  const std::string cleaned = clean_cell_text(raw);
  const std::string_view text = cleaned;
  if (text.empty()) return FieldInput{};
  const auto quoted = [&](const char* zh_rest, const char* en_rest) {
    return engine::LocalizedText{"「" + std::string(text) + "」" + zh_rest,
                                 "'" + std::string(text) + "' " + en_rest};
  };
  switch (field.type) {
    case FieldType::text:
    case FieldType::user:
      return FieldInput{Value::text(std::string(text)), {}};
    case FieldType::number:
    case FieldType::money:
    case FieldType::area: {
      auto amount = read_amount_text(text, field.unit);
      if (!amount) return engine::fail(std::move(amount.error()));
      return FieldInput{Value::number(amount->value), std::move(amount->how)};
    }
    case FieldType::date: {
      auto date = read_date_text(text);
      if (!date) return engine::fail(std::move(date.error()));
      return FieldInput{Value::date(date->value), std::move(date->how)};
    }
    case FieldType::boolean:
      if (auto yes = engine::parse_yes_no(text)) return FieldInput{Value::boolean(*yes), {}};
      return engine::fail(quoted("不是“是”或“否”", "is not 是 (yes) or 否 (no)"));
    case FieldType::enumeration:
      if (auto option = engine::option_named(field, text)) {
        return FieldInput{Value::text(*option), {}};
      }
      return engine::fail(quoted("不是可选项之一", "is not one of the options"));
    case FieldType::list: {
      Value::List items;
      for (const std::string_view item : engine::split_list(text)) {
        if (field.options.empty()) {
          items.push_back(Value::text(std::string(item)));
        } else if (auto option = engine::option_named(field, item)) {
          items.push_back(Value::text(*option));
        } else {
          return engine::fail(
              engine::LocalizedText{"「" + std::string(item) + "」不是可选项之一",
                                    "'" + std::string(item) + "' is not one of the options"});
        }
      }
      return FieldInput{Value::list(std::move(items)), {}};
    }
  }
  return FieldInput{Value::text(std::string(text)), {}};
}

engine::Result<FieldInput, engine::LocalizedText> read_field_cell(const engine::FieldDef& field,
                                                                  const TabularCell& cell,
                                                                  bool date1904) {
  using Kind = TabularCell::Kind;
  if (cell.error) {
    return engine::fail(engine::LocalizedText{
        "单元格是公式错误 " + cell.text + "，请在表格中改正后再导入",
        "the cell holds the formula error " + cell.text + "; correct it in the spreadsheet"});
  }
  switch (cell.kind) {
    case Kind::empty:
      return FieldInput{};
    case Kind::text:
      return read_field_text(field, cell.text);
    case Kind::number:
      if (field.type == FieldType::number || field.type == FieldType::money ||
          field.type == FieldType::area) {
        auto amount = read_amount_number(cell.number, cell.percent, field.unit);
        return FieldInput{Value::number(amount.value), std::move(amount.how)};
      }
      if (field.type == FieldType::date) {
        if (auto date = excel_serial_date(cell.number, date1904)) {
          const std::string serial = amount_text(cell.number);
          return FieldInput{Value::date(*date),
                            {"Excel 日期序号 " + serial + " → " + date->to_string(),
                             "Excel date serial " + serial + " → " + date->to_string()}};
        }
        const std::string serial = amount_text(cell.number);
        return engine::fail(engine::LocalizedText{
            "数字 " + serial + " 不是日期（也不是 Excel 日期序号）",
            "the number " + serial + " is not a date (nor an Excel date serial)"});
      }
      return read_field_text(field, cell.text.empty() ? amount_text(cell.number) : cell.text);
    case Kind::date:
      if (field.type == FieldType::date) return FieldInput{Value::date(cell.date), {}};
      return read_field_text(field, cell.date.to_string());
    case Kind::boolean:
      if (field.type == FieldType::boolean) return FieldInput{Value::boolean(cell.boolean), {}};
      return read_field_text(field, cell.boolean ? "是" : "否");
  }
  return FieldInput{};
}

engine::Result<Value, std::string> field_from_text(const engine::FieldDef& field,
                                                   std::string_view text) {
  auto input = read_field_text(field, text);
  if (!input) return engine::fail(std::move(input.error().en));
  return std::move(input->value);
}

}  // namespace investflow::storage
