#include "storage/codec.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

namespace investflow::storage {
namespace json = boost::json;
using engine::Date;

namespace {

// ---------------------------------------------------------------------------------------
// Canonical text

void write_number(double number, std::string& out) {
  // Whole numbers print as integers so 330 is "330" however it was built or parsed; others
  // in the shortest form that reads back to the same double ("26028.35", "1e+300").
  if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 9.0e15) {
    out += std::to_string(static_cast<std::int64_t>(number));
    return;
  }
  if (!std::isfinite(number)) {
    out += "null";  // JSON has no NaN or infinity; the engine never makes them
    return;
  }
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, number);
  out.append(buffer, error == std::errc() ? end : buffer);
}

void write_canonical(const json::value& value, std::string& out);

// A JSON string exactly as json::serialize writes it (its escapes: \" \\ \b \t \n \f \r,
// \u00xx in lower-case hex for the other control characters, every other byte as it is),
// appended in place instead of through a temporary string per key and value.
void write_string(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t plain = 0;  // start of the run of bytes that need no escape
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte != '"' && byte != '\\') continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    char letter = 0;  // the two-character escapes; \u00xx for the rest
    if (byte == '"' || byte == '\\') {
      letter = static_cast<char>(byte);
    } else if (byte >= '\b' && byte <= '\r') {
      letter = "btn\0fr"[byte - '\b'];  // \v (11) has none
    }
    if (letter != 0) {
      const char escaped[2] = {'\\', letter};
      out.append(escaped, 2);
    } else {
      const char escaped[6] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 15]};
      out.append(escaped, 6);
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out.push_back('"');
}

void write_member(const json::key_value_pair& member, std::string& out) {
  write_string(member.key(), out);
  out.push_back(':');
  write_canonical(member.value(), out);
}

void write_canonical(const json::value& value, std::string& out) {
  switch (value.kind()) {
    case json::kind::object: {
      const json::object& object = value.get_object();
      const auto by_key = [](const json::key_value_pair& a, const json::key_value_pair& b) {
        return a.key() < b.key();
      };
      out.push_back('{');
      // Our encoders already emit keys in order; sort only what came from elsewhere.
      if (std::is_sorted(object.begin(), object.end(), by_key)) {
        for (auto member = object.begin(); member != object.end(); ++member) {
          if (member != object.begin()) out.push_back(',');
          write_member(*member, out);
        }
      } else {
        std::vector<const json::key_value_pair*> members;
        members.reserve(object.size());
        for (const auto& member : object)
          members.push_back(&member);
        std::sort(members.begin(), members.end(),
                  [&](const auto* a, const auto* b) { return by_key(*a, *b); });
        for (const auto* member : members) {
          if (member != members.front()) out.push_back(',');
          write_member(*member, out);
        }
      }
      out.push_back('}');
      return;
    }
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        write_canonical(item, out);
      }
      out.push_back(']');
      return;
    }
    case json::kind::double_:
      write_number(value.get_double(), out);
      return;
    case json::kind::int64:
      out += std::to_string(value.get_int64());
      return;
    case json::kind::uint64:
      out += std::to_string(value.get_uint64());
      return;
    case json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      return;
    case json::kind::null:
      out += "null";
      return;
    case json::kind::string:
      write_string(value.get_string(), out);
      return;
  }
}

// ---------------------------------------------------------------------------------------
// Parsing. Boost.JSON 1.81 parses doubles fast but not always to the nearest double, which
// would break decode(encode(x)) == x; this handler re-reads each number's text with
// std::from_chars, which is exact. Otherwise it builds values as boost::json::parser does.

class PreciseHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack stack;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(std::size_t n, json::error_code&) {
    stack.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    stack.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    stack.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    stack.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    number_.clear();
    stack.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    number_.clear();
    stack.push_uint64(u);
    return true;
  }
  bool on_double(double approximate, json::string_view s, json::error_code&) {
    number_.append(s.data(), s.size());
    double exact = approximate;
    const auto [end, error] =
        std::from_chars(number_.data(), number_.data() + number_.size(), exact);
    if (error != std::errc() || end != number_.data() + number_.size()) exact = approximate;
    number_.clear();
    stack.push_double(exact);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    stack.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    stack.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  std::string number_;
};

// ---------------------------------------------------------------------------------------
// Encoding helpers

json::value date_json(Date date) {
  return json::string(date.to_string());
}

json::value optional_date_json(const std::optional<Date>& date) {
  if (!date) return nullptr;
  return date_json(*date);
}

json::value number_json(double number) {
  if (!std::isfinite(number)) return nullptr;  // JSON has no NaN/Inf; the engine makes none
  if (std::trunc(number) == number && std::fabs(number) < 9.0e15) {
    return static_cast<std::int64_t>(number);
  }
  return number;
}

json::array strings_json(const std::vector<std::string>& strings) {
  json::array array;
  array.reserve(strings.size());
  for (const auto& text : strings)
    array.emplace_back(text);
  return array;
}

json::value localized_json(const engine::LocalizedText& text) {
  return json::object{{"en", text.en}, {"zh", text.zh}};
}

json::array changes_json(const std::vector<engine::FieldChange>& changes,
                         const Encoding& encoding) {
  json::array array;
  array.reserve(changes.size());
  for (const auto& change : changes) {
    array.push_back(json::object{{"after", encoding.value(change.after)},
                                 {"before", encoding.value(change.before)},
                                 {"field", change.field}});
  }
  return array;
}

// A flag written only when set, so that texts from before it existed stay exactly as they
// were (and their hashes with them); write_canonical puts the key in order.
json::object with_flag(json::object object, std::string_view key, bool set) {
  if (set) object.emplace(key, true);
  return object;
}

json::array milestones_started_json(const std::vector<engine::MilestoneStarted>& started) {
  json::array array;
  array.reserve(started.size());
  for (const auto& milestone : started) {
    array.push_back(with_flag(json::object{{"due_on", date_json(milestone.due_on)},
                                           {"milestone", milestone.milestone},
                                           {"started_on", date_json(milestone.started_on)}},
                              "estimated", milestone.estimated));
  }
  return array;
}

