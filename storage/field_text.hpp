#pragma once
// Field values as people write them in spreadsheets, both ways: what export writes, import
// reads back. Enum options and list items by their Chinese label (or id), booleans as 是/否,
// dates as YYYY-MM-DD, numbers in the field's unit (money in 万元).

#include <string>
#include <string_view>

#include "engine/date.hpp"
#include "engine/result.hpp"
#include "engine/value.hpp"
#include "engine/workflow.hpp"
#include "storage/tabular.hpp"

namespace investflow::storage {

// The column header of a field: its Chinese label and unit, e.g. "计划总投资（万元）".
std::string column_header(const engine::FieldDef& field);

// The field a header names: the field's name, its label, or its label with the unit.
const engine::FieldDef* field_for_header(const engine::Workflow& workflow, std::string_view header);

std::string field_to_text(const engine::FieldDef& field, const engine::Value& value);

// An instant as people read it, in China Standard Time: "2026-02-10 10:00:00". Every table
// for people (exports, report sheets, chat messages) writes instants so; dates are
// YYYY-MM-DD. (The API keeps RFC 3339, storage/wire_json.hpp.)
std::string timestamp_text(engine::Timestamp at);

// A field's value from a cell, and how it was converted when it was (for the import
// preview, e.g. "1.2亿 → 12000 万元"; empty when the text was the value).
struct FieldInput {
  engine::Value value;
  engine::LocalizedText how;
};

// From text as people write it (storage/import_values.hpp: dates like 2026年3月2日, amounts
// like 1.2亿 converted into the field's unit, NBSP and zero-width characters trimmed).
// Empty text is a null value (the field is left out). Errors say what was expected, in
// Chinese and English, naming the text but not the field (the caller names the column).
engine::Result<FieldInput, engine::LocalizedText> read_field_text(const engine::FieldDef& field,
                                                                  std::string_view text);

// From a typed cell (storage/tabular.hpp): a date or number cell of an XLSX file goes
// straight to the value (a number for a date field is an Excel serial in the workbook's
// date system, `date1904`); a text cell is read as read_field_text reads it. A formula
// error (#N/A) is refused.
engine::Result<FieldInput, engine::LocalizedText> read_field_cell(const engine::FieldDef& field,
                                                                  const TabularCell& cell,
                                                                  bool date1904 = false);

// read_field_text without the note, its error in English (older callers).
engine::Result<engine::Value, std::string> field_from_text(const engine::FieldDef& field,
                                                           std::string_view text);

}  // namespace investflow::storage
