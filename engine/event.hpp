#pragma once
// What happened to a project. Events carry everything `apply` needs, including deadlines
// computed when they were decided, so replay never depends on today's calendar data.

#include <cstdint>
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

// A milestone clock started on entering its `after` state.
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
  friend bool operator==(const ProjectCreated&, const ProjectCreated&) = default;
};

struct FieldsEdited {
  std::vector<FieldChange> changes;
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
  friend bool operator==(const VoteCast&, const VoteCast&) = default;
};

struct MilestoneRecorded {
  std::string milestone;
  std::optional<Date> planned_on;
  std::optional<Date> done_on;
  std::string evidence;
  std::vector<FieldChange> changes;  // the milestone's date field, when it has one
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

struct Event {
  std::string project_id;
  std::int64_t version = 0;  // the project's version after this event (1 for creation)
  Timestamp at = 0;
  std::string actor;
  std::variant<ProjectCreated, FieldsEdited, TransitionTaken, VoteCast, MilestoneRecorded,
               FollowupRecorded, DeadlineFired, DeadlineExtended>
      body;
  friend bool operator==(const Event&, const Event&) = default;
};

// project_created, fields_edited, transition_taken, vote_cast, milestone_recorded,
// followup_recorded, deadline_fired, deadline_extended
std::string_view event_type(const Event& event);
// Whether `name` is one of those types.
bool is_event_type(std::string_view name);

}  // namespace investflow::engine