// The estimated flags of a deadline-setting event (engine/event.hpp).
template <typename Body>
json::object with_estimates(json::object object, const Body& body) {
  return with_flag(with_flag(std::move(object), "sla_due_estimated", body.sla_due_estimated),
                   "followup_due_estimated", body.followup_due_estimated);
}

struct BodyEncoder {
  const Encoding& encoding;

  json::object operator()(const engine::ProjectCreated& created) const {
    json::object out =
        with_estimates({{"fields", fields_to_json(created.fields, encoding)},
                        {"followup_due_on", optional_date_json(created.followup_due_on)},
                        {"milestones_started", milestones_started_json(created.milestones_started)},
                        {"owner", created.owner},
                        {"sla_due_on", optional_date_json(created.sla_due_on)},
                        {"state", created.state},
                        {"workflow", created.workflow},
                        {"workflow_version", created.workflow_version}},
                       created);
    // Only for a child: other projects' events keep their exact earlier text (and hash).
    if (!created.parent.empty()) out.emplace("parent", created.parent);
    return out;
  }
  json::object operator()(const engine::FieldsEdited& edited) const {
    json::object out{{"changes", changes_json(edited.changes, encoding)}};
    // Only when a date field started a clock (v1.1): earlier events keep their exact text.
    if (!edited.milestones_started.empty()) {
      out.emplace("milestones_started", milestones_started_json(edited.milestones_started));
    }
    return out;
  }
  json::object operator()(const engine::TransitionTaken& taken) const {
    return with_estimates(
        {{"changes", changes_json(taken.changes, encoding)},
         {"comment", taken.comment},
         {"followup_due_on", optional_date_json(taken.followup_due_on)},
         {"from", taken.from},
         {"milestones_started", milestones_started_json(taken.milestones_started)},
         {"sla_due_on", optional_date_json(taken.sla_due_on)},
         {"to", taken.to},
         {"transition", taken.transition}},
        taken);
  }
  json::object operator()(const engine::VoteCast& vote) const {
    // quorum_reached only when set: earlier votes keep their exact text (and hash).
    return with_flag(json::object{{"changed", vote.changed},
                                  {"choice", engine::vote_choice_name(vote.choice)},
                                  {"comment", vote.comment},
                                  {"voter", vote.voter}},
                     "quorum_reached", vote.quorum_reached);
  }
  json::object operator()(const engine::Commented& comment) const {
    return {{"mentions", strings_json(comment.mentions)}, {"text", comment.text}};
  }
  json::object operator()(const engine::MilestoneRecorded& recorded) const {
    json::object out{{"changes", changes_json(recorded.changes, encoding)},
                     {"done_on", optional_date_json(recorded.done_on)},
                     {"evidence", recorded.evidence},
                     {"milestone", recorded.milestone},
                     {"planned_on", optional_date_json(recorded.planned_on)}};
    // As for FieldsEdited: only when a date field started a clock (v1.1).
    if (!recorded.milestones_started.empty()) {
      out.emplace("milestones_started", milestones_started_json(recorded.milestones_started));
    }
    return out;
  }
  json::object operator()(const engine::FollowupRecorded& followup) const {
    return with_flag({{"issues", strings_json(followup.issues)},
                      {"next_due_on", optional_date_json(followup.next_due_on)},
                      {"on", date_json(followup.on)},
                      {"summary", followup.summary}},
                     "next_due_estimated", followup.next_due_estimated);
  }
  json::object operator()(const engine::DeadlineFired& fired) const {
    return {{"alert", engine::deadline_alert_name(fired.alert)},
            {"due_on", date_json(fired.due_on)},
            {"kind", engine::deadline_kind_name(fired.kind)},
            {"name", fired.name}};
  }
  json::object operator()(const engine::DeadlineExtended& extended) const {
    return {{"kind", engine::deadline_kind_name(extended.kind)},
            {"name", extended.name},
            {"new_due_on", date_json(extended.new_due_on)},
            {"previous_due_on", date_json(extended.previous_due_on)},
            {"reason", extended.reason}};
  }
  json::object operator()(const engine::FundsRecorded& recorded) const {
    return {{"amount", number_json(recorded.amount)},
            {"changes", changes_json(recorded.changes, encoding)},
            {"comment", recorded.comment},
            {"evidence", recorded.evidence},
            {"month", recorded.month},
            {"source", engine::funds_source_name(recorded.source)}};
  }
  json::object operator()(const engine::Supervised& supervised) const {
    return {{"by", supervised.by},
            {"level", supervised.level},
            {"new_due_on", date_json(supervised.new_due_on)},
            {"previous_due_on", optional_date_json(supervised.previous_due_on)},
            {"reason", supervised.reason}};
  }
  json::object operator()(const engine::Reassigned& reassigned) const {
    return {{"from", reassigned.from},
            {"holder", reassigned.holder},
            {"reason", reassigned.reason},
            {"to", reassigned.to}};
  }
  json::object operator()(const engine::FileAttached& attached) const {
    json::object out{{"attachment_id", attached.attachment_id},
                     {"filename", attached.filename},
                     {"media_type", attached.media_type},
                     {"size", attached.size}};
    if (!attached.milestone.empty()) out.emplace("milestone", attached.milestone);
    return out;
  }
  json::object operator()(const engine::WorkflowMigrated& migrated) const {
    json::object map;
    for (const auto& [from, to] : migrated.state_map)
      map.emplace(from, to);
    json::array notes;
    for (const engine::MigrationNote& note : migrated.notes) {
      notes.push_back(json::object{
          {"action", note.action}, {"en", note.en}, {"item", note.item}, {"zh", note.zh}});
    }
    return with_estimates(
        with_flag(
            with_flag(with_flag({{"changes", changes_json(migrated.changes, encoding)},
                                 {"followup_due_on", optional_date_json(migrated.followup_due_on)},
                                 {"from_state", migrated.from_state},
                                 {"from_version", migrated.from_version},
                                 {"map", std::move(map)},
                                 {"milestones_dropped", strings_json(migrated.milestones_dropped)},
                                 {"milestones_started",
                                  milestones_started_json(migrated.milestones_started)},
                                 {"notes", std::move(notes)},
                                 {"sla_due_on", optional_date_json(migrated.sla_due_on)},
                                 {"to_state", migrated.to_state},
                                 {"to_version", migrated.to_version},
                                 {"workflow", migrated.workflow}},
                                "review_cleared", migrated.review_cleared),
                      "sla_recomputed", migrated.sla_recomputed),
            "followup_recomputed", migrated.followup_recomputed),
        migrated);
  }
};

