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

// Empty text is a null value (the field is left out). Errors say what was expected.
engine::Result<engine::Value, std::string> field_from_text(const engine::FieldDef& field,
                                                           std::string_view text);

}  // namespace investflow::storage
