#pragma once
// CSV as spreadsheets write it (RFC 4180): comma-separated, fields with commas, quotes or
// line breaks in double quotes, quotes doubled, CRLF or LF line ends, an optional UTF-8
// byte order mark at the start.

#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace investflow::storage {

class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}
  // The next record, or nullopt at the end. `line()` is where it started (1-based).
  // A quote left open at the end of the input sets error().
  std::optional<std::vector<std::string>> next();
  int line() const { return record_line_; }
  const std::string& error() const { return error_; }

 private:
  std::istream& in_;
  int current_line_ = 1;
  int record_line_ = 0;
  bool started_ = false;
  std::string error_;
};

// Quotes a field when it needs it.
std::string csv_field(std::string_view text);

// A text cell as a spreadsheet will not run it (OWASP, CSV injection): one starting with
// = + - @, a tab or a CR gets a leading ', and NUL characters are dropped. Cells written
// as numbers need none of this (a negative number stays a number).
std::string spreadsheet_text(std::string_view text);
// The reverse, for cells read back (import): a ' that spreadsheet_text added is removed.
std::string from_spreadsheet_text(std::string text);
void write_csv_record(std::ostream& out, const std::vector<std::string>& fields);

}  // namespace investflow::storage
