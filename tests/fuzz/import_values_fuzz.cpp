// libFuzzer target for values as people write them (storage/import_values.hpp, issue 18):
// every input is read as a date, as an amount in each kind of unit, and through
// read_field_text for fields of each type. Checks: no crash; what is read is finite, a date
// read from text lies in the years it promises, cleaning is idempotent, every message and
// note is valid UTF-8. Seeds: tests/fuzz/corpus/import_values/.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/field_text.hpp"
#include "storage/import_values.hpp"
#include "tests/fuzz/valid_utf8.hpp"

namespace {

using investflow::testing::valid_utf8;

using investflow::engine::FieldDef;
using investflow::engine::FieldType;
namespace storage = investflow::storage;

std::vector<FieldDef> fields() {
  std::vector<FieldDef> all;
  for (const auto& [type, unit] :
       std::vector<std::pair<FieldType, std::string>>{{FieldType::money, "万元"},
                                                      {FieldType::money, "万元/年"},
                                                      {FieldType::area, "亩"},
                                                      {FieldType::number, "%"},
                                                      {FieldType::number, ""},
                                                      {FieldType::date, ""},
                                                      {FieldType::boolean, ""},
                                                      {FieldType::text, ""},
                                                      {FieldType::list, ""}}) {
    FieldDef field;
    field.type = type;
    field.unit = unit;
    all.push_back(field);
  }
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<FieldDef> all = fields();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool utf8 = valid_utf8(text);

  const std::string cleaned = storage::clean_cell_text(text);
  if (storage::clean_cell_text(cleaned) != cleaned) __builtin_trap();
  (void)storage::ascii_width(text);

  for (const bool date1904 : {false, true}) {
    auto date = storage::read_date_text(text, date1904);
    if (date) {
      const int year = date->value.year();
      if (year < 1900 || year > 2999) __builtin_trap();
      if (utf8 && !valid_utf8(date->how.zh)) __builtin_trap();
    } else if (utf8 && (!valid_utf8(date.error().zh) || !valid_utf8(date.error().en))) {
      __builtin_trap();
    }
  }
  for (const FieldDef& field : all) {
    auto amount = storage::read_amount_text(text, field.unit);
    if (amount && !std::isfinite(amount->value)) __builtin_trap();
    auto value = storage::read_field_text(field, text);
    if (utf8 && !value && !valid_utf8(value.error().zh)) __builtin_trap();
    if (const double* number = value ? value->value.as_number() : nullptr) {
      if (!std::isfinite(*number)) __builtin_trap();
    }
  }
  // The input's bytes as a number cell (what an XLSX file may hold).
  if (size >= sizeof(double)) {
    double number = 0;
    __builtin_memcpy(&number, data, sizeof number);
    (void)storage::excel_serial_date(number, false);
    (void)storage::excel_serial_date(number, true);
    const auto percent = storage::read_amount_number(number, true, "%");
    if (std::isfinite(number) && !std::isfinite(percent.value) && std::fabs(number) < 1e300) {
      __builtin_trap();
    }
  }
  return 0;
}
