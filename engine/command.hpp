#pragma once
// What a user asks the engine to do. `decide` turns a command into events or a rejection.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/date.hpp"
#include "engine/project.hpp"
#include "engine/value.hpp"

namespace investflow::engine {

struct Actor {
  std::string id;
  std::vector<std::string> roles;
  bool has_role(std::string_view role) const;
};

// Field values in commands: a null value clears the field.
struct CreateProject {
  std::string owner;  // empty: the actor
  FieldMap fields;
};

struct EditFields {
  FieldMap fields;
};

struct TakeTransition {
  std::string transition;
  FieldMap fields;  // edits applied together with the transition
  std::string comment;
};

struct CastVote {
  VoteChoice choice = VoteChoice::approve;
  std::string comment;
};

struct RecordMilestone {
  std::string milestone;
  std::optional<Date> planned_on;
  std::optional<Date> done_on;
  std::string evidence;
};

struct RecordFollowup {
  Date on;
  std::string summary;
  std::vector<std::string> issues;
};

struct Command {
  std::string project_id;
  std::optional<std::int64_t> expected_version;  // optimistic concurrency
  std::variant<CreateProject, EditFields, TakeTransition, CastVote, RecordMilestone, RecordFollowup>
      body;
};

std::string_view command_name(const Command& command);  // create, edit, transition, ...

}  // namespace investflow::engine