// ---------------------------------------------------------------------------------------
// Decoding: a cursor that remembers the first problem and its path, so decoders read like
// the encoders above and never throw.

class Decoder {
 public:
  bool ok() const { return !error_; }
  DecodeError error() const { return error_.value_or(DecodeError{}); }

  void fail(const std::string& path, std::string message) {
    if (!error_) error_ = DecodeError{path, std::move(message)};
  }

  const json::object* object(const json::value& value, const std::string& path) {
    if (const json::object* object = value.if_object()) return object;
    fail(path, "expected an object");
    return nullptr;
  }
  const json::array* array(const json::value& value, const std::string& path) {
    if (const json::array* array = value.if_array()) return array;
    fail(path, "expected an array");
    return nullptr;
  }

  const json::value* member(const json::object* object, std::string_view key,
                            const std::string& path) {
    if (object == nullptr) return nullptr;
    const json::value* value = object->if_contains(key);
    if (value == nullptr) fail(path + "/" + std::string(key), "missing");
    return value;
  }

  std::string text(const json::object* object, std::string_view key, const std::string& path) {
    const json::value* value = member(object, key, path);
    if (value == nullptr) return {};
    if (const json::string* text = value->if_string()) return std::string(*text);
    fail(path + "/" + std::string(key), "expected a string");
    return {};
  }

  // A text that older records leave out (empty then).
  std::string optional_text(const json::object* object, std::string_view key,
                            const std::string& path) {
    if (object == nullptr || !object->contains(key)) return {};
    return text(object, key, path);
  }

  std::int64_t integer(const json::object* object, std::string_view key, const std::string& path) {
    const json::value* value = member(object, key, path);
    if (value == nullptr) return 0;
    if (const std::int64_t* number = value->if_int64()) return *number;
    if (const std::uint64_t* number = value->if_uint64();
        number != nullptr && *number <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(*number);
    }
    if (const double* number = value->if_double();
        number != nullptr && std::trunc(*number) == *number && std::fabs(*number) < 9.0e15) {
      return static_cast<std::int64_t>(*number);
    }
    fail(path + "/" + std::string(key), "expected an integer");
    return 0;
  }

  double number(const json::object* object, std::string_view key, const std::string& path) {
    const json::value* value = member(object, key, path);
    if (value == nullptr) return 0;
    if (const std::int64_t* number = value->if_int64()) return static_cast<double>(*number);
    if (const std::uint64_t* number = value->if_uint64()) return static_cast<double>(*number);
    if (const double* number = value->if_double(); number != nullptr && std::isfinite(*number)) {
      return *number;
    }
    fail(path + "/" + std::string(key), "expected a number");
    return 0;
  }

  engine::FundsSource funds_source(const json::object* object, const std::string& path) {
    const std::string name = text(object, "source", path);
    if (auto source = engine::parse_funds_source(name)) return *source;
    if (ok()) fail(path + "/source", "unknown funds source '" + name + "'");
    return engine::FundsSource::local;
  }

  bool boolean(const json::object* object, std::string_view key, const std::string& path) {
    const json::value* value = member(object, key, path);
    if (value == nullptr) return false;
    if (const bool* flag = value->if_bool()) return *flag;
    fail(path + "/" + std::string(key), "expected true or false");
    return false;
  }

  // A flag that is written only when set (with_flag): absent is false.
  bool flag(const json::object* object, std::string_view key, const std::string& path) {
    if (object == nullptr || !object->contains(key)) return false;
    return boolean(object, key, path);
  }

  Date date_value(const json::value& value, const std::string& path) {
    if (const json::string* text = value.if_string()) {
      if (auto date = Date::parse(std::string_view(text->data(), text->size()))) return *date;
    }
    fail(path, "expected a date YYYY-MM-DD");
    return Date{};
  }

  Date date(const json::object* object, std::string_view key, const std::string& path) {
    const json::value* value = member(object, key, path);
    if (value == nullptr) return Date{};
    return date_value(*value, path + "/" + std::string(key));
  }

  std::optional<Date> optional_date(const json::object* object, std::string_view key,
                                    const std::string& path) {
    const json::value* value = member(object, key, path);
    if (value == nullptr || value->is_null()) return std::nullopt;
    return date_value(*value, path + "/" + std::string(key));
  }

  std::vector<std::string> strings(const json::object* object, std::string_view key,
                                   const std::string& path) {
    std::vector<std::string> result;
    const json::value* value = member(object, key, path);
    if (value == nullptr) return result;
    const std::string here = path + "/" + std::string(key);
    const json::array* items = array(*value, here);
    if (items == nullptr) return result;
    result.reserve(items->size());
    for (std::size_t i = 0; i < items->size(); ++i) {
      if (const json::string* text = (*items)[i].if_string()) {
        result.emplace_back(*text);
      } else {
        fail(here + "/" + std::to_string(i), "expected a string");
      }
    }
    return result;
  }

  engine::Value value(const json::value& json, const std::string& path) {
    switch (json.kind()) {
      case json::kind::null:
        return engine::Value();
      case json::kind::bool_:
        return engine::Value::boolean(json.get_bool());
      case json::kind::int64:
        return engine::Value::number(static_cast<double>(json.get_int64()));
      case json::kind::uint64:
        return engine::Value::number(static_cast<double>(json.get_uint64()));
      case json::kind::double_:
        return engine::Value::number(json.get_double());
      case json::kind::string:
        return engine::Value::text(std::string(json.get_string()));
      case json::kind::array: {
        engine::Value::List items;
        items.reserve(json.get_array().size());
        std::size_t index = 0;
        for (const auto& item : json.get_array()) {
          items.push_back(value(item, path + "/" + std::to_string(index++)));
        }
        return engine::Value::list(std::move(items));
      }
      case json::kind::object: {
        const json::object& object = json.get_object();
        const json::value* date = object.if_contains("date");
        if (object.size() == 1 && date != nullptr) {
          return engine::Value::date(date_value(*date, path + "/date"));
        }
        fail(path, "expected a value (an object must be {\"date\": \"YYYY-MM-DD\"})");
        return engine::Value();
      }
    }
    return engine::Value();
  }

