#pragma once
// Text as people type it — in a form, a spreadsheet cell, a CSV file — read into typed
// values. Every place that takes such text (field coercion in the engine, CSV import in
// storage) reads it here, so "a，b", " 电子信息　" and "是" mean the same everywhere:
//
// - Blanks around text: ASCII whitespace, the no-break space U+00A0 (what spreadsheets
//   paste), the ideographic space U+3000 (what Chinese input methods type), and the
//   invisible ones pasted from web pages and files: zero-width U+200B-U+200D, U+2060 and
//   the byte order mark U+FEFF.
// - List separators: , ， 、 ; ； and line breaks. Empty items are dropped.
// - Yes and no: 是/否, true/false, yes/no, y/n (any case), 1/0.
// - Options: an enum option by its id or by its Chinese or English label.
// - Numbers with digit grouping (12,500.5); dates as YYYY-MM-DD, YYYY/M/D or YYYY.M.D.
//
// (HTTP headers have their own, narrower whitespace; web/ trims those.)

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/date.hpp"
#include "engine/workflow.hpp"

namespace investflow::engine {

// `text` without the blanks around it.
std::string_view trim(std::string_view text);

// The items of a list written in one cell, each trimmed, empty ones left out.
std::vector<std::string_view> split_list(std::string_view text);

std::optional<bool> parse_yes_no(std::string_view text);

// The option of `field` that `text` names (its id, or its zh or en label); nullopt if none.
std::optional<std::string> option_named(const FieldDef& field, std::string_view text);

// A decimal number, digit-grouping commas and spaces allowed ("12,500.5"); finite only.
std::optional<double> parse_typed_number(std::string_view text);

// A date as people write it: 2026-03-02, 2026-3-2, 2026/3/2, 2026.3.2.
std::optional<Date> parse_typed_date(std::string_view text);

}  // namespace investflow::engine
