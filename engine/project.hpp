#pragma once
// A project as the engine sees it: the fold of its events (see apply in decide.hpp).

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/date.hpp"
#include "engine/funds.hpp"
#include "engine/names.hpp"
#include "engine/value.hpp"

namespace investflow::engine {

// `recuse`: the member declares a conflict of interest (回避); the ballot counts neither
// for nor against and takes the member out of the eligible panel.
enum class VoteChoice { approve, reject, abstain, recuse };
inline constexpr EnumName<VoteChoice> kVoteChoiceNames[] = {{VoteChoice::approve, "approve"},
                                                            {VoteChoice::reject, "reject"},
                                                            {VoteChoice::abstain, "abstain"},
                                                            {VoteChoice::recuse, "recuse"}};
static_assert(in_order(kVoteChoiceNames));
std::string_view vote_choice_name(VoteChoice choice);
std::optional<VoteChoice> parse_vote_choice(std::string_view name);

struct Vote {
  std::string voter;
  VoteChoice choice = VoteChoice::approve;
  std::string comment;
  Timestamp at = 0;
  friend bool operator==(const Vote&, const Vote&) = default;
};

struct MilestoneState {
  std::string id;
  Date started_on;                 // when its clock started (the `after` state was entered)
  Date due_on;                     // the deadline
  std::optional<Date> planned_on;  // the date the project plans (recorded by staff)
  std::optional<Date> done_on;     // the actual date
  std::string evidence;
  bool estimated = false;  // due_on was counted past the calendar's official data
  friend bool operator==(const MilestoneState&, const MilestoneState&) = default;
};

struct FollowupVisit {
  Date on;
  std::string actor;
  std::string summary;
  std::vector<std::string> issues;
  friend bool operator==(const FollowupVisit&, const FollowupVisit&) = default;
};

// A file attached to the project (AttachFile). The file itself lives outside the engine,
// stored by its content: `id` is its SHA-256 in lower-case hex.
struct Attachment {
  std::string id;
  std::string filename;
  std::int64_t size = 0;
  std::string media_type;  // detected from the content, e.g. application/pdf
  std::string milestone;   // the milestone it was attached for, or empty
  std::string by;          // who attached it
  Timestamp at = 0;
  friend bool operator==(const Attachment&, const Attachment&) = default;
};

// A review that closed: the transition that left its state, and its ballots as they were
// then. Kept so the tally and the decision stay visible after the review (issue 22).
struct ClosedReview {
  std::string state;       // the review's state
  std::string transition;  // the decision: the transition that left it
  std::string to;
  Timestamp closed_at = 0;
  std::vector<Vote> votes;
  friend bool operator==(const ClosedReview&, const ClosedReview&) = default;
};

// Whether `text` has the shape of an attachment id (64 lower-case hex digits).
bool is_attachment_id(std::string_view text);

struct Project {
  std::string id;
  std::string workflow;
  std::int64_t workflow_version = 0;
  std::string state;
  std::int64_t version = 0;  // number of events applied
  std::string owner;
  std::string parent;  // the project this one belongs to (language v1.1 `parent:`), or empty
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  Timestamp state_entered_at = 0;
  FieldMap fields;
  std::vector<Vote> votes;  // votes of the review open in the current state
  std::map<std::string, MilestoneState, std::less<>> milestones;
  std::vector<FollowupVisit> visits;
  std::vector<FundsEntry> funds;        // the 到位资金 ledger (FundsRecorded), in order
  std::optional<Date> sla_due_on;       // the current state's SLA deadline
  std::optional<Date> followup_due_on;  // the next follow-up visit
  // The deadlines above were counted past the calendar's official data (weekends only
  // there; engine/calendar.hpp): estimates, shown as such.
  bool sla_due_estimated = false;
  bool followup_due_estimated = false;
  // Alerts already raised (engine::fired_deadline_key): each fires once.
  std::set<std::string, std::less<>> deadlines_fired;
  // v1.1: extensions granted to each running deadline, by "kind:name" (sla:lead,
  // milestone:build_period); forgotten when the deadline restarts.
  std::map<std::string, int, std::less<>> deadline_extensions;
  // v1.1 督办: the highest supervision level reached (a level id), or empty. It only rises
  // and stays until the item is closed.
  std::string supervision_level;
  // Files attached (FileAttached), oldest first; each file at most once.
  std::vector<Attachment> attachments;
  // Reviews closed with ballots in them, oldest first (a transition out of a review state).
  std::vector<ClosedReview> closed_reviews;
  // How many users hold the open review's voter role. Plain data the caller sets from its
  // user directory before deciding (not folded from events); a fractional quorum is taken
  // of it. 0: unknown, and a fractional quorum is then taken of the ballots cast.
  int review_panel = 0;

  bool exists() const { return version > 0; }
  Value field(std::string_view name) const;
  const Attachment* attachment(std::string_view attachment_id) const;  // null: not attached
  friend bool operator==(const Project&, const Project&) = default;
};

}  // namespace investflow::engine
