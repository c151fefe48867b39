#pragma once
// Tables for people, as exports and reports hand them out: CSV that a spreadsheet opens
// without running anything, and XLSX with typed cells. One place decides how each kind of
// value is written (docs/reports.md, "Files"):
//
//   kind       CSV text                XLSX cell                     number format
//   text       the text, formula-safe  inline string                 (none)
//   count      12                      number                        0
//   number     the value               number, rounded to `decimals` #,##0.00 (fixed) or General
//   rate       0.6815                  number (the fraction)         0.0%
//   date       2026-02-10              date serial                   yyyy-mm-dd
//   timestamp  2026-02-10 10:00:00     date-time serial, China time  yyyy-mm-dd hh:mm:ss
//
// Every XLSX sheet has a bold header row that stays in view (frozen pane), an autofilter over
// the header and the data, and column widths from the longest text in each column.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/date.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

enum class CellKind { text, count, number, rate, date, timestamp };

struct SheetCell {
  std::string text;              // CSV and the CLI's text output
  std::optional<double> number;  // what an XLSX cell holds; nullopt: the text
  CellKind kind = CellKind::text;
  int decimals = 2;   // number: kept and shown
  bool fixed = true;  // number: always `decimals` places (money, area), else General
};

SheetCell text_cell(std::string text);
SheetCell count_cell(std::int64_t count);
// Rounded to `decimals` places (money in 万元 and areas: 2), so a sum reads 5717703.06.
SheetCell number_cell(double value, int decimals = 2, bool fixed = true);
SheetCell rate_cell(double fraction);  // 0.6815 shows as 68.2% in XLSX
SheetCell date_cell(engine::Date date);
SheetCell timestamp_cell(engine::Timestamp at);

// Excel's serial day numbers (1 = 1900-01-01; 25569 = 1970-01-01), the time of day as the
// fraction, in China Standard Time for instants.
double excel_serial(engine::Date date);
double excel_serial(engine::Timestamp at);

struct Sheet {
  std::string name;  // the XLSX sheet name (at most 31 characters)
  std::vector<std::string> header;
  std::vector<std::vector<SheetCell>> rows;
};

// One CSV record of cells: text made safe for spreadsheets (csv.hpp spreadsheet_text),
// numbers as they are.
void write_csv_cells(std::ostream& out, const std::vector<SheetCell>& cells);
void write_csv_header(std::ostream& out, const std::vector<std::string>& header);

// An XLSX workbook written sheet by sheet, row by row (xlsx_book.cpp): no row is kept once
// written; a sheet's rows wait deflated in memory until the sheet ends.
class XlsxBook {
 public:
  // `fast`: deflated at zlib's fastest level, for workbooks of many rows (the monthly
  // report): written in half the time, a third larger.
  explicit XlsxBook(const std::filesystem::path& file, bool fast = false);
  ~XlsxBook();
  XlsxBook(const XlsxBook&) = delete;
  XlsxBook& operator=(const XlsxBook&) = delete;
  bool open() const;
  // Starts a sheet; `frozen_columns` also stay in view (an id column).
  void add_sheet(const std::string& name, const std::vector<std::string>& header,
                 int frozen_columns = 0);
  void add_row(const std::vector<SheetCell>& cells);
  // Finishes the sheets (autofilter, widths) and writes the file.
  Outcome<Ok> close();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

Outcome<Ok> write_xlsx(const std::filesystem::path& file, const std::vector<Sheet>& sheets);
// The same workbook as bytes (through a private temporary file, removed before this
// returns), for an HTTP answer.
Outcome<std::string> xlsx_bytes(const std::vector<Sheet>& sheets);
// The bytes of whatever `write` writes to the file it is given.
Outcome<std::string> xlsx_bytes(
    const std::function<Outcome<Ok>(const std::filesystem::path&)>& write);

// File names for downloads and the CLI: "<title>-<workflow>-<YYYY-MM-DD>.<ext>", e.g.
// 招商项目台账-qingyuan-investment-2026-12-02.xlsx; without the workflow when empty.
// Characters a file system or a header refuses (/ \ : * ? " < > | and controls) become "_".
std::string download_file_name(std::string_view title, std::string_view workflow, engine::Date day,
                               std::string_view extension);

}  // namespace investflow::storage