  engine::FieldMap fields(const json::value& json, const std::string& path) {
    const json::object* object = this->object(json, path);
    if (object == nullptr) return engine::FieldMap{};
    engine::FieldMap::Entries result;
    result.reserve(object->size());
    for (const auto& member : *object) {
      std::string name(member.key());
      engine::Value decoded = value(member.value(), path + "/" + name);
      result.emplace_back(std::move(name), std::move(decoded));
    }
    return engine::FieldMap::from_entries(std::move(result));
  }

  engine::FieldMap fields(const json::object* object, std::string_view key,
                          const std::string& path) {
    const json::value* json = member(object, key, path);
    if (json == nullptr) return {};
    return fields(*json, path + "/" + std::string(key));
  }

  std::vector<engine::FieldChange> changes(const json::object* object, const std::string& path) {
    std::vector<engine::FieldChange> result;
    const json::value* json = member(object, "changes", path);
    if (json == nullptr) return result;
    const std::string here = path + "/changes";
    const json::array* items = array(*json, here);
    if (items == nullptr) return result;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const std::string item_path = here + "/" + std::to_string(i);
      const json::object* item = this->object((*items)[i], item_path);
      engine::FieldChange change;
      change.field = text(item, "field", item_path);
      if (const json::value* before = member(item, "before", item_path)) {
        change.before = value(*before, item_path + "/before");
      }
      if (const json::value* after = member(item, "after", item_path)) {
        change.after = value(*after, item_path + "/after");
      }
      result.push_back(std::move(change));
    }
    return result;
  }

  // v1.1: the clocks a date field started, on the events that carry them only when any.
  std::vector<engine::MilestoneStarted> optional_milestones_started(const json::object* object,
                                                                    const std::string& path) {
    if (object == nullptr || !object->contains("milestones_started")) return {};
    return milestones_started(object, path);
  }

  std::vector<engine::MilestoneStarted> milestones_started(const json::object* object,
                                                           const std::string& path) {
    std::vector<engine::MilestoneStarted> result;
    const json::value* json = member(object, "milestones_started", path);
    if (json == nullptr) return result;
    const std::string here = path + "/milestones_started";
    const json::array* items = array(*json, here);
    if (items == nullptr) return result;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const std::string item_path = here + "/" + std::to_string(i);
      const json::object* item = this->object((*items)[i], item_path);
      engine::MilestoneStarted started;
      started.milestone = text(item, "milestone", item_path);
      started.started_on = date(item, "started_on", item_path);
      started.due_on = date(item, "due_on", item_path);
      started.estimated = flag(item, "estimated", item_path);
      result.push_back(std::move(started));
    }
    return result;
  }

  engine::VoteChoice vote_choice(const json::object* object, const std::string& path) {
    const std::string name = text(object, "choice", path);
    if (auto choice = engine::parse_vote_choice(name)) return *choice;
    if (ok()) fail(path + "/choice", "unknown vote choice '" + name + "'");
    return engine::VoteChoice::approve;
  }

  engine::DeadlineKind deadline_kind(const json::object* object, const std::string& path) {
    const std::string name = text(object, "kind", path);
    if (auto kind = engine::parse_deadline_kind(name)) return *kind;
    if (ok()) fail(path + "/kind", "unknown deadline kind '" + name + "'");
    return engine::DeadlineKind::sla;
  }

  engine::DeadlineAlert deadline_alert(const json::object* object, const std::string& path) {
    const std::string name = text(object, "alert", path);
    if (auto alert = engine::parse_deadline_alert(name)) return *alert;
    if (ok()) fail(path + "/alert", "unknown deadline alert '" + name + "'");
    return engine::DeadlineAlert::overdue;
  }

  engine::LocalizedText localized(const json::object* object, std::string_view key,
                                  const std::string& path) {
    engine::LocalizedText result;
    const json::value* json = member(object, key, path);
    if (json == nullptr) return result;
    const std::string here = path + "/" + std::string(key);
    const json::object* text_object = this->object(*json, here);
    result.zh = text(text_object, "zh", here);
    result.en = text(text_object, "en", here);
    return result;
  }

 private:
  std::optional<DecodeError> error_;
};

template <typename T>
Decoded<T> finish(Decoder& decoder, T value) {
  if (!decoder.ok()) return engine::fail(decoder.error());
  return value;
}

using EventBody = decltype(engine::Event::body);

