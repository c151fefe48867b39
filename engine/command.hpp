#pragma once
// What a user asks the engine to do. `decide` turns a command into events or a rejection.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/date.hpp"
#include "engine/deadline.hpp"
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
  std::string parent = {};  // the project it belongs to (a workflow with `parent:`), or empty
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

// The scheduler's: raise a deadline's alert (exactly once per deadline, alert and due date).
struct FireDeadline {
  DeadlineKind kind = DeadlineKind::sla;
  std::string name;  // the state, milestone id, or "followup"
  DeadlineAlert alert = DeadlineAlert::overdue;
  Date due_on;  // the due date the scheduler saw: a deadline moved meanwhile is not fired
};

// A manager grants more time, with a reason.
struct ExtendDeadline {
  DeadlineKind kind = DeadlineKind::sla;
  std::string name;
  Date new_due_on;
  std::string reason;
};

// Staff record funds in place (到位资金): one ledger entry; a correction is a negative
// amount with a comment. engine/funds.hpp.
struct RecordFunds {
  std::string month;   // "YYYY-MM"
  double amount = 0;   // 万元
  std::string source;  // engine::FundsSource's name
  std::string evidence;
  std::string comment;
};

// v1.1 `supervision:` (督办): a leader or manager raises an open item to a higher level of
// the workflow's supervision, with a reason and a new due date for its current deadline
// (engine/supervision.hpp).
struct Supervise {
  std::string level;  // a level id of the workflow's `supervision:`
  std::string reason;
  Date new_due_on;
};

// Hands the project, or one of its user fields, to another person with a reason
// (engine/supervision.hpp). The caller checks that `to` is a known user.
struct Reassign {
  std::string holder;  // "owner" or the name of a `user` field
  std::string to;      // the user id of the new holder
  std::string reason;
};

// A file stored beside the database becomes part of the project's record (its hash in the
// project's chain). The store has already written the file; the engine checks who may
// attach and what is attached.
struct AttachFile {
  std::string attachment_id;  // the file's SHA-256, lower-case hex
  std::string filename;
  std::int64_t size = 0;
  std::string media_type;
  std::string milestone = {};  // optional: the milestone it is evidence for
};

// A comment on the project (issue 22): free text, and the users it mentions (@id), who are
// told in their inboxes. The caller checks that every mentioned user exists; who may
// comment is decided here (engine::may_comment).
struct CommentProject {
  std::string text;
  std::vector<std::string> mentions;
};

class Workflow;

// Moves the project to another version of its workflow (engine/migration.hpp says what is
// checked, carried over and recomputed). The store fills in `target`, the version
// `to_version` of the project's workflow, before deciding; only an administrator's tool
// submits it (the engine checks no role).
struct MigrateWorkflow {
  std::int64_t to_version = 0;
  std::map<std::string, std::string> state_map;  // OLD -> NEW; other states keep their names
  std::shared_ptr<const Workflow> target;
};

struct Command {
  std::string project_id;
  std::optional<std::int64_t> expected_version;  // optimistic concurrency
  std::variant<CreateProject, EditFields, TakeTransition, CastVote, RecordMilestone, RecordFollowup,
               FireDeadline, ExtendDeadline, MigrateWorkflow, RecordFunds, Supervise, Reassign,
               AttachFile, CommentProject>
      body;
};

std::string_view command_name(const Command& command);  // create, edit, transition, ...

}  // namespace investflow::engine
