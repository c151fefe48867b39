#pragma once
// Dates and amounts as people write them in spreadsheets and forms (issue 18), read
// strictly: what could be read two ways, or only in part, is refused with a message that
// says why, never guessed (26/3/2 is not year 0026; 2026-3-2abc is not 2026-03-02).
//
// - Blanks and invisible characters around text (engine::trim): ASCII whitespace, NBSP
//   (U+00A0), the ideographic space (U+3000), zero-width characters (U+200B-U+200D,
//   U+2060) and the byte order mark (U+FEFF); inside, the zero-width space, the word joiner
//   and BOMs are removed too (ZWNJ and ZWJ stay: they join emoji and scripts).
// - Full-width digits and punctuation (１２００．５, １，２００, －, ％, ／) read as ASCII.
// - Dates: 2026-03-02, 2026-3-2, 2026/3/2, 2026.3.2, 2026年3月2日 (or 号), 20260302, with an
//   optional time after a blank or a T (2026/3/2 0:00, as Excel's CSV writes a date-time;
//   2026-03-02T09:30:00), and
//   Excel serial numbers (46083 is 2026-03-02; the 1900 system with Lotus's 29 Feb 1900,
//   or the 1904 system).
// - Amounts: digit grouping by , or ， (groups of three), a currency sign ￥ ¥ (decoration:
//   the number is in the field's unit unless a unit follows it), a magnitude 万 or 亿
//   and a unit suffix (元, 万元, 亿元 for money), converted into the field's unit
//   (FieldDef::unit; money is in 万元); a percentage (68.15%) where the field's unit is %.
//   A plain number is already in the field's unit.

#include <optional>
#include <string>
#include <string_view>

#include "engine/date.hpp"
#include "engine/result.hpp"
#include "engine/workflow.hpp"

namespace investflow::storage {

// `text` without blanks and invisible characters around it, and without zero-width
// spaces, word joiners and BOMs inside.
std::string clean_cell_text(std::string_view text);

// Full-width digits, letters and ASCII punctuation (U+FF01-U+FF5E) and the ideographic
// space as their ASCII forms; the rest unchanged.
std::string ascii_width(std::string_view text);

// A value read from what a person wrote, and how it was converted when it was (for the
// import preview: "1.2亿 → 12000 万元"); `how` is empty when the text was the value.
template <typename T>
struct ReadValue {
  T value;
  engine::LocalizedText how;
};

// A date as people write it (see above). Errors say what was wrong, in both languages.
engine::Result<ReadValue<engine::Date>, engine::LocalizedText> read_date_text(
    std::string_view text, bool date1904 = false);

// The date of an Excel serial number (the whole days; a time of day is dropped); nullopt
// outside 1900-01-01 ... 9999-12-31, for 0, and for the 1900 system's 60 (29 Feb 1900,
// a day that never was).
std::optional<engine::Date> excel_serial_date(double serial, bool date1904 = false);

// A number in `unit` (a field's unit: "万元", "亩", "%", "" for none) from what a person
// wrote: 1.2亿, 1200万, ￥1,200.50, 1，200, １２００．５, 1200万元, 68.15%.
engine::Result<ReadValue<double>, engine::LocalizedText> read_amount_text(std::string_view text,
                                                                          std::string_view unit);

// A number as the spreadsheet stored it (an XLSX number cell) in `unit`: the same number,
// except that a cell formatted as a percentage (0.6815 shown as 68.15%) reads as 68.15 in
// a field whose unit is %.
ReadValue<double> read_amount_number(double number, bool percent, std::string_view unit);

// Numbers as the preview shows them: up to 6 decimals, no trailing zeros ("12000", "0.12").
std::string amount_text(double number);

}  // namespace investflow::storage
