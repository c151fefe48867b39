#include "storage/import_values.hpp"

#include "engine/typed_text.hpp"

namespace investflow::storage {

// Stubs until the parsers land (same branch, next commits).
std::string clean_cell_text(std::string_view text) {
  return std::string(engine::trim(text));
}

std::string ascii_width(std::string_view text) {
  return std::string(text);
}

engine::Result<ReadValue<engine::Date>, engine::LocalizedText> read_date_text(std::string_view text,
                                                                              bool) {
  if (auto date = engine::parse_typed_date(text)) return ReadValue<engine::Date>{*date, {}};
  return engine::fail(engine::LocalizedText{"不是日期", "not a date"});
}

std::optional<engine::Date> excel_serial_date(double, bool) {
  return std::nullopt;
}

engine::Result<ReadValue<double>, engine::LocalizedText> read_amount_text(std::string_view text,
                                                                          std::string_view) {
  if (auto number = engine::parse_typed_number(text)) return ReadValue<double>{*number, {}};
  return engine::fail(engine::LocalizedText{"不是数字", "not a number"});
}

ReadValue<double> read_amount_number(double number, bool, std::string_view) {
  return {number, {}};
}

std::string amount_text(double number) {
  return engine::format_number(number, 6);
}

}  // namespace investflow::storage
