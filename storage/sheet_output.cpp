#include "storage/sheet_output.hpp"

#include <xlsxwriter.h>

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

// How wide a text shows in a spreadsheet: CJK and other wide characters take two columns.
int display_width(std::string_view text) {
  int width = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    width += length >= 3 ? 2 : 1;
    i += length;
  }
  return width;
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

struct XlsxBook::State {
  lxw_workbook* workbook = nullptr;
  lxw_format* heading = nullptr;
  lxw_format* count = nullptr;
  lxw_format* general = nullptr;
  lxw_format* rate = nullptr;
  lxw_format* date = nullptr;
  lxw_format* timestamp = nullptr;
  std::vector<lxw_format*> fixed;  // by decimals, 0..6
  lxw_worksheet* sheet = nullptr;
  lxw_row_t rows = 0;  // data rows written to the current sheet
  std::vector<int> widths;

  lxw_format* format_of(const SheetCell& cell) {
    switch (cell.kind) {
      case CellKind::text:
        return nullptr;
      case CellKind::count:
        return count;
      case CellKind::number:
        return cell.fixed ? fixed[static_cast<std::size_t>(std::clamp(cell.decimals, 0, 6))]
                          : general;
      case CellKind::rate:
        return rate;
      case CellKind::date:
        return date;
      case CellKind::timestamp:
        return timestamp;
    }
    return nullptr;
  }

  // The autofilter over the header and the data, and the column widths.
  void finish_sheet() {
    if (sheet == nullptr || widths.empty()) return;
    const auto last_column = static_cast<lxw_col_t>(widths.size() - 1);
    worksheet_autofilter(sheet, 0, 0, rows, last_column);
    for (std::size_t col = 0; col < widths.size(); ++col) {
      const auto column = static_cast<lxw_col_t>(col);
      // Room for the header's filter button; never so wide a column hides the others.
      worksheet_set_column(sheet, column, column, std::clamp(widths[col] + 4, 10, 60), nullptr);
    }
    sheet = nullptr;
  }
};

XlsxBook::XlsxBook(const std::filesystem::path& file, bool streamed)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  lxw_workbook_options options{};
  options.constant_memory = streamed ? LXW_TRUE : LXW_FALSE;
  s.workbook = workbook_new_opt(file.c_str(), &options);
  if (s.workbook == nullptr) return;
  const auto numbered = [&](const char* format) {
    lxw_format* made = workbook_add_format(s.workbook);
    format_set_num_format(made, format);
    return made;
  };
  s.heading = workbook_add_format(s.workbook);
  format_set_bold(s.heading);
  format_set_bg_color(s.heading, 0xDDEBF7);
  s.count = numbered("0");
  s.general = numbered("General");
  s.rate = numbered("0.0%");
  s.date = numbered("yyyy-mm-dd");
  s.timestamp = numbered("yyyy-mm-dd hh:mm:ss");
  s.fixed.push_back(numbered("#,##0"));
  for (int decimals = 1; decimals <= 6; ++decimals)
    s.fixed.push_back(
        numbered(("#,##0." + std::string(static_cast<std::size_t>(decimals), '0')).c_str()));
}

XlsxBook::~XlsxBook() {
  if (state_->workbook != nullptr) workbook_close(state_->workbook);
}

bool XlsxBook::open() const {
  return state_->workbook != nullptr;
}

void XlsxBook::add_sheet(const std::string& name, const std::vector<std::string>& header,
                         int frozen_columns) {
  State& s = *state_;
  s.finish_sheet();
  s.sheet = workbook_add_worksheet(s.workbook, name.c_str());
  s.rows = 0;
  s.widths.assign(header.size(), 0);
  if (s.sheet == nullptr) return;
  for (std::size_t col = 0; col < header.size(); ++col) {
    worksheet_write_string(s.sheet, 0, static_cast<lxw_col_t>(col), header[col].c_str(), s.heading);
    s.widths[col] = display_width(header[col]);
  }
  worksheet_freeze_panes(s.sheet, 1, static_cast<lxw_col_t>(frozen_columns));
}

void XlsxBook::add_row(const std::vector<SheetCell>& cells) {
  State& s = *state_;
  if (s.sheet == nullptr) return;
  ++s.rows;
  if (s.widths.size() < cells.size()) s.widths.resize(cells.size(), 0);
  for (std::size_t col = 0; col < cells.size(); ++col) {
    const SheetCell& cell = cells[col];
    const auto column = static_cast<lxw_col_t>(col);
    if (cell.number) {
      worksheet_write_number(s.sheet, s.rows, column, *cell.number, s.format_of(cell));
    } else if (!cell.text.empty()) {
      worksheet_write_string(s.sheet, s.rows, column, cell.text.c_str(), nullptr);
    }
    s.widths[col] = std::max(s.widths[col], display_width(cell.text));
  }
}

Outcome<Ok> XlsxBook::close() {
  State& s = *state_;
  s.finish_sheet();
  const lxw_error error = workbook_close(s.workbook);
  s.workbook = nullptr;
  if (error != LXW_NO_ERROR) {
    return engine::fail(Error{Error::Kind::storage,
                              std::string("writing the XLSX file failed: ") + lxw_strerror(error)});
  }
  return Ok{};
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
