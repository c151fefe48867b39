#pragma once
// What happened to a project. Events carry everything `apply` needs, including deadlines
// computed when they were decided, so replay never depends on today's calendar data.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/date.hpp"
#include "engine/deadline.hpp"
#include "engine/project.hpp"
#include "engine/value.hpp"

namespace investflow::engine {

struct FieldChange {
  std::string field;
  Value before;  // null when the field was absent
  Value after;   // null when the field is cleared
  friend bool operator==(const FieldChange&, const FieldChange&) = default;
};

// A milestone clock started on entering its `after` state, or from its `from` date field.
struct MilestoneStarted {
  std::string milestone;
  Date started_on;
  Date due_on;
  bool estimated = false;  // due_on was counted past the calendar's official data
  friend bool operator==(const MilestoneStarted&, const MilestoneStarted&) = default;
};

struct ProjectCreated {
  std::string workflow;
  std::int64_t workflow_version = 0;
  std::string state;  // the initial state
  std::string owner;
  FieldMap fields;
  std::optional<Date> sla_due_on;
  std::vector<MilestoneStarted> milestones_started;
  std::optional<Date> followup_due_on;
  // Counted past the calendar's official data (weekends only there): an estimate.
  bool sla_due_estimated = false;
  bool followup_due_estimated = false;
  std::string parent = {};  // the parent project's id, or empty
  friend bool operator==(const ProjectCreated&, const ProjectCreated&) = default;
};

struct FieldsEdited {
  std::vector<FieldChange> changes;
  // v1.1: milestones whose clock starts (or restarts) from a date field (`from:`) set here.
  std::vector<MilestoneStarted> milestones_started;
  friend bool operator==(const FieldsEdited&, const FieldsEdited&) = default;
};

struct TransitionTaken {
  std::string transition;
  std::string from;
  std::string to;
  std::string comment;
  std::vector<FieldChange> changes;
  // The deadlines of the new state: these replace the project's (nullopt clears them).
  std::optional<Date> sla_due_on;
  std::vector<MilestoneStarted> milestones_started;
  std::optional<Date> followup_due_on;
  bool sla_due_estimated = false;  // as in ProjectCreated
  bool followup_due_estimated = false;
  friend bool operator==(const TransitionTaken&, const TransitionTaken&) = default;
};

struct VoteCast {
  std::string voter;
  VoteChoice choice = VoteChoice::approve;
  std::string comment;
  bool changed = false;  // replaced the voter's earlier vote
  // This vote brought the review to its quorum (the first time): raises `quorum`.
  bool quorum_reached = false;
  friend bool operator==(const VoteCast&, const VoteCast&) = default;
};

struct MilestoneRecorded {
  std::string milestone;
  std::optional<Date> planned_on;
  std::optional<Date> done_on;
  std::string evidence;
  std::vector<FieldChange> changes;  // the milestone's date field, when it has one
  // v1.1: milestones whose clock that date field starts (their `from:`).
  std::vector<MilestoneStarted> milestones_started;
  friend bool operator==(const MilestoneRecorded&, const MilestoneRecorded&) = default;
};

struct FollowupRecorded {
  Date on;
  std::string summary;
  std::vector<std::string> issues;
  std::optional<Date> next_due_on;
  bool next_due_estimated = false;  // counted past the calendar's official data
  friend bool operator==(const FollowupRecorded&, const FollowupRecorded&) = default;
};

struct DeadlineFired {
  DeadlineKind kind = DeadlineKind::sla;
  std::string name;
  DeadlineAlert alert = DeadlineAlert::overdue;
  Date due_on;
  friend bool operator==(const DeadlineFired&, const DeadlineFired&) = default;
};

struct DeadlineExtended {
  DeadlineKind kind = DeadlineKind::sla;
  std::string name;
  Date previous_due_on;
  Date new_due_on;
  std::string reason;
  friend bool operator==(const DeadlineExtended&, const DeadlineExtended&) = default;
};

// What a migration did with one part of a project (engine/migration.hpp), for people:
// `item` names the part (state, field:NAME, review, sla, milestone:ID, followup) and
// `action` what happened to it (renamed, converted, carried, recomputed, started, cleared,
// dropped).
struct MigrationNote {
  std::string item;
  std::string action;
  std::string zh;
  std::string en;
  friend bool operator==(const MigrationNote&, const MigrationNote&) = default;
};

// The project moved to another version of its workflow (`investflow workflow migrate`).
// From this event on it is decided with `to_version`. Like a transition, it carries the
// deadlines as they are after the move, whether carried over or recomputed, so replay
// needs neither version's rules.
struct WorkflowMigrated {
  std::string workflow;
  std::int64_t from_version = 0;
  std::int64_t to_version = 0;
  std::string from_state;
  std::string to_state;  // the same stage, as the target names it (state_entered_at stays)
  std::map<std::string, std::string> state_map;  // the map given (OLD -> NEW)
  std::vector<FieldChange> changes;              // values converted to the target's types
  bool review_cleared = false;                   // the open review's votes no longer count
  std::optional<Date> sla_due_on;                // the state's SLA after the move
  bool sla_due_estimated = false;
  bool sla_recomputed = false;  // its alerts and extensions are forgotten
  // Open milestones whose due date was recomputed (or whose clock the target starts);
  // their planned dates and evidence stay.
  std::vector<MilestoneStarted> milestones_started;
  std::vector<std::string> milestones_dropped;  // open milestones the target does not have
  std::optional<Date> followup_due_on;
  bool followup_due_estimated = false;
  bool followup_recomputed = false;
  std::vector<MigrationNote> notes;
  friend bool operator==(const WorkflowMigrated&, const WorkflowMigrated&) = default;
};

// A 到位资金 ledger entry. `changes` sets the field tagged funds_in_place to the ledger's
// new cumulative sum, so expressions and figures reading that field stay right.
struct FundsRecorded {
  std::string month;  // "YYYY-MM"
  double amount = 0;  // 万元
  FundsSource source = FundsSource::local;
  std::string evidence;
  std::string comment;
  std::vector<FieldChange> changes;
  friend bool operator==(const FundsRecorded&, const FundsRecorded&) = default;
};

// v1.1 督办: the item was raised to `level`; its current deadline (the state's SLA) moved
// from `previous_due_on` (none when the state had no running SLA) to `new_due_on`. `by` is
// the role of the level's `roles` that the actor used.
struct Supervised {
  std::string level;
  std::string reason;
  std::optional<Date> previous_due_on;
  Date new_due_on;
  std::string by;
  friend bool operator==(const Supervised&, const Supervised&) = default;
};

// The project's owner, or the user a user field holds, changed from `from` (empty when
// the field was empty) to `to`.
struct Reassigned {
  std::string holder;  // "owner" or a user field's name
  std::string from;
  std::string to;
  std::string reason;
  friend bool operator==(const Reassigned&, const Reassigned&) = default;
};

// A file was attached (AttachFile): what the project's chain holds of it.
struct FileAttached {
  std::string attachment_id;  // the file's SHA-256, lower-case hex
  std::string filename;
  std::int64_t size = 0;
  std::string media_type;
  std::string milestone;  // or empty
  friend bool operator==(const FileAttached&, const FileAttached&) = default;
};

// A comment (CommentProject): its text and the users it mentions, who are told.
struct Commented {
  std::string text;
  std::vector<std::string> mentions;
  friend bool operator==(const Commented&, const Commented&) = default;
};

struct Event {
  std::string project_id;
  std::int64_t version = 0;  // the project's version after this event (1 for creation)
  Timestamp at = 0;
  std::string actor;
  std::variant<ProjectCreated, FieldsEdited, TransitionTaken, VoteCast, MilestoneRecorded,
               FollowupRecorded, DeadlineFired, DeadlineExtended, WorkflowMigrated, FundsRecorded,
               Supervised, Reassigned, FileAttached, Commented>
      body;
  friend bool operator==(const Event&, const Event&) = default;
};

// project_created, fields_edited, transition_taken, vote_cast, milestone_recorded,
// followup_recorded, deadline_fired, deadline_extended, workflow_migrated, funds_recorded,
// supervised, reassigned, file_attached, commented
std::string_view event_type(const Event& event);
// Whether `name` is one of those types.
bool is_event_type(std::string_view name);

}  // namespace investflow::engine
