#pragma once
// The core contract: `decide` turns a command into events or a rejection listing every
// reason; `apply` folds an event into a project. Both are pure and deterministic.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/command.hpp"
#include "engine/event.hpp"
#include "engine/project.hpp"
#include "engine/result.hpp"
#include "engine/workflow.hpp"

namespace investflow::engine {

// Stable reason codes (the API exposes them).
namespace reason {
inline constexpr std::string_view kStaleVersion = "stale_version";
inline constexpr std::string_view kProjectExists = "project_exists";
inline constexpr std::string_view kNoSuchProject = "no_such_project";
inline constexpr std::string_view kRoleNotAllowed = "role_not_allowed";
inline constexpr std::string_view kUnknownField = "unknown_field";
inline constexpr std::string_view kInvalidField = "invalid_field";
inline constexpr std::string_view kMissingField = "missing_field";
inline constexpr std::string_view kUnknownTransition = "unknown_transition";
inline constexpr std::string_view kWrongState = "wrong_state";
inline constexpr std::string_view kTerminalState = "terminal_state";
inline constexpr std::string_view kGuardFailed = "guard_failed";
inline constexpr std::string_view kCommentRequired = "comment_required";
inline constexpr std::string_view kReviewNotPassed = "review_not_passed";
inline constexpr std::string_view kNoOpenReview = "no_open_review";
inline constexpr std::string_view kNotAVoter = "not_a_voter";
inline constexpr std::string_view kUnknownMilestone = "unknown_milestone";
inline constexpr std::string_view kMilestoneNotStarted = "milestone_not_started";
inline constexpr std::string_view kEvidenceRequired = "evidence_required";  // v1.1
inline constexpr std::string_view kNotInFollowup = "not_in_followup";
inline constexpr std::string_view kNothingToDo = "nothing_to_do";
inline constexpr std::string_view kParentRequired = "parent_required";
inline constexpr std::string_view kParentNotAllowed = "parent_not_allowed";
inline constexpr std::string_view kNoSuchParent = "no_such_parent";
inline constexpr std::string_view kParentWrongWorkflow = "parent_wrong_workflow";
inline constexpr std::string_view kParentClosed = "parent_closed";
// funds (issue 16): the field tagged funds_in_place is the ledger's sum once it has entries;
// a workflow without that field keeps no ledger.
inline constexpr std::string_view kFundsByLedger = "funds_by_ledger";
inline constexpr std::string_view kNoFundsField = "no_funds_field";
}  // namespace reason

struct Reason {
  std::string code;
  std::string field;  // the field concerned, or empty
  LocalizedText message;
  friend bool operator==(const Reason&, const Reason&) = default;
};

struct Rejection {
  std::vector<Reason> reasons;
  std::int64_t current_version = 0;
  bool has(std::string_view code) const;
};

using Decision = Result<std::vector<Event>, Rejection>;

// What a decision needs from outside the project (language v1.1 parent links), as plain
// data its caller looks up: the parent's fields and state for a child's `parent.FIELD`
// and `parent.state` (and for checking a new child's parent), and for a parent's
// `open_children('WORKFLOW')` the counts of its children not yet terminal, for every
// workflow in Workflow::counted_children(). Absent parts read as null.
struct ParentView {
  std::string id;
  std::string workflow;
  std::string state;
  bool terminal = false;  // the parent is in a terminal state of its workflow
  FieldMap fields;
};
struct Relations {
  std::optional<ParentView> parent;                                // found: the project's parent
  std::map<std::string, std::int64_t, std::less<>> open_children;  // by workflow id
};

Decision decide(const Workflow& workflow, const Project& project, const Command& command,
                const Actor& actor, const Clock& clock, const Relations& relations = {});

// Pure fold. The caller guarantees `event.version == project.version + 1`.
Project apply(Project project, const Event& event);
// The same fold in place; from an rvalue event, its values are moved rather than copied
// (for callers done with the event, e.g. after encoding it).
void apply_in_place(Project& project, const Event& event);
void apply_in_place(Project& project, Event&& event);

// Convenience: decide, then apply every event. Returns the new project or the rejection.
Result<Project, Rejection> execute(const Workflow& workflow, const Project& project,
                                   const Command& command, const Actor& actor, const Clock& clock,
                                   std::vector<Event>* events = nullptr,
                                   const Relations& relations = {});

// For the API's "what can I do now": every transition leaving the project's state that the
// actor's roles allow, with the reasons it is blocked right now (empty: it can be taken
// as the project stands, without edits and with a comment if one is required).
struct TransitionOption {
  const TransitionDef* transition = nullptr;
  std::vector<Reason> blocked_by;
};
std::vector<TransitionOption> transition_options(const Workflow& workflow, const Project& project,
                                                 const Actor& actor, const Clock& clock,
                                                 const Relations& relations = {});

// What is due or overdue at `today`: the state's SLA, open milestones, the next follow-up.
struct DueItem {
  enum class Kind { sla, milestone, followup };
  enum class Status { pending, warning, overdue };
  Kind kind = Kind::sla;
  std::string name;  // the state, milestone id, or "followup"
  Date due_on;
  Status status = Status::pending;
  int working_days_left = 0;  // negative when overdue
  bool estimated = false;     // counted past the calendar's official data
};
std::vector<DueItem> due_items(const Workflow& workflow, const Project& project, Date today);
std::string_view due_kind_name(DueItem::Kind kind);
std::string_view due_status_name(DueItem::Status status);

// Review tallies for the project's current state (zeros when it has no review).
// `votes` counts approvals, rejections and abstentions: a recusal is no vote.
struct ReviewTally {
  int approvals = 0;
  int rejections = 0;
  int abstentions = 0;
  int recusals = 0;
  int votes = 0;
  int quorum = 0;  // the votes needed: the fixed quorum, or the fraction of the eligible panel
  bool quorum_reached = false;
  bool passed = false;
};
ReviewTally review_tally(const Workflow& workflow, const Project& project);

// Who may comment on a project (CommentProject): its owner, and whoever holds a role the
// workflow gives work somewhere (a transition's `roles`, a review's `voters`). A role that
// acts nowhere (a read-only auditor) may read but not comment.
bool may_comment(const Workflow& workflow, const Project& project, const Actor& actor);

// The value of a field or computed name for `project` (computed values are evaluated).
Value evaluate_name(const Workflow& workflow, const Project& project, std::string_view name,
                    Date today);

}  // namespace investflow::engine
