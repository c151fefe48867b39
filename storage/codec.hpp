#pragma once
// Canonical JSON for the engine's values, events and projects. One encoding serves the
// event log (and so the hash chain), the stored projections and idempotency records, so it
// is exact: decode(encode(x)) == x for every x the engine can produce. What the server
// sends (HTTP, server-sent events, webhooks) is the wire form of wire_json.hpp instead,
// which walks events and projects with the same encoders (Encoding below).
//
// The canonical text of a JSON value has object keys in byte order, no whitespace, numbers
// that are whole (and below 9e15) written as integers and others in the shortest form that
// reads back to the same double (std::to_chars), strings escaped as Boost.JSON does. Encoders emit
// every key of a struct, with null for an absent optional, so one value has exactly one text.
//
// Shapes:
//   Value      null | true/false | number | "text" | {"date":"YYYY-MM-DD"} | [Value...]
//              (a date is tagged so that a text field holding "2026-01-01" stays text)
//   Date       "YYYY-MM-DD" wherever the type is fixed (deadlines, milestone dates)
//   Timestamp  integer milliseconds since the Unix epoch, UTC
//   Event      {"actor","at","body":{...},"project_id","type","version"}; `type` is
//              engine::event_type and selects the shape of `body`
//   Project    every member of engine::Project; milestones keyed by milestone id

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "engine/command.hpp"
#include "engine/decide.hpp"
#include "engine/event.hpp"
#include "engine/project.hpp"
#include "engine/result.hpp"
#include "engine/value.hpp"

namespace investflow::storage {

// What went wrong while decoding, with a JSON-pointer-like path ("/body/changes/0/after").
struct DecodeError {
  std::string path;
  std::string message;
  std::string to_string() const { return path.empty() ? message : path + ": " + message; }
};

template <typename T>
using Decoded = engine::Result<T, DecodeError>;

// The canonical text of any JSON value (sorted keys, no whitespace).
std::string canonical_json(const boost::json::value& value);

boost::json::value value_to_json(const engine::Value& value);
Decoded<engine::Value> value_from_json(const boost::json::value& json);

// How an encoder writes the two things whose shape differs between the canonical form and
// the wire form (wire_json.hpp): a field value and an instant. Everything else is shared.
struct Encoding {
  boost::json::value (*value)(const engine::Value& value);
  boost::json::value (*timestamp)(engine::Timestamp at);
};
extern const Encoding kCanonical;  // value_to_json; integer milliseconds

boost::json::value fields_to_json(const engine::FieldMap& fields,
                                  const Encoding& encoding = kCanonical);
Decoded<engine::FieldMap> fields_from_json(const boost::json::value& json);

boost::json::value event_to_json(const engine::Event& event, const Encoding& encoding = kCanonical);
Decoded<engine::Event> event_from_json(const boost::json::value& json);

boost::json::value project_to_json(const engine::Project& project,
                                   const Encoding& encoding = kCanonical);
Decoded<engine::Project> project_from_json(const boost::json::value& json);

// Encode only: commands are built from HTTP bodies with the workflow's field types at hand.
// The store hashes this to tell a repeated idempotency key from a reused one.
boost::json::value command_to_json(const engine::Command& command);

boost::json::value rejection_to_json(const engine::Rejection& rejection);
Decoded<engine::Rejection> rejection_from_json(const boost::json::value& json);

// Text in, text out: the forms the event log and the projection table store.
std::string encode_event(const engine::Event& event);
Decoded<engine::Event> decode_event(std::string_view text);
std::string encode_project(const engine::Project& project);
Decoded<engine::Project> decode_project(std::string_view text);

// Parses JSON text; a syntax error becomes a DecodeError at the root.
Decoded<boost::json::value> parse_json(std::string_view text);

}  // namespace investflow::storage