EventBody decode_body(Decoder& in, std::string_view type, const json::object* body,
                      const std::string& path) {
  if (type == "project_created") {
    engine::ProjectCreated created;
    created.workflow = in.text(body, "workflow", path);
    created.workflow_version = in.integer(body, "workflow_version", path);
    created.state = in.text(body, "state", path);
    created.owner = in.text(body, "owner", path);
    created.fields = in.fields(body, "fields", path);
    created.sla_due_on = in.optional_date(body, "sla_due_on", path);
    created.milestones_started = in.milestones_started(body, path);
    created.followup_due_on = in.optional_date(body, "followup_due_on", path);
    created.sla_due_estimated = in.flag(body, "sla_due_estimated", path);
    created.followup_due_estimated = in.flag(body, "followup_due_estimated", path);
    created.parent = in.optional_text(body, "parent", path);
    return created;
  }
  if (type == "fields_edited") {
    return engine::FieldsEdited{in.changes(body, path), in.optional_milestones_started(body, path)};
  }
  if (type == "transition_taken") {
    engine::TransitionTaken taken;
    taken.transition = in.text(body, "transition", path);
    taken.from = in.text(body, "from", path);
    taken.to = in.text(body, "to", path);
    taken.comment = in.text(body, "comment", path);
    taken.changes = in.changes(body, path);
    taken.sla_due_on = in.optional_date(body, "sla_due_on", path);
    taken.milestones_started = in.milestones_started(body, path);
    taken.followup_due_on = in.optional_date(body, "followup_due_on", path);
    taken.sla_due_estimated = in.flag(body, "sla_due_estimated", path);
    taken.followup_due_estimated = in.flag(body, "followup_due_estimated", path);
    return taken;
  }
  if (type == "vote_cast") {
    engine::VoteCast vote;
    vote.voter = in.text(body, "voter", path);
    vote.choice = in.vote_choice(body, path);
    vote.comment = in.text(body, "comment", path);
    vote.changed = in.boolean(body, "changed", path);
    vote.quorum_reached = in.flag(body, "quorum_reached", path);
    return vote;
  }
  if (type == "commented") {
    engine::Commented comment;
    comment.text = in.text(body, "text", path);
    comment.mentions = in.strings(body, "mentions", path);
    return comment;
  }
  if (type == "milestone_recorded") {
    engine::MilestoneRecorded recorded;
    recorded.milestone = in.text(body, "milestone", path);
    recorded.planned_on = in.optional_date(body, "planned_on", path);
    recorded.done_on = in.optional_date(body, "done_on", path);
    recorded.evidence = in.text(body, "evidence", path);
    recorded.changes = in.changes(body, path);
    recorded.milestones_started = in.optional_milestones_started(body, path);
    return recorded;
  }
  if (type == "followup_recorded") {
    engine::FollowupRecorded followup;
    followup.on = in.date(body, "on", path);
    followup.summary = in.text(body, "summary", path);
    followup.issues = in.strings(body, "issues", path);
    followup.next_due_on = in.optional_date(body, "next_due_on", path);
    followup.next_due_estimated = in.flag(body, "next_due_estimated", path);
    return followup;
  }
  if (type == "deadline_fired") {
    engine::DeadlineFired fired;
    fired.kind = in.deadline_kind(body, path);
    fired.name = in.text(body, "name", path);
    fired.alert = in.deadline_alert(body, path);
    fired.due_on = in.date(body, "due_on", path);
    return fired;
  }
  if (type == "deadline_extended") {
    engine::DeadlineExtended extended;
    extended.kind = in.deadline_kind(body, path);
    extended.name = in.text(body, "name", path);
    extended.previous_due_on = in.date(body, "previous_due_on", path);
    extended.new_due_on = in.date(body, "new_due_on", path);
    extended.reason = in.text(body, "reason", path);
    return extended;
  }
  if (type == "funds_recorded") {
    engine::FundsRecorded recorded;
    recorded.month = in.text(body, "month", path);
    recorded.amount = in.number(body, "amount", path);
    recorded.source = in.funds_source(body, path);
    recorded.evidence = in.text(body, "evidence", path);
    recorded.comment = in.text(body, "comment", path);
    recorded.changes = in.changes(body, path);
    return recorded;
  }
  if (type == "supervised") {
    engine::Supervised supervised;
    supervised.level = in.text(body, "level", path);
    supervised.reason = in.text(body, "reason", path);
    supervised.previous_due_on = in.optional_date(body, "previous_due_on", path);
    supervised.new_due_on = in.date(body, "new_due_on", path);
    supervised.by = in.text(body, "by", path);
    return supervised;
  }
  if (type == "reassigned") {
    engine::Reassigned reassigned;
    reassigned.holder = in.text(body, "holder", path);
    reassigned.from = in.text(body, "from", path);
    reassigned.to = in.text(body, "to", path);
    reassigned.reason = in.text(body, "reason", path);
    return reassigned;
  }
  if (type == "file_attached") {
    engine::FileAttached attached;
    attached.attachment_id = in.text(body, "attachment_id", path);
    attached.filename = in.text(body, "filename", path);
    attached.size = in.integer(body, "size", path);
    attached.media_type = in.text(body, "media_type", path);
    attached.milestone = in.optional_text(body, "milestone", path);
    return attached;
  }
  if (type == "workflow_migrated") {
    engine::WorkflowMigrated migrated;
    migrated.workflow = in.text(body, "workflow", path);
    migrated.from_version = in.integer(body, "from_version", path);
    migrated.to_version = in.integer(body, "to_version", path);
    migrated.from_state = in.text(body, "from_state", path);
    migrated.to_state = in.text(body, "to_state", path);
    if (const json::value* map = in.member(body, "map", path)) {
      if (const json::object* entries = in.object(*map, path + "/map")) {
        for (const auto& entry : *entries)
          migrated.state_map[std::string(entry.key())] =
              in.text(entries, entry.key(), path + "/map");
      }
    }
    migrated.changes = in.changes(body, path);
    migrated.review_cleared = in.flag(body, "review_cleared", path);
    migrated.sla_due_on = in.optional_date(body, "sla_due_on", path);
    migrated.sla_due_estimated = in.flag(body, "sla_due_estimated", path);
    migrated.sla_recomputed = in.flag(body, "sla_recomputed", path);
    migrated.milestones_started = in.milestones_started(body, path);
    migrated.milestones_dropped = in.strings(body, "milestones_dropped", path);
    migrated.followup_due_on = in.optional_date(body, "followup_due_on", path);
    migrated.followup_due_estimated = in.flag(body, "followup_due_estimated", path);
    migrated.followup_recomputed = in.flag(body, "followup_recomputed", path);
    if (const json::value* notes = in.member(body, "notes", path)) {
      if (const json::array* items = in.array(*notes, path + "/notes")) {
        for (std::size_t i = 0; i < items->size(); ++i) {
          const std::string item_path = path + "/notes/" + std::to_string(i);
          const json::object* item = in.object((*items)[i], item_path);
          migrated.notes.push_back(
              {in.text(item, "item", item_path), in.text(item, "action", item_path),
               in.text(item, "zh", item_path), in.text(item, "en", item_path)});
        }
      }
    }
    return migrated;
  }
  in.fail("/type", "unknown event type '" + std::string(type) + "'");
  return engine::FieldsEdited{};
}

}  // namespace

// -----------------------------------------------------------------------------------------

std::string canonical_json(const json::value& value) {
  std::string out;
  out.reserve(1024);
  write_canonical(value, out);
  return out;
}

