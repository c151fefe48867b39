#include "storage/sheet_output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>

#include "storage/csv.hpp"
#include "storage/field_text.hpp"

namespace investflow::storage {
namespace {

constexpr double kUnixEpochSerial = 25569;  // 1970-01-01 in Excel's 1900 date system
constexpr double kMsPerDay = 86'400'000;

double round_to(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  const double rounded = std::round(value * scale) / scale;
  return rounded == 0 ? 0 : rounded;  // never -0
}

std::string fixed_text(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace

double excel_serial(engine::Date date) {
  return kUnixEpochSerial + date.days_since_epoch();
}

double excel_serial(engine::Timestamp at) {
  const double local = static_cast<double>(at) + engine::kChinaUtcOffsetMinutes * 60'000.0;
  // Whole seconds: a cell shows seconds, and a serial with stray milliseconds would not
  // compare equal to the time typed in.
  return kUnixEpochSerial + std::floor(local / 1000) * 1000 / kMsPerDay;
}

SheetCell text_cell(std::string text) {
  return SheetCell{std::move(text), std::nullopt, CellKind::text};
}

SheetCell count_cell(std::int64_t count) {
  return SheetCell{std::to_string(count), static_cast<double>(count), CellKind::count};
}

SheetCell number_cell(double value, int decimals, bool fixed) {
  const double rounded = round_to(value, decimals);
  std::string text = fixed_text(rounded, decimals);
  if (!fixed && text.find('.') != std::string::npos) {
    while (text.back() == '0')
      text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return SheetCell{std::move(text), rounded, CellKind::number, decimals, fixed};
}

SheetCell rate_cell(double fraction) {
  // The fraction to four places (CSV: 0.6815), which is 68.15% in XLSX shown as 68.2%.
  const double rounded = round_to(fraction, 4);
  return SheetCell{fixed_text(rounded, 4), rounded, CellKind::rate, 4};
}

SheetCell date_cell(engine::Date date) {
  return SheetCell{date.to_string(), excel_serial(date), CellKind::date};
}

SheetCell timestamp_cell(engine::Timestamp at) {
  return SheetCell{timestamp_text(at), excel_serial(at), CellKind::timestamp};
}

void write_csv_header(std::ostream& out, const std::vector<std::string>& header) {
  std::vector<std::string> texts;
  texts.reserve(header.size());
  for (const std::string& name : header)
    texts.push_back(spreadsheet_text(name));
  write_csv_record(out, texts);
}

void write_csv_cells(std::ostream& out, const std::vector<SheetCell>& cells) {
  std::vector<std::string> texts;
  texts.reserve(cells.size());
  for (const SheetCell& cell : cells)
    texts.push_back(cell.number ? cell.text : spreadsheet_text(cell.text));
  write_csv_record(out, texts);
}

Outcome<Ok> write_xlsx(const std::filesystem::path& file, const std::vector<Sheet>& sheets) {
  XlsxBook book(file);
  if (!book.open()) {
    return engine::fail(Error{Error::Kind::storage, "cannot create " + file.string()});
  }
  for (const Sheet& sheet : sheets) {
    book.add_sheet(sheet.name, sheet.header);
    for (const auto& row : sheet.rows)
      book.add_row(row);
  }
  return book.close();
}

Outcome<std::string> xlsx_bytes(const std::vector<Sheet>& sheets) {
  return xlsx_bytes(
      [&sheets](const std::filesystem::path& file) { return write_xlsx(file, sheets); });
}

Outcome<std::string> xlsx_bytes(
    const std::function<Outcome<Ok>(const std::filesystem::path&)>& write) {
  std::random_device random;
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("investflow-" + std::to_string(random()) + "-" + std::to_string(random()) + ".xlsx");
  auto written = write(file);
  std::string bytes;
  if (written) {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::error_code ignored;
  std::filesystem::remove(file, ignored);
  if (!written) return engine::fail(std::move(written.error()));
  return bytes;
}

std::string download_file_name(std::string_view title, std::string_view workflow, engine::Date day,
                               std::string_view extension) {
  std::string name(title);
  if (!workflow.empty()) name += "-" + std::string(workflow);
  name += "-" + day.to_string();
  for (char& c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F ||
        std::string_view("/\\:*?\"<>|").find(c) != std::string_view::npos) {
      c = '_';
    }
  }
  return name + "." + std::string(extension);
}

}  // namespace investflow::storage
