#pragma once
// The cursor of a project list's page (ProjectQuery::cursor, ProjectPage::next_cursor):
// the sort, its direction and the last row's sort value and id, as base64url of canonical
// JSON. Both stores hand out and take the same cursors, and refuse the same queries.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "storage/store.hpp"

namespace investflow::storage {

struct ListCursor {
  // As the sort column holds it: ms (updated, created), 万元 (investment), text (name,
  // due, alert).
  using Value = std::variant<std::int64_t, double, std::string>;
  Value value;
  std::string id;
};

// The column a sort orders by (updated_at, created_at, name, total_investment,
// next_due_on, next_alert_on); then by id.
std::string_view sort_column(SortKey key);

std::string encode_list_cursor(const ProjectQuery& query, const ListCursor::Value& value,
                               const std::string& id);
// query.cursor, read for query's sort; an invalid_request error for a cursor that is not
// one a list handed out, or one of another sort order.
Outcome<ListCursor> decode_list_cursor(const ProjectQuery& query);

// What both stores refuse in a list query before reading anything (invalid_request): a
// limit outside 1..500, a holder_field that is not a field name.
Outcome<Ok> check_list_query(const ProjectQuery& query);

}  // namespace investflow::storage