Decoded<json::value> parse_json(std::string_view text) {
  json::basic_parser<PreciseHandler> parser{json::parse_options{}};
  parser.handler().stack.reset();
  json::error_code error;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), error);
  if (!error && used < text.size()) error = json::error::extra_data;
  if (error) return engine::fail(DecodeError{"", "invalid JSON: " + error.message()});
  return parser.handler().stack.release();
}

json::value value_to_json(const engine::Value& value) {
  switch (value.kind()) {
    case engine::Value::Kind::null:
      return nullptr;
    case engine::Value::Kind::boolean:
      return *value.as_boolean();
    case engine::Value::Kind::number:
      return number_json(*value.as_number());
    case engine::Value::Kind::text:
      return json::string(*value.as_text());
    case engine::Value::Kind::date:
      return json::object{{"date", value.as_date()->to_string()}};
    case engine::Value::Kind::list: {
      json::array items;
      items.reserve(value.as_list()->size());
      for (const auto& item : *value.as_list())
        items.push_back(value_to_json(item));
      return items;
    }
  }
  return nullptr;
}

namespace {

json::value timestamp_to_json(engine::Timestamp at) {
  return at;
}

}  // namespace

const Encoding kCanonical{&value_to_json, &timestamp_to_json};

Decoded<engine::Value> value_from_json(const json::value& json) {
  Decoder in;
  engine::Value value = in.value(json, "");
  return finish(in, std::move(value));
}

json::value fields_to_json(const engine::FieldMap& fields, const Encoding& encoding) {
  json::object object;
  object.reserve(fields.size());
  for (const auto& [name, value] : fields)
    object.emplace(name, encoding.value(value));
  return object;
}

Decoded<engine::FieldMap> fields_from_json(const json::value& json) {
  Decoder in;
  engine::FieldMap fields = in.fields(json, "");
  return finish(in, std::move(fields));
}

json::value event_to_json(const engine::Event& event, const Encoding& encoding) {
  return json::object{{"actor", event.actor},
                      {"at", encoding.timestamp(event.at)},
                      {"body", std::visit(BodyEncoder{encoding}, event.body)},
                      {"project_id", event.project_id},
                      {"type", engine::event_type(event)},
                      {"version", event.version}};
}

Decoded<engine::Event> event_from_json(const json::value& json) {
  Decoder in;
  engine::Event event;
  const json::object* object = in.object(json, "");
  event.project_id = in.text(object, "project_id", "");
  event.version = in.integer(object, "version", "");
  event.at = in.integer(object, "at", "");
  event.actor = in.text(object, "actor", "");
  const std::string type = in.text(object, "type", "");
  if (const json::value* body = in.member(object, "body", "")) {
    if (in.ok()) event.body = decode_body(in, type, in.object(*body, "/body"), "/body");
  }
  return finish(in, std::move(event));
}

json::value project_to_json(const engine::Project& project, const Encoding& encoding) {
  const auto votes_json = [&](const std::vector<engine::Vote>& ballots) {
    json::array out;
    for (const auto& vote : ballots) {
      out.push_back(json::object{{"at", encoding.timestamp(vote.at)},
                                 {"choice", engine::vote_choice_name(vote.choice)},
                                 {"comment", vote.comment},
                                 {"voter", vote.voter}});
    }
    return out;
  };
  json::array votes = votes_json(project.votes);
  json::object milestones;
  for (const auto& [key, milestone] : project.milestones) {
    milestones.emplace(
        key, with_flag(json::object{{"done_on", optional_date_json(milestone.done_on)},
                                    {"due_on", date_json(milestone.due_on)},
                                    {"evidence", milestone.evidence},
                                    {"id", milestone.id},
                                    {"planned_on", optional_date_json(milestone.planned_on)},
                                    {"started_on", date_json(milestone.started_on)}},
                       "estimated", milestone.estimated));
  }
  json::array visits;
  for (const auto& visit : project.visits) {
    visits.push_back(json::object{{"actor", visit.actor},
                                  {"issues", strings_json(visit.issues)},
                                  {"on", date_json(visit.on)},
                                  {"summary", visit.summary}});
  }
  json::object out{{"created_at", encoding.timestamp(project.created_at)},
                   {"fields", fields_to_json(project.fields, encoding)},
                   {"followup_due_on", optional_date_json(project.followup_due_on)},
                   {"id", project.id},
                   {"milestones", std::move(milestones)},
                   {"owner", project.owner},
                   {"sla_due_on", optional_date_json(project.sla_due_on)},
                   {"state", project.state},
                   {"state_entered_at", encoding.timestamp(project.state_entered_at)},
                   {"updated_at", encoding.timestamp(project.updated_at)},
                   {"version", project.version},
                   {"visits", std::move(visits)},
                   {"votes", std::move(votes)},
                   {"workflow", project.workflow},
                   {"workflow_version", project.workflow_version}};
  if (!project.parent.empty()) out.emplace("parent", project.parent);
  // Only once the funds ledger has entries: other projects keep their exact earlier text.
  if (!project.funds.empty()) {
    json::array funds;
    for (const engine::FundsEntry& entry : project.funds) {
      funds.push_back(json::object{{"actor", entry.actor},
                                   {"amount", number_json(entry.amount)},
                                   {"at", encoding.timestamp(entry.at)},
                                   {"comment", entry.comment},
                                   {"evidence", entry.evidence},
                                   {"month", entry.month},
                                   {"source", engine::funds_source_name(entry.source)}});
    }
    out.emplace("funds", std::move(funds));
  }
  // Only once a file is attached: other projects keep their exact earlier text.
  if (!project.attachments.empty()) {
    json::array attachments;
    for (const engine::Attachment& attachment : project.attachments) {
      json::object item{{"at", encoding.timestamp(attachment.at)}, {"by", attachment.by},
                        {"filename", attachment.filename},         {"id", attachment.id},
                        {"media_type", attachment.media_type},     {"size", attachment.size}};
      if (!attachment.milestone.empty()) item.emplace("milestone", attachment.milestone);
      attachments.push_back(std::move(item));
    }
    out.emplace("attachments", std::move(attachments));
  }
  // Only once a review has closed with ballots: other projects keep their exact text.
  if (!project.closed_reviews.empty()) {
    json::array reviews;
    for (const engine::ClosedReview& review : project.closed_reviews) {
      reviews.push_back(json::object{{"closed_at", encoding.timestamp(review.closed_at)},
                                     {"state", review.state},
                                     {"to", review.to},
                                     {"transition", review.transition},
                                     {"votes", votes_json(review.votes)}});
    }
    out.emplace("closed_reviews", std::move(reviews));
  }
  // Only when some alert fired: projects without timers keep their exact earlier text.
  if (!project.deadlines_fired.empty()) {
    json::array fired;
    for (const std::string& key : project.deadlines_fired)
      fired.emplace_back(key);
    out.emplace("deadlines_fired", std::move(fired));
  }
  if (!project.deadline_extensions.empty()) {
    json::object extensions;
    for (const auto& [key, times] : project.deadline_extensions)
      extensions.emplace(key, times);
    out.emplace("deadline_extensions", std::move(extensions));
  }
  if (!project.supervision_level.empty()) {
    out.emplace("supervision_level", project.supervision_level);
  }
  return with_estimates(std::move(out), project);
}

