#include "storage/tabular.hpp"

namespace investflow::storage {

TabularCell TabularCell::of_text(std::string text) {
  TabularCell cell;
  cell.kind = Kind::text;
  cell.text = std::move(text);
  return cell;
}

TabularCell TabularCell::of_number(double number, std::string text) {
  TabularCell cell;
  cell.kind = Kind::number;
  cell.number = number;
  cell.text = std::move(text);
  return cell;
}

TabularCell TabularCell::of_date(engine::Date date, std::string text) {
  TabularCell cell;
  cell.kind = Kind::date;
  cell.date = date;
  cell.text = std::move(text);
  return cell;
}

TabularCell TabularCell::of_boolean(bool value, std::string text) {
  TabularCell cell;
  cell.kind = Kind::boolean;
  cell.boolean = value;
  cell.text = std::move(text);
  return cell;
}

std::string_view tabular_encodings() {
  return "utf-8, gb18030, gbk";
}

std::string column_letters(int column) {
  std::string letters;
  while (column > 0) {
    --column;
    letters.insert(letters.begin(), static_cast<char>('A' + column % 26));
    column /= 26;
  }
  return letters;
}

// Stubs until the readers land (same branch, next commits).
engine::Result<Table, TabularError> read_csv_table(std::string_view, const TabularOptions&) {
  return engine::fail(TabularError{{"尚未实现", "not implemented yet"}, {}, 0, 0});
}

engine::Result<Table, TabularError> read_xlsx_table(std::string_view, const TabularOptions&) {
  return engine::fail(TabularError{{"尚未实现", "not implemented yet"}, {}, 0, 0});
}

engine::Result<Table, TabularError> read_table(std::string_view bytes, std::string_view,
                                               const TabularOptions& options) {
  if (bytes.starts_with("PK\x03\x04")) return read_xlsx_table(bytes, options);
  return read_csv_table(bytes, options);
}

}  // namespace investflow::storage
