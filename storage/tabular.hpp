#pragma once
// The files staff really have, read into one table of typed cells (issue 18):
//
// - CSV as Excel and WPS save it: UTF-8 with or without a byte order mark, or GB18030/GBK
//   (Excel on Chinese Windows); the encoding is detected (a strict UTF-8 check, then
//   GB18030) or forced. CRLF or LF. Quoting as storage/csv.hpp reads it. Every cell is
//   text (or empty); the text is always UTF-8. A leading ' that our exports put before
//   = + - @ tab CR (storage/csv.hpp spreadsheet_text) is removed again.
// - XLSX (Office Open XML, as Excel, WPS, LibreOffice and Python writers produce it): the
//   first visible sheet or a named one; cells typed from the file: shared and inline
//   strings are text, numbers with a date format are dates (1900 or 1904 date system),
//   booleans are booleans, formula results as cached in the file. Read with minizip and
//   expat, within hard limits (TabularLimits) so that a hostile file gets an error, never
//   a crash or unbounded memory.
//
// Rows with no non-empty cell are left out (the row numbers of the others stay as in the
// file); a row ends at its last non-empty cell, so rows may be shorter than the header:
// the missing cells are empty. Cells are neither trimmed nor interpreted beyond their type
// here: storage/import_values.hpp reads the values as people write them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/date.hpp"
#include "engine/result.hpp"
#include "engine/workflow.hpp"

namespace investflow::storage {

struct TabularCell {
  enum class Kind { empty, text, number, date, boolean };
  Kind kind = Kind::empty;
  // text: the text (UTF-8). number, date, boolean: the text the file held for the value
  // (an XLSX cell's <v>, e.g. "46083" for a date), for messages.
  std::string text;
  double number = 0;    // number
  engine::Date date{};  // date
  bool boolean = false;
  // number: the XLSX cell is formatted as a percentage (0.25 shown as 25%).
  bool percent = false;
  // text: an XLSX formula error (#N/A, #REF!, #DIV/0! ...); `text` holds it.
  bool error = false;

  static TabularCell of_text(std::string text);
  static TabularCell of_number(double number, std::string text = {});
  static TabularCell of_date(engine::Date date, std::string text = {});
  static TabularCell of_boolean(bool value, std::string text = {});
  bool is_empty() const { return kind == Kind::empty; }
  friend bool operator==(const TabularCell&, const TabularCell&) = default;
};

struct TabularRow {
  // Where the row is in the file, for messages: the CSV line the record starts on
  // (1-based, the header being line 1), or the XLSX row number (as Excel shows it).
  int source_row = 0;
  std::vector<TabularCell> cells;  // cells[0] is column A (or the first CSV field)
};

struct Table {
  enum class Format { csv, xlsx };
  Format format = Format::csv;
  // csv: what the bytes were read as: "utf-8", "utf-8-bom", "gb18030" or "gbk".
  std::string encoding;
  // xlsx: the sheet read, and every sheet of the workbook in order (hidden ones too).
  std::string sheet;
  std::vector<std::string> sheets;
  // xlsx: the workbook counts dates from 1904 (old Mac Excel); a number cell read as a
  // date (an Excel serial) needs this (import_values.hpp excel_serial_date).
  bool date1904 = false;
  std::vector<TabularRow> rows;  // in file order; the header is rows.front()
};

// A problem with the file as a whole or at one place in it. The message names the place
// (the part of the file, the row, the column letter) in both languages.
struct TabularError {
  engine::LocalizedText message;
  std::string part;  // xlsx: the part of the package, e.g. "xl/worksheets/sheet1.xml"
  int row = 0;       // 0 when the problem has no row
  int column = 0;    // 1-based (1 = A); 0 when the problem has no column
};

// What a hostile or broken file may not exceed (defaults fit every real project list).
struct TabularLimits {
  std::uint64_t part_bytes = 64u << 20;    // one XLSX part, uncompressed
  std::uint64_t total_bytes = 192u << 20;  // every part read, uncompressed
  std::uint64_t file_bytes = 64u << 20;    // the file as uploaded
  std::uint64_t zip_entries = 10000;
  double compression_ratio = 200;   // uncompressed / compressed, per part above 1 MiB
  int rows = 100000;                // highest row number
  int columns = 1024;               // highest column (AMJ)
  std::uint64_t cells = 2000000;    // non-empty cells kept
  std::size_t cell_bytes = 131072;  // one cell's text (Excel allows 32,767 characters)
  int xml_depth = 64;
};

struct TabularOptions {
  std::string encoding;  // csv: "" to detect, or "utf-8", "gb18030", "gbk"
  std::string sheet;     // xlsx: "" for the first visible sheet, or its name
  TabularLimits limits;
};

// Reads `bytes` as CSV or XLSX. The content decides (an XLSX file is a zip archive); the
// file name is a hint for messages (an .xlsx name on bytes that are no zip, an old .xls).
engine::Result<Table, TabularError> read_table(std::string_view bytes, std::string_view file_name,
                                               const TabularOptions& options = {});
engine::Result<Table, TabularError> read_csv_table(std::string_view bytes,
                                                   const TabularOptions& options = {});
engine::Result<Table, TabularError> read_xlsx_table(std::string_view bytes,
                                                    const TabularOptions& options = {});

// The encodings `encoding` may force, for --help and messages: "utf-8, gb18030, gbk".
std::string_view tabular_encodings();

// The column letters of a 1-based column number: 1 → "A", 27 → "AA".
std::string column_letters(int column);

}  // namespace investflow::storage