Decoded<engine::Project> project_from_json(const json::value& json) {
  Decoder in;
  engine::Project project;
  const json::object* object = in.object(json, "");
  project.id = in.text(object, "id", "");
  project.workflow = in.text(object, "workflow", "");
  project.workflow_version = in.integer(object, "workflow_version", "");
  project.state = in.text(object, "state", "");
  project.version = in.integer(object, "version", "");
  project.owner = in.text(object, "owner", "");
  project.parent = in.optional_text(object, "parent", "");
  project.supervision_level = in.optional_text(object, "supervision_level", "");
  project.created_at = in.integer(object, "created_at", "");
  project.updated_at = in.integer(object, "updated_at", "");
  project.state_entered_at = in.integer(object, "state_entered_at", "");
  project.fields = in.fields(object, "fields", "");
  project.sla_due_on = in.optional_date(object, "sla_due_on", "");
  project.followup_due_on = in.optional_date(object, "followup_due_on", "");
  project.sla_due_estimated = in.flag(object, "sla_due_estimated", "");
  project.followup_due_estimated = in.flag(object, "followup_due_estimated", "");

  const auto read_votes = [&](const json::value& votes, const std::string& at) {
    std::vector<engine::Vote> out;
    if (const json::array* items = in.array(votes, at)) {
      for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string path = at + "/" + std::to_string(i);
        const json::object* item = in.object((*items)[i], path);
        engine::Vote vote;
        vote.voter = in.text(item, "voter", path);
        vote.choice = in.vote_choice(item, path);
        vote.comment = in.text(item, "comment", path);
        vote.at = in.integer(item, "at", path);
        out.push_back(std::move(vote));
      }
    }
    return out;
  };
  if (const json::value* votes = in.member(object, "votes", "")) {
    project.votes = read_votes(*votes, "/votes");
  }
  if (object != nullptr && object->contains("closed_reviews")) {
    if (const json::array* items =
            in.array(*in.member(object, "closed_reviews", ""), "/closed_reviews")) {
      for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string path = "/closed_reviews/" + std::to_string(i);
        const json::object* item = in.object((*items)[i], path);
        engine::ClosedReview review;
        review.state = in.text(item, "state", path);
        review.transition = in.text(item, "transition", path);
        review.to = in.text(item, "to", path);
        review.closed_at = in.integer(item, "closed_at", path);
        if (const json::value* votes = in.member(item, "votes", path)) {
          review.votes = read_votes(*votes, path + "/votes");
        }
        project.closed_reviews.push_back(std::move(review));
      }
    }
  }
  if (const json::value* milestones = in.member(object, "milestones", "")) {
    if (const json::object* items = in.object(*milestones, "/milestones")) {
      for (const auto& member : *items) {
        const std::string path = "/milestones/" + std::string(member.key());
        const json::object* item = in.object(member.value(), path);
        engine::MilestoneState milestone;
        milestone.id = in.text(item, "id", path);
        milestone.started_on = in.date(item, "started_on", path);
        milestone.due_on = in.date(item, "due_on", path);
        milestone.planned_on = in.optional_date(item, "planned_on", path);
        milestone.done_on = in.optional_date(item, "done_on", path);
        milestone.evidence = in.text(item, "evidence", path);
        milestone.estimated = in.flag(item, "estimated", path);
        project.milestones.insert_or_assign(std::string(member.key()), std::move(milestone));
      }
    }
  }
  if (const json::value* visits = in.member(object, "visits", "")) {
    if (const json::array* items = in.array(*visits, "/visits")) {
      for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string path = "/visits/" + std::to_string(i);
        const json::object* item = in.object((*items)[i], path);
        engine::FollowupVisit visit;
        visit.on = in.date(item, "on", path);
        visit.actor = in.text(item, "actor", path);
        visit.summary = in.text(item, "summary", path);
        visit.issues = in.strings(item, "issues", path);
        project.visits.push_back(std::move(visit));
      }
    }
  }
  if (object != nullptr && object->contains("funds")) {
    if (const json::array* items = in.array(*in.member(object, "funds", ""), "/funds")) {
      for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string path = "/funds/" + std::to_string(i);
        const json::object* item = in.object((*items)[i], path);
        engine::FundsEntry entry;
        entry.month = in.text(item, "month", path);
        entry.amount = in.number(item, "amount", path);
        entry.source = in.funds_source(item, path);
        entry.evidence = in.text(item, "evidence", path);
        entry.comment = in.text(item, "comment", path);
        entry.actor = in.text(item, "actor", path);
        entry.at = in.integer(item, "at", path);
        project.funds.push_back(std::move(entry));
      }
    }
  }
  if (object != nullptr && object->contains("attachments")) {
    if (const json::array* items =
            in.array(*in.member(object, "attachments", ""), "/attachments")) {
      for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string path = "/attachments/" + std::to_string(i);
        const json::object* item = in.object((*items)[i], path);
        engine::Attachment attachment;
        attachment.id = in.text(item, "id", path);
        attachment.filename = in.text(item, "filename", path);
        attachment.size = in.integer(item, "size", path);
        attachment.media_type = in.text(item, "media_type", path);
        attachment.milestone = in.optional_text(item, "milestone", path);
        attachment.by = in.text(item, "by", path);
        attachment.at = in.integer(item, "at", path);
        project.attachments.push_back(std::move(attachment));
      }
    }
  }
  if (object != nullptr && object->contains("deadlines_fired")) {
    for (std::string& key : in.strings(object, "deadlines_fired", ""))
      project.deadlines_fired.insert(std::move(key));
  }
  if (const json::value* extensions = object != nullptr && object->contains("deadline_extensions")
                                          ? in.member(object, "deadline_extensions", "")
                                          : nullptr) {
    if (const json::object* items = in.object(*extensions, "/deadline_extensions")) {
      for (const auto& member : *items) {
        project.deadline_extensions[std::string(member.key())] =
            static_cast<int>(in.integer(items, member.key(), "/deadline_extensions"));
      }
    }
  }
  return finish(in, std::move(project));
}

