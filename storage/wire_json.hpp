#pragma once
// The JSON the server sends: HTTP responses, server-sent events, webhook bodies and the
// timestamps of exports. Stored data stays in the canonical form (codec.hpp), which the
// hash chains cover; this is only what goes out, and it has one shape per kind of value:
//
//   Timestamp  RFC 3339 in China Standard Time, "2026-03-02T09:00:00.000+08:00"
//   Date       "YYYY-MM-DD"
//   Value      null | true/false | number | "text" | "YYYY-MM-DD" | [Value...]: the plain
//              shapes clients send (a date field's value is "2026-03-02", not the
//              canonical codec's tagged {"date": "2026-03-02"})
//   Event      the canonical event with `at` a Timestamp and field values (fields,
//              changes' before/after) plain
//   Project    the canonical project with created_at, updated_at, state_entered_at and
//              votes' `at` Timestamps and field values plain

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/date.hpp"
#include "engine/event.hpp"
#include "engine/project.hpp"
#include "engine/value.hpp"
#include "engine/workflow.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

std::string wire_timestamp(engine::Timestamp at);
// null when absent.
boost::json::value wire_timestamp(const std::optional<engine::Timestamp>& at);

boost::json::value wire_value(const engine::Value& value);
boost::json::value wire_fields(const engine::FieldMap& fields);
boost::json::value event_to_wire(const engine::Event& event);
boost::json::value project_to_wire(const engine::Project& project);
// The project's wire JSON as text (sorted keys, as every response): what GET
// /api/projects/{id} sends and the writer caches. With its workflow, it also carries
// `computed`: the workflow's computed values that have one ({name: value}), evaluated on
// the day of the project's last change.
std::string encode_project_wire(const engine::Project& project,
                                const engine::Workflow* workflow = nullptr);
// The computed values of `project` that are not null, as wire values.
boost::json::object computed_to_wire(const engine::Workflow& workflow,
                                     const engine::Project& project);
// The same as a ProjectJson, with what a read-time light needs.
ProjectJson project_wire_json(const engine::Project& project,
                              const engine::Workflow* workflow = nullptr);

// An accepted write: {"project_id", "version", "events": [Event...]}.
boost::json::value write_result_to_wire(const WriteResult& result);

}  // namespace investflow::storage