namespace {

struct CommandEncoder {
  json::object operator()(const engine::CreateProject& create) const {
    json::object out{{"fields", fields_to_json(create.fields)}, {"owner", create.owner}};
    if (!create.parent.empty()) out.emplace("parent", create.parent);
    return out;
  }
  json::object operator()(const engine::EditFields& edit) const {
    return {{"fields", fields_to_json(edit.fields)}};
  }
  json::object operator()(const engine::TakeTransition& take) const {
    return {{"comment", take.comment},
            {"fields", fields_to_json(take.fields)},
            {"transition", take.transition}};
  }
  json::object operator()(const engine::CastVote& vote) const {
    return {{"choice", engine::vote_choice_name(vote.choice)}, {"comment", vote.comment}};
  }
  json::object operator()(const engine::RecordMilestone& record) const {
    return {{"done_on", optional_date_json(record.done_on)},
            {"evidence", record.evidence},
            {"milestone", record.milestone},
            {"planned_on", optional_date_json(record.planned_on)}};
  }
  json::object operator()(const engine::RecordFollowup& followup) const {
    return {{"issues", strings_json(followup.issues)},
            {"on", date_json(followup.on)},
            {"summary", followup.summary}};
  }
  json::object operator()(const engine::FireDeadline& fire) const {
    return {{"alert", engine::deadline_alert_name(fire.alert)},
            {"due_on", date_json(fire.due_on)},
            {"kind", engine::deadline_kind_name(fire.kind)},
            {"name", fire.name}};
  }
  json::object operator()(const engine::ExtendDeadline& extend) const {
    return {{"kind", engine::deadline_kind_name(extend.kind)},
            {"name", extend.name},
            {"new_due_on", date_json(extend.new_due_on)},
            {"reason", extend.reason}};
  }
  json::object operator()(const engine::RecordFunds& record) const {
    return {{"amount", number_json(record.amount)},
            {"comment", record.comment},
            {"evidence", record.evidence},
            {"month", record.month},
            {"source", record.source}};
  }
  json::object operator()(const engine::Supervise& supervise) const {
    return {{"level", supervise.level},
            {"new_due_on", date_json(supervise.new_due_on)},
            {"reason", supervise.reason}};
  }
  json::object operator()(const engine::Reassign& reassign) const {
    return {{"holder", reassign.holder}, {"reason", reassign.reason}, {"to", reassign.to}};
  }
  // The target workflow is named by its version: the store looks it up.
  json::object operator()(const engine::MigrateWorkflow& migrate) const {
    json::object map;
    for (const auto& [from, to] : migrate.state_map)
      map.emplace(from, to);
    return {{"map", std::move(map)}, {"to_version", migrate.to_version}};
  }
  json::object operator()(const engine::AttachFile& attach) const {
    return {{"attachment_id", attach.attachment_id},
            {"filename", attach.filename},
            {"media_type", attach.media_type},
            {"milestone", attach.milestone},
            {"size", attach.size}};
  }
  json::object operator()(const engine::CommentProject& comment) const {
    return {{"mentions", strings_json(comment.mentions)}, {"text", comment.text}};
  }
};

}  // namespace

json::value command_to_json(const engine::Command& command) {
  json::value expected = nullptr;
  if (command.expected_version) expected = *command.expected_version;
  return json::object{{"body", std::visit(CommandEncoder{}, command.body)},
                      {"command", engine::command_name(command)},
                      {"expected_version", std::move(expected)},
                      {"project_id", command.project_id}};
}

json::value rejection_to_json(const engine::Rejection& rejection) {
  json::array reasons;
  for (const auto& reason : rejection.reasons) {
    reasons.push_back(json::object{{"code", reason.code},
                                   {"field", reason.field},
                                   {"message", localized_json(reason.message)}});
  }
  return json::object{{"current_version", rejection.current_version},
                      {"reasons", std::move(reasons)}};
}

Decoded<engine::Rejection> rejection_from_json(const json::value& json) {
  Decoder in;
  engine::Rejection rejection;
  const json::object* object = in.object(json, "");
  rejection.current_version = in.integer(object, "current_version", "");
  if (const json::value* reasons = in.member(object, "reasons", "")) {
    if (const json::array* items = in.array(*reasons, "/reasons")) {
      for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string path = "/reasons/" + std::to_string(i);
        const json::object* item = in.object((*items)[i], path);
        engine::Reason reason;
        reason.code = in.text(item, "code", path);
        reason.field = in.text(item, "field", path);
        reason.message = in.localized(item, "message", path);
        rejection.reasons.push_back(std::move(reason));
      }
    }
  }
  return finish(in, std::move(rejection));
}

std::string encode_event(const engine::Event& event) {
  return canonical_json(event_to_json(event));
}

Decoded<engine::Event> decode_event(std::string_view text) {
  auto json = parse_json(text);
  if (!json) return engine::fail(json.error());
  return event_from_json(*json);
}

std::string encode_project(const engine::Project& project) {
  return canonical_json(project_to_json(project));
}

Decoded<engine::Project> decode_project(std::string_view text) {
  auto json = parse_json(text);
  if (!json) return engine::fail(json.error());
  return project_from_json(*json);
}

}  // namespace investflow::storage
