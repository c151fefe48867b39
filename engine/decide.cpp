#include "engine/decide.hpp"

#include "engine/deadlines.hpp"
#include "engine/migration.hpp"
#include "engine/names.hpp"
#include "engine/supervision.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

namespace investflow::engine {
namespace {

// Warnings for milestones and follow-ups come this many working days ahead (SLAs have
// their own `warn_before`).
constexpr int kMilestoneWarnWorkingDays = 5;
// Computed values may refer to computed values; the loader rejects cycles, this bounds
// the depth anyway so evaluation can never recurse without end.
constexpr int kMaxComputedDepth = 32;
// A comment's limits (CommentProject): long enough for an opinion, short enough for a
// notification's title to quote it.
constexpr std::size_t kMaxCommentBytes = 4000;
constexpr std::size_t kMaxMentions = 20;

LocalizedText text(std::string zh, std::string en) {
  return {std::move(zh), std::move(en)};
}

Reason make_reason(std::string_view code, std::string field, LocalizedText message) {
  return {std::string(code), std::move(field), std::move(message)};
}

std::string label_zh(const LocalizedText& label, std::string_view fallback) {
  const std::string& zh = label.in("zh-CN");
  return zh.empty() ? std::string(fallback) : zh;
}
std::string label_en(const LocalizedText& label, std::string_view fallback) {
  const std::string& en = label.in("en");
  return en.empty() ? std::string(fallback) : en;
}

bool has_any_role(const Actor& actor, const std::vector<std::string>& roles) {
  return std::any_of(roles.begin(), roles.end(),
                     [&](const std::string& role) { return actor.has_role(role); });
}

// Expression scope over a project, optionally with pending edits laid over its fields.
// Expressions the workflow bound (Workflow::slot_of) reach fields and computed values by
// slot; each is looked up or evaluated at most once per scope, which lives for one
// decision, and handed out by reference rather than copied.
class ProjectScope final : public Scope {
 public:
  ProjectScope(const Workflow& workflow, const Project& project, Date today,
               const FieldMap* overlay = nullptr, const Relations* relations = nullptr)
      : workflow_(workflow),
        project_(project),
        today_(today),
        overlay_(overlay != nullptr && !overlay->empty() ? overlay : nullptr),
        relations_(relations),
        fields_(workflow.fields.size()),
        first_table_(fields_ + workflow.computed.size()),
        other_slot_(workflow.other_slot()) {}
  ProjectScope(const ProjectScope&) = delete;
  ProjectScope& operator=(const ProjectScope&) = delete;

  void set_vote_names(const ReviewTally* tally) { vote_tally_ = tally; }

  Value value_of(std::string_view name) const override {
    Value storage;
    const Value& value = value_at(workflow_.slot_of(name), name, storage);
    return &value == &storage ? std::move(storage) : value;
  }

  const Value& value_at(int slot, std::string_view name, Value& storage) const override {
    if (slot < 0 || slot > other_slot_) {
      return value_at(workflow_.slot_of(name), name, storage);
    }
    const auto index = static_cast<std::size_t>(slot);
    if (index < fields_) {
      const Value* value = field(index);
      return value != nullptr ? *value : null_;
    }
    if (index < first_table_) return computed_value(index - fields_);
    if (slot < other_slot_) return null_;  // a table read as a value
    storage = builtin(name);
    return storage;
  }

  Value table_entry(std::string_view table_name, const Value& key) const override {
    return entry(workflow_.find_table(table_name), key);
  }

  Value table_entry_at(int slot, std::string_view table_name, const Value& key) const override {
    const auto index = static_cast<std::size_t>(slot);
    if (slot >= 0 && index >= first_table_ && slot < other_slot_) {
      return entry(&workflow_.tables[index - first_table_], key);
    }
    return table_entry(table_name, key);
  }

  Date today() const override { return today_; }
  const Calendar* calendar() const override { return workflow_.calendar.get(); }

  Value open_children(std::string_view workflow) const override {
    if (relations_ == nullptr) return Value();
    const auto it = relations_->open_children.find(workflow);
    return it == relations_->open_children.end() ? Value()
                                                 : Value::number(static_cast<double>(it->second));
  }

  bool is_present(std::string_view name) const override {
    return is_present_at(workflow_.slot_of(name), name);
  }

  bool is_present_at(int slot, std::string_view name) const override {
    if (slot >= 0 && static_cast<std::size_t>(slot) < fields_) {
      const Value* value = field(static_cast<std::size_t>(slot));
      return value != nullptr && value->is_present();
    }
    Value storage;
    return value_at(slot, name, storage).is_present();
  }

  // Whether a field has a value after the pending edits, without copying it. `slot` is
  // the field's (Workflow::slot_of), when known.
  bool field_present(std::string_view name) const {
    return field_present_at(workflow_.slot_of(name), name);
  }
  bool field_present_at(int slot, std::string_view name) const {
    const Value* value = slot >= 0 && static_cast<std::size_t>(slot) < fields_
                             ? field(static_cast<std::size_t>(slot))
                             : find_field_value(name);
    return value != nullptr && value->is_present();
  }

 private:
  // The field's value after the pending edits (null when an edit clears it), or nullptr
  // when it has none.
  const Value* find_field_value(std::string_view name) const {
    const std::string_view key = name;
    if (overlay_ != nullptr) {
      if (const auto it = overlay_->find(key); it != overlay_->end()) return &it->second;
    }
    const auto it = project_.fields.find(key);
    return it == project_.fields.end() ? nullptr : &it->second;
  }

  // find_field_value for the field in slot `index`, looked up once per scope.
  const Value* field(std::size_t index) const {
    if (field_cache_.empty()) field_cache_.resize(fields_);
    std::optional<const Value*>& cached = field_cache_[index];
    if (!cached) cached = find_field_value(workflow_.fields[index].name);
    return *cached;
  }

  // Computed values are evaluated once per scope: guards of one transition often share
  // them (intensity, thresholds). The cache is sized once, so references into it stay
  // valid while nested computed values are evaluated.
  const Value& computed_value(std::size_t index) const {
    if (computed_cache_.empty()) computed_cache_.resize(first_table_ - fields_);
    std::optional<Value>& cached = computed_cache_[index];
    if (cached) return *cached;
    if (depth_ >= kMaxComputedDepth) return null_;
    ++depth_;
    Value value = workflow_.computed[index].expression.evaluate(*this);
    --depth_;
    cached = std::move(value);
    return *cached;
  }

  Value entry(const TableDef* table, const Value& key) const {
    if (table == nullptr) return Value();
    if (const std::string* key_text = key.as_text()) {
      if (const auto it = table->entries.find(*key_text); it != table->entries.end()) {
        return it->second;
      }
    } else if (!key.is_null()) {
      if (const auto it = table->entries.find(key.to_display()); it != table->entries.end()) {
        return it->second;
      }
    }
    return table->fallback ? *table->fallback : Value();
  }

  Value builtin(std::string_view name) const {
    if (name == "state") return Value::text(project_.state);
    if (name == "owner") return Value::text(project_.owner);
    if (name.substr(0, 7) == "review.") {
      // Inside a review's own `pass:` expression the tally is being computed: answer from
      // it (review.passed is unknown there) instead of recursing.
      if (vote_tally_ != nullptr) return tally_value(*vote_tally_, name.substr(7), false);
      if (!tally_cache_) tally_cache_ = review_tally(workflow_, project_);
      return tally_value(*tally_cache_, name.substr(7), true);
    }
    if (vote_tally_ != nullptr) return tally_value(*vote_tally_, name, false);
    if (name.substr(0, kParentPrefix.size()) == kParentPrefix) return parent_value(name);
    return Value();
  }

  // parent.state and parent.FIELD: null without a parent (or one the caller did not find).
  Value parent_value(std::string_view name) const {
    if (relations_ == nullptr || !relations_->parent) return Value();
    const ParentView& parent = *relations_->parent;
    const std::string_view member = name.substr(kParentPrefix.size());
    if (member == "state") return Value::text(parent.state);
    const auto it = parent.fields.find(member);
    return it == parent.fields.end() ? Value() : it->second;
  }

  static Value tally_value(const ReviewTally& tally, std::string_view name, bool with_passed) {
    if (name == "approvals") return Value::number(tally.approvals);
    if (name == "rejections") return Value::number(tally.rejections);
    if (name == "abstentions") return Value::number(tally.abstentions);
    if (name == "recusals") return Value::number(tally.recusals);
    if (name == "votes") return Value::number(tally.votes);
    if (name == "quorum") return Value::number(tally.quorum);
    if (with_passed && name == "passed") return Value::boolean(tally.passed);
    return Value();
  }

  const Workflow& workflow_;
  const Project& project_;
  Date today_;
  const FieldMap* overlay_;     // null when there are no edits
  const Relations* relations_;  // null: no parent, no counts of children
  // The workflow's slot layout (Workflow::slot_of): fields, then computed values, then
  // tables, then other_slot_.
  std::size_t fields_;
  std::size_t first_table_;
  int other_slot_;
  const ReviewTally* vote_tally_ = nullptr;
  const Value null_;
  mutable int depth_ = 0;
  // By slot, filled as they are first read (empty until then).
  mutable std::vector<std::optional<const Value*>> field_cache_;
  mutable std::vector<std::optional<Value>> computed_cache_;
  mutable std::optional<ReviewTally> tally_cache_;
};

// Turns raw command values into typed edits, collecting a reason for each bad one.
// Only values that differ from the project's become edits.
FieldMap coerce_edits(const Workflow& workflow, const Project& project, const FieldMap& raw,
                      std::vector<Reason>& reasons) {
  FieldMap edits;
  edits.reserve(raw.size());
  for (const auto& [name, value] : raw) {
    const FieldDef* field = workflow.find_field(name);
    if (field == nullptr) {
      reasons.push_back(
          make_reason(reason::kUnknownField, name,
                      text("未知字段“" + name + "”", "unknown field '" + name + "'")));
      continue;
    }
    Result<Value, FieldValueError> typed = coerce_field_value(*field, value);
    if (!typed) {
      reasons.push_back(make_reason(reason::kInvalidField, name, typed.error().message));
      continue;
    }
    const auto current = project.fields.find(name);
    const bool unchanged = current != project.fields.end() ? current->second == typed.value()
                                                           : typed.value().is_null();
    if (unchanged) continue;
    // Once the 到位资金 ledger has entries, the field is its sum (an unchanged value, as a
    // re-imported export carries it, is no edit and passes).
    if (field->report == FieldTag::funds_in_place && !project.funds.empty()) {
      reasons.push_back(make_reason(
          reason::kFundsByLedger, name,
          text("“" + label_zh(field->label, name) +
                   "”由到位资金台账累计而来，不能直接修改；请在“到位资金”中登记或更正",
               "'" + label_en(field->label, name) +
                   "' is the sum of the funds ledger; record an entry or a correction instead")));
      continue;
    }
    // `raw` is in name order, so every edit goes at the end.
    edits.emplace_hint(edits.end(), name, std::move(typed.value()));
  }
  return edits;
}

std::vector<FieldChange> changes_of(const Project& project, FieldMap edits) {
  std::vector<FieldChange> changes;
  changes.reserve(edits.size());
  for (auto& [name, value] : edits) {
    changes.push_back({name, project.field(name), std::move(value)});
  }
  return changes;
}

// A deadline, and whether counting it left the calendar's official data (then it is an
// estimate: weekends only past the data; engine/calendar.hpp).
struct Due {
  Date on;
  bool estimated = false;
};

Due due_after(const Duration& duration, Date start, const Calendar& calendar, const Scope& scope) {
  int amount = 0;
  if (const int* fixed = std::get_if<int>(&duration.amount)) {
    amount = *fixed;
  } else {
    const Value value = std::get<Expression>(duration.amount).evaluate(scope);
    if (const double* number = value.as_number(); number != nullptr && std::isfinite(*number)) {
      // The documented rule: nearest whole unit; negative counts as 0 (as null does).
      amount = static_cast<int>(std::clamp(std::lround(*number), 0L, 100'000L));
    }
  }
  switch (duration.unit) {
    case Duration::Unit::days:
      return {start.plus_days(amount)};
    case Duration::Unit::working_days: {
      const Date due = calendar.add_working_days(start, amount);
      return {due, calendar.estimates(start, due)};
    }
    case Duration::Unit::months:
      return {start.plus_months(amount)};
  }
  return {start};
}

bool followup_in(const Workflow& workflow, std::string_view state) {
  return workflow.followup && std::find(workflow.followup->in.begin(), workflow.followup->in.end(),
                                        state) != workflow.followup->in.end();
}

// The deadlines that start when a project enters `state` on `today`.
struct StateDeadlines {
  std::optional<Date> sla_due_on;
  bool sla_due_estimated = false;
  std::vector<MilestoneStarted> milestones_started;
  std::optional<Date> followup_due_on;
  bool followup_due_estimated = false;
};

// Whether visits are due in `state` (`def`, when known, answers from the workflow's index).
bool followup_in(const Workflow& workflow, const StateDef* def, std::string_view state) {
  if (def != nullptr) {
    if (const Workflow::Entering* entering = workflow.entering(*def)) return entering->followup;
  }
  return followup_in(workflow, state);
}

// `scope` is over `before` with the edits that come with entering the state. `def` and
// `before_def` are the two states' definitions (nullptr when unknown).
StateDeadlines deadlines_on_entering(const Workflow& workflow, const Project& before,
                                     const StateDef* before_def, const ProjectScope& scope,
                                     const StateDef* def, std::string_view state, Date today) {
  StateDeadlines out;
  const Calendar& calendar = *workflow.calendar;
  if (def != nullptr && def->sla) {
    const Due due = due_after(def->sla->working_days, today, calendar, scope);
    out.sla_due_on = due.on;
    out.sla_due_estimated = due.estimated;
  }
  const auto start = [&](const MilestoneDef& milestone) {
    // A milestone already recorded done stays done when its state is entered again (a
    // project resuming its stage after a declined exit keeps its recorded dates).
    if (const auto done = before.milestones.find(milestone.id);
        done != before.milestones.end() && done->second.done_on) {
      return;
    }
    const Due due = due_after(milestone.within, today, calendar, scope);
    out.milestones_started.push_back({milestone.id, today, due.on, due.estimated});
  };
  if (const Workflow::Entering* entering = def != nullptr ? workflow.entering(*def) : nullptr) {
    for (const MilestoneDef* milestone : entering->milestones)
      start(*milestone);
  } else {
    for (const MilestoneDef& milestone : workflow.milestones) {
      if (milestone.after == state) start(milestone);
    }
  }
  if (followup_in(workflow, def, state)) {
    // Visits stay on their schedule while a project moves between follow-up states.
    if (before.followup_due_on && followup_in(workflow, before_def, before.state)) {
      out.followup_due_on = before.followup_due_on;
      out.followup_due_estimated = before.followup_due_estimated;
    } else {
      const Due due = due_after(workflow.followup->every, today, calendar, scope);
      out.followup_due_on = due.on;
      out.followup_due_estimated = due.estimated;
    }
  }
  return out;
}

// Whether an open milestone counts as done: its actual date recorded, its `done_when`
// holding, or (without `done_when`) its `field` having a value. With `evidence: required`
// the field alone does not count: such a milestone is recorded done, with its evidence.
bool milestone_done(const MilestoneDef* def, const MilestoneState& state, const Scope& scope) {
  if (state.done_on) return true;
  if (def == nullptr) return false;
  if (def->done_when) return def->done_when->holds(scope);
  return !def->evidence_required && !def->field.empty() && scope.value_of(def->field).is_present();
}

// v1.1 `from:` milestones: the clocks that `edits` start or restart by setting their date
// field (due = the field's date + `within`). A milestone already done keeps its clock, and
// clearing the field leaves the clock as it was. `scope` is over the project with `edits`.
void start_milestones_from_fields(const Workflow& workflow, const Project& project,
                                  const FieldMap& edits, const Scope& scope,
                                  std::vector<MilestoneStarted>& started) {
  for (const MilestoneDef& milestone : workflow.milestones) {
    if (milestone.from.empty()) continue;
    const auto edit = edits.find(milestone.from);
    const Date* start = edit != edits.end() ? edit->second.as_date() : nullptr;
    if (start == nullptr) continue;
    const auto running = project.milestones.find(milestone.id);
    if (running != project.milestones.end() && milestone_done(&milestone, running->second, scope)) {
      continue;
    }
    const Due due = due_after(milestone.within, *start, *workflow.calendar, scope);
    started.push_back({milestone.id, *start, due.on, due.estimated});
  }
}

// The day from which a milestone with `warn_before` is in its warning period.
Date warning_from(const Duration& warn_before, Date due, const Calendar& calendar) {
  const int amount =
      std::holds_alternative<int>(warn_before.amount) ? std::get<int>(warn_before.amount) : 0;
  switch (warn_before.unit) {
    case Duration::Unit::days:
      return due.plus_days(-amount);
    case Duration::Unit::working_days:
      return calendar.add_working_days(due, -amount);
    case Duration::Unit::months:
      return due.plus_months(-amount);
  }
  return due;
}

// May the actor edit the project's fields or record its milestones? The owner may, and so
// may anyone whose role can move the project on from its current state.
bool may_work_on(const Workflow& workflow, const Project& project, const Actor& actor) {
  if (!actor.id.empty() && actor.id == project.owner) return true;
  return std::any_of(actor.roles.begin(), actor.roles.end(), [&](const std::string& role) {
    return workflow.role_acts_in(role, project.state);
  });
}

}  // namespace

bool may_comment(const Workflow& workflow, const Project& project, const Actor& actor) {
  if (!actor.id.empty() && actor.id == project.owner) return true;
  return std::any_of(actor.roles.begin(), actor.roles.end(), [&](const std::string& role) {
    const bool in_transition =
        std::any_of(workflow.transitions.begin(), workflow.transitions.end(),
                    [&](const TransitionDef& transition) {
                      return std::find(transition.roles.begin(), transition.roles.end(), role) !=
                             transition.roles.end();
                    });
    return in_transition ||
           std::any_of(workflow.states.begin(), workflow.states.end(), [&](const StateDef& state) {
             return state.review && state.review->voters == role;
           });
  });
}

namespace {

bool terminal(const Workflow& workflow, std::string_view state) {
  const StateDef* def = workflow.find_state(state);
  return def != nullptr && def->terminal;
}

Reason terminal_reason(const Workflow& workflow, const Project& project) {
  const StateDef* def = workflow.find_state(project.state);
  const LocalizedText label = def != nullptr ? def->label : LocalizedText{};
  return make_reason(reason::kTerminalState, "",
                     text("项目已处于终止状态“" + label_zh(label, project.state) + "”，不能再变更",
                          "the project is in the final state '" + label_en(label, project.state) +
                              "' and cannot change"));
}

Reason role_reason(const std::vector<std::string>& roles, std::string_view what_zh,
                   std::string_view what_en) {
  std::string list;
  for (const std::string& role : roles)
    list += (list.empty() ? "" : ", ") + role;
  return make_reason(reason::kRoleNotAllowed, "",
                     text(std::string(what_zh) + "需要以下角色之一：" + list,
                          std::string(what_en) + " needs one of the roles: " + list));
}

// Reasons a transition cannot be taken, with `scope` over the project and the edits.
void check_transition(const Workflow& workflow, const Project& project,
                      const TransitionDef& transition, const ProjectScope& scope,
                      const std::string& comment, bool check_comment, const Actor& actor,
                      std::vector<Reason>& reasons) {
  if (!transition.roles.empty() && !has_any_role(actor, transition.roles)) {
    reasons.push_back(role_reason(transition.roles,
                                  "“" + label_zh(transition.label, transition.id) + "”",
                                  "'" + label_en(transition.label, transition.id) + "'"));
  }
  const std::vector<int>* required_slots = workflow.required_slots(transition);
  for (std::size_t i = 0; i < transition.requires_fields.size(); ++i) {
    const std::string& name = transition.requires_fields[i];
    if (required_slots != nullptr ? scope.field_present_at((*required_slots)[i], name)
                                  : scope.field_present(name)) {
      continue;
    }
    const FieldDef* field = workflow.find_field(name);
    const LocalizedText label = field != nullptr ? field->label : LocalizedText{};
    reasons.push_back(make_reason(reason::kMissingField, name,
                                  text("请填写“" + label_zh(label, name) + "”",
                                       "'" + label_en(label, name) + "' is required")));
  }
  if (check_comment && transition.comment == CommentRule::required &&
      comment.find_first_not_of(" \t\r\n") == std::string::npos) {
    reasons.push_back(
        make_reason(reason::kCommentRequired, "comment",
                    text("“" + label_zh(transition.label, transition.id) + "”需要填写说明",
                         "'" + label_en(transition.label, transition.id) + "' needs a comment")));
  }
  if (transition.when && !transition.when->holds(scope)) {
    const StateDef* state = workflow.find_state(project.state);
    const bool about_review = transition.when->source().find("review.") != std::string::npos;
    if (about_review && state != nullptr && state->review) {
      const ReviewTally tally = review_tally(workflow, project);
      reasons.push_back(make_reason(
          reason::kReviewNotPassed, "",
          text("评审条件未满足（已投" + std::to_string(tally.votes) + "票，最低表决人数" +
                   std::to_string(tally.quorum) + "，同意" + std::to_string(tally.approvals) +
                   "票，回避" + std::to_string(tally.recusals) + "人）",
               "the review does not allow this yet (" + std::to_string(tally.votes) +
                   " votes of quorum " + std::to_string(tally.quorum) + ", " +
                   std::to_string(tally.approvals) + " approvals, " +
                   std::to_string(tally.recusals) + " recusals)")));
    } else {
      reasons.push_back(make_reason(reason::kGuardFailed, "",
                                    text("条件不满足：" + transition.when->source(),
                                         "condition not met: " + transition.when->source())));
    }
  }
  for (const GuardDef& guard : transition.guards) {
    if (guard.check.holds(scope)) continue;
    LocalizedText message{interpolate(guard.message.zh, scope),
                          interpolate(guard.message.en, scope)};
    if (message.empty()) {
      message =
          text("条件不满足：" + guard.check.source(), "condition not met: " + guard.check.source());
    }
    reasons.push_back(make_reason(reason::kGuardFailed, guard.field, std::move(message)));
  }
}

struct Decider {
  const Workflow& workflow;
  const Project& project;
  const Command& command;
  const Actor& actor;
  const Clock& clock;
  const Relations& relations;
  Date today;
  std::vector<Reason> reasons;
  std::vector<Event> events;          // the accepted command's
  const StateDef* current = nullptr;  // current_state()'s answer, once looked up
  bool current_looked_up = false;

  // The project's current state's definition, looked up once per decision.
  const StateDef* current_state() {
    if (!current_looked_up) {
      current = workflow.find_state(project.state);
      current_looked_up = true;
    }
    return current;
  }

  bool require_existing() {
    if (!project.exists()) {
      reasons.push_back(make_reason(reason::kNoSuchProject, "",
                                    text("项目“" + command.project_id + "”不存在",
                                         "no project '" + command.project_id + "'")));
      return false;
    }
    if (current_state() != nullptr && current_state()->terminal) {
      reasons.push_back(terminal_reason(workflow, project));
      return false;
    }
    return true;
  }

  void require_worker() {
    if (!may_work_on(workflow, project, actor)) {
      reasons.push_back(make_reason(
          reason::kRoleNotAllowed, "",
          text("只有项目负责人或当前阶段的经办角色可以修改此项目",
               "only the project's owner or a role that acts in its current stage may change it")));
    }
  }

  // The accepted command's event, built in place in `events` (an Event is large: moving
  // it out of a handler and into the decision cost more than deciding a vote).
  Event& new_event() {
    Event& out = events.emplace_back();
    out.project_id = command.project_id;
    out.version = project.version + 1;
    out.at = clock.now();
    out.actor = actor.id;
    return out;
  }

  // A new project's parent (language v1.1 `parent:`), as `relations.parent` describes the
  // project its caller found under that id.
  void check_parent(const std::string& parent_id) {
    const auto refuse = [&](std::string_view code, std::string zh, std::string en) {
      reasons.push_back(make_reason(code, "parent", text(std::move(zh), std::move(en))));
    };
    if (parent_id.empty()) {
      if (workflow.parent) {
        refuse(reason::kParentRequired, "此类事项须归属于一个项目，请指定所属项目（parent）",
               "items of '" + workflow.id + "' belong to a project: give its id as parent");
      }
      return;
    }
    if (!workflow.parent) {
      refuse(reason::kParentNotAllowed, "此类项目不归属于其他项目，不能指定所属项目",
             "projects of '" + workflow.id + "' have no parent; do not give one");
      return;
    }
    if (!relations.parent || relations.parent->id != parent_id) {
      refuse(reason::kNoSuchParent, "所属项目“" + parent_id + "”不存在",
             "no project '" + parent_id + "' to belong to");
      return;
    }
    const ParentView& parent = *relations.parent;
    if (!workflow.accepts_parent(parent.workflow)) {
      std::string list;
      for (const std::string& id : workflow.parent->workflows)
        list += (list.empty() ? "" : ", ") + id;
      refuse(
          reason::kParentWrongWorkflow,
          "项目“" + parent_id + "”属于流程“" + parent.workflow + "”，此类事项只能归属于：" + list,
          "project '" + parent_id + "' is of workflow '" + parent.workflow + "'; items of '" +
              workflow.id + "' belong to projects of: " + list);
      return;
    }
    if (parent.terminal) {
      refuse(reason::kParentClosed,
             "所属项目“" + parent_id + "”已处于终止状态“" + parent.state + "”，不能再新增事项",
             "project '" + parent_id + "' is in the final state '" + parent.state +
                 "' and takes no new items");
    }
  }

  bool operator()(const CreateProject& create) {
    if (project.exists()) {
      reasons.push_back(make_reason(reason::kProjectExists, "",
                                    text("项目“" + command.project_id + "”已存在",
                                         "project '" + command.project_id + "' already exists")));
      return false;
    }
    if (!std::any_of(actor.roles.begin(), actor.roles.end(), [&](const std::string& role) {
          return workflow.role_acts_in(role, workflow.initial);
        })) {
      reasons.push_back(make_reason(
          reason::kRoleNotAllowed, "",
          text("您的角色不能登记此类项目", "your roles may not register projects of this kind")));
    }
    check_parent(create.parent);
    Project empty;
    FieldMap fields = coerce_edits(workflow, empty, create.fields, reasons);
    for (const FieldDef& field : workflow.fields) {
      if (!field.required) continue;
      const auto it = fields.find(field.name);
      if (it != fields.end() && it->second.is_present()) continue;
      if (create.fields.contains(field.name)) continue;  // already reported as invalid
      reasons.push_back(
          make_reason(reason::kMissingField, field.name,
                      text("请填写“" + label_zh(field.label, field.name) + "”",
                           "'" + label_en(field.label, field.name) + "' is required")));
    }
    if (!reasons.empty()) return false;
    erase_if(fields, [](const auto& entry) { return entry.second.is_null(); });
    Event& out = new_event();
    ProjectCreated created;
    created.workflow = workflow.id;
    created.workflow_version = workflow.version;
    created.state = workflow.initial;
    created.owner = create.owner.empty() ? actor.id : create.owner;
    created.parent = create.parent;
    Project before;
    before.state = workflow.initial;
    const ProjectScope scope(workflow, before, today, &fields, &relations);
    StateDeadlines deadlines =
        deadlines_on_entering(workflow, before, nullptr, scope,
                              workflow.find_state(workflow.initial), workflow.initial, today);
    start_milestones_from_fields(workflow, before, fields, scope, deadlines.milestones_started);
    created.fields = std::move(fields);
    created.sla_due_on = deadlines.sla_due_on;
    created.sla_due_estimated = deadlines.sla_due_estimated;
    created.milestones_started = std::move(deadlines.milestones_started);
    created.followup_due_on = deadlines.followup_due_on;
    created.followup_due_estimated = deadlines.followup_due_estimated;
    out.body = std::move(created);
    return true;
  }

  bool operator()(const EditFields& edit) {
    if (!require_existing()) return false;
    require_worker();
    FieldMap edits = coerce_edits(workflow, project, edit.fields, reasons);
    for (const auto& [name, value] : edits) {
      const FieldDef* field = workflow.find_field(name);
      if (field != nullptr && field->required && !value.is_present()) {
        reasons.push_back(
            make_reason(reason::kMissingField, name,
                        text("“" + label_zh(field->label, name) + "”不能为空",
                             "'" + label_en(field->label, name) + "' cannot be empty")));
      }
    }
    if (reasons.empty() && edits.empty()) {
      reasons.push_back(
          make_reason(reason::kNothingToDo, "", text("没有需要保存的修改", "nothing changed")));
    }
    if (!reasons.empty()) return false;
    std::vector<MilestoneStarted> started;
    start_milestones_from_fields(workflow, project, edits,
                                 ProjectScope(workflow, project, today, &edits), started);
    Event& out = new_event();
    out.body = FieldsEdited{changes_of(project, std::move(edits)), std::move(started)};
    return true;
  }

  bool operator()(const TakeTransition& take) {
    if (!require_existing()) return false;
    const TransitionDef* transition = workflow.find_transition(take.transition);
    if (transition == nullptr) {
      reasons.push_back(make_reason(reason::kUnknownTransition, "transition",
                                    text("未知的操作“" + take.transition + "”",
                                         "unknown transition '" + take.transition + "'")));
      return false;
    }
    if (!transition->leaves(project.state)) {
      const StateDef* state = current_state();
      const LocalizedText label = state != nullptr ? state->label : LocalizedText{};
      reasons.push_back(make_reason(
          reason::kWrongState, "transition",
          text("项目处于“" + label_zh(label, project.state) + "”阶段，不能执行“" +
                   label_zh(transition->label, transition->id) + "”",
               "'" + label_en(transition->label, transition->id) +
                   "' cannot be taken from the stage '" + label_en(label, project.state) + "'")));
      return false;
    }
    FieldMap edits = coerce_edits(workflow, project, take.fields, reasons);
    // One scope for the checks and the new state's deadlines: both read the project with
    // the edits, so fields are looked up and computed values evaluated once.
    const ProjectScope scope(workflow, project, today, &edits, &relations);
    check_transition(workflow, project, *transition, scope, take.comment, true, actor, reasons);
    if (!reasons.empty()) return false;
    Event& out = new_event();
    auto& taken = out.body.emplace<TransitionTaken>();
    taken.transition = transition->id;
    taken.from = project.state;
    taken.to = transition->to;
    taken.comment = take.comment;
    const StateDef* target = workflow.target(*transition);
    StateDeadlines deadlines = deadlines_on_entering(
        workflow, project, current_state(), scope,
        target != nullptr ? target : workflow.find_state(transition->to), transition->to, today);
    start_milestones_from_fields(workflow, project, edits, scope, deadlines.milestones_started);
    taken.changes = changes_of(project, std::move(edits));
    taken.sla_due_on = deadlines.sla_due_on;
    taken.sla_due_estimated = deadlines.sla_due_estimated;
    taken.milestones_started = std::move(deadlines.milestones_started);
    taken.followup_due_on = deadlines.followup_due_on;
    taken.followup_due_estimated = deadlines.followup_due_estimated;
    return true;
  }

  bool operator()(const CastVote& vote) {
    if (!require_existing()) return false;
    const StateDef* state = current_state();
    if (state == nullptr || !state->review) {
      reasons.push_back(
          make_reason(reason::kNoOpenReview, "",
                      text("当前阶段没有进行中的评审", "no review is open in this stage")));
      return false;
    }
    if (!actor.has_role(state->review->voters)) {
      reasons.push_back(
          make_reason(reason::kNotAVoter, "",
                      text("只有“" + state->review->voters + "”角色可以投票",
                           "only the role '" + state->review->voters + "' votes here")));
      return false;
    }
    const auto earlier = std::find_if(project.votes.begin(), project.votes.end(),
                                      [&](const Vote& v) { return v.voter == actor.id; });
    if (earlier != project.votes.end() && earlier->choice == vote.choice &&
        earlier->comment == vote.comment) {
      reasons.push_back(make_reason(reason::kNothingToDo, "",
                                    text("您已投过相同的票", "you already cast this vote")));
      return false;
    }
    Event& out = new_event();
    VoteCast cast{actor.id, vote.choice, vote.comment, earlier != project.votes.end()};
    cast.quorum_reached = reaches_quorum(cast);
    out.body = std::move(cast);
    return true;
  }

  // Whether `cast` brings the open review to its quorum: reached after it, not before.
  bool reaches_quorum(const VoteCast& cast) const {
    if (review_tally(workflow, project).quorum_reached) return false;
    Project after = project;
    const auto earlier = std::find_if(after.votes.begin(), after.votes.end(),
                                      [&](const Vote& v) { return v.voter == cast.voter; });
    Vote vote{cast.voter, cast.choice, cast.comment, clock.now()};
    if (earlier != after.votes.end()) {
      *earlier = std::move(vote);
    } else {
      after.votes.push_back(std::move(vote));
    }
    return review_tally(workflow, after).quorum_reached;
  }

  bool operator()(const CommentProject& comment) {
    if (!require_existing()) return false;
    if (!may_comment(workflow, project, actor)) {
      reasons.push_back(make_reason(
          reason::kRoleNotAllowed, "",
          text("只读角色不能发表评论", "a read-only role cannot comment on a project")));
    }
    const auto blank = [](const std::string& value) {
      return value.find_first_not_of(" \t\r\n") == std::string::npos;
    };
    if (blank(comment.text)) {
      reasons.push_back(make_reason(reason::kMissingField, "text",
                                    text("评论内容不能为空", "the comment cannot be empty")));
    } else if (comment.text.size() > kMaxCommentBytes) {
      reasons.push_back(make_reason(
          reason::kInvalidField, "text",
          text("评论不能超过 " + std::to_string(kMaxCommentBytes) + " 字节",
               "a comment takes at most " + std::to_string(kMaxCommentBytes) + " bytes")));
    }
    if (comment.mentions.size() > kMaxMentions) {
      reasons.push_back(make_reason(
          reason::kInvalidField, "mentions",
          text("一条评论最多提及 " + std::to_string(kMaxMentions) + " 人",
               "a comment mentions at most " + std::to_string(kMaxMentions) + " people")));
    }
    for (const std::string& user : comment.mentions) {
      if (blank(user)) {
        reasons.push_back(
            make_reason(reason::kInvalidField, "mentions",
                        text("提及的用户不能为空", "a mentioned user cannot be empty")));
        break;
      }
    }
    if (!reasons.empty()) return false;
    std::vector<std::string> mentions;
    for (const std::string& user : comment.mentions) {
      if (std::find(mentions.begin(), mentions.end(), user) == mentions.end()) {
        mentions.push_back(user);
      }
    }
    Event& out = new_event();
    out.body = Commented{comment.text, std::move(mentions)};
    return true;
  }

  bool operator()(const RecordMilestone& record) {
    if (!require_existing()) return false;
    const MilestoneDef* milestone = workflow.find_milestone(record.milestone);
    if (milestone == nullptr) {
      reasons.push_back(make_reason(reason::kUnknownMilestone, "milestone",
                                    text("未知的节点“" + record.milestone + "”",
                                         "unknown milestone '" + record.milestone + "'")));
      return false;
    }
    if (!project.milestones.contains(milestone->id)) {
      reasons.push_back(
          make_reason(reason::kMilestoneNotStarted, "milestone",
                      text("节点“" + label_zh(milestone->label, milestone->id) + "”尚未开始计时",
                           "the milestone '" + label_en(milestone->label, milestone->id) +
                               "' has not started")));
      return false;
    }
    require_worker();
    if (!record.planned_on && !record.done_on && record.evidence.empty()) {
      reasons.push_back(make_reason(reason::kNothingToDo, "",
                                    text("请填写计划日期、实际日期或佐证材料",
                                         "give a planned date, an actual date or evidence")));
    }
    // `evidence: required`: the proof is a file (a document number alone is not): the
    // evidence names one of the project's attachments, or a file was attached for this
    // milestone. The text may still carry the document's number.
    if (milestone->evidence_required && record.done_on &&
        project.attachment(record.evidence) == nullptr &&
        std::none_of(project.attachments.begin(), project.attachments.end(),
                     [&](const Attachment& file) { return file.milestone == milestone->id; })) {
      reasons.push_back(
          make_reason(reason::kEvidenceRequired, "evidence",
                      text("节点“" + label_zh(milestone->label, milestone->id) +
                               "”须上传佐证材料（附件）方可登记完成，文号不能代替文件",
                           "the milestone '" + label_en(milestone->label, milestone->id) +
                               "' needs an evidence file (an attachment) to be recorded done")));
    }
    if (is_attachment_id(record.evidence) && project.attachment(record.evidence) == nullptr) {
      reasons.push_back(make_reason(
          reason::kInvalidField, "evidence",
          text("佐证材料所指的附件不在本项目中，请先在“附件”中上传",
               "the evidence names an attachment this project does not have; upload it first")));
    }
    if (record.done_on && *record.done_on > today) {
      reasons.push_back(
          make_reason(reason::kInvalidField, "done_on",
                      text("实际完成日期不能晚于今天", "the actual date cannot be in the future")));
    }
    FieldMap edits;
    if (record.done_on && !milestone->field.empty()) {
      FieldMap raw{{milestone->field, Value::date(*record.done_on)}};
      edits = coerce_edits(workflow, project, raw, reasons);
    }
    if (!reasons.empty()) return false;
    std::vector<MilestoneStarted> started;
    start_milestones_from_fields(workflow, project, edits,
                                 ProjectScope(workflow, project, today, &edits), started);
    Event& out = new_event();
    out.body = MilestoneRecorded{milestone->id,
                                 record.planned_on,
                                 record.done_on,
                                 record.evidence,
                                 changes_of(project, std::move(edits)),
                                 std::move(started)};
    return true;
  }

  bool operator()(const RecordFollowup& visit) {
    if (!require_existing()) return false;
    if (!followup_in(workflow, project.state)) {
      reasons.push_back(
          make_reason(reason::kNotInFollowup, "",
                      text("当前阶段不需要跟踪走访", "no follow-up visits in this stage")));
      return false;
    }
    if (actor.id != project.owner && !actor.has_role(workflow.followup->role)) {
      reasons.push_back(role_reason({workflow.followup->role}, "登记走访", "recording a visit"));
    }
    if (visit.summary.find_first_not_of(" \t\r\n") == std::string::npos) {
      reasons.push_back(make_reason(reason::kMissingField, "summary",
                                    text("请填写走访情况", "the visit needs a summary")));
    }
    if (visit.on > today) {
      reasons.push_back(
          make_reason(reason::kInvalidField, "on",
                      text("走访日期不能晚于今天", "the visit date cannot be in the future")));
    }
    if (!reasons.empty()) return false;
    const ProjectScope scope(workflow, project, today, nullptr, &relations);
    Event& out = new_event();
    const Due next = due_after(workflow.followup->every, visit.on, *workflow.calendar, scope);
    out.body = FollowupRecorded{visit.on, visit.summary, visit.issues, next.on, next.estimated};
    return true;
  }

  // Timers: the rules live in engine/deadlines.cpp.
  bool operator()(const FireDeadline& fire) {
    if (!require_existing()) return false;
    auto fired = decide_fire_deadline(workflow, project, fire, actor, today, reasons);
    if (!fired) return false;
    Event& out = new_event();
    out.body = std::move(*fired);
    return true;
  }

  bool operator()(const ExtendDeadline& extend) {
    if (!require_existing()) return false;
    auto extended = decide_extend_deadline(workflow, project, extend, actor, today, reasons);
    if (!extended) return false;
    Event& out = new_event();
    out.body = std::move(*extended);
    return true;
  }

  // 到位资金: one ledger entry; the funds_in_place-tagged field becomes the new sum.
  bool operator()(const RecordFunds& record) {
    if (!require_existing()) return false;
    require_worker();
    const FieldDef* field = workflow.tagged(FieldTag::funds_in_place);
    if (field == nullptr) {
      reasons.push_back(make_reason(
          reason::kNoFundsField, "",
          text("此类项目没有到位资金字段，不登记到位资金",
               "projects of '" + workflow.id + "' have no funds-in-place field to record")));
      return false;
    }
    const std::optional<int> month = parse_funds_month(record.month);
    if (!month) {
      reasons.push_back(
          make_reason(reason::kInvalidField, "month",
                      text("到位月份“" + record.month + "”格式不对，应为“YYYY-MM”，如 2026-10",
                           "month '" + record.month + "' is not YYYY-MM, e.g. 2026-10")));
    } else if (*month > today.year() * 100 + today.ymd().month) {
      reasons.push_back(make_reason(
          reason::kInvalidField, "month",
          text("到位月份不能晚于本月", "the month cannot be later than the current month")));
    }
    if (!std::isfinite(record.amount) || std::fabs(record.amount) > 1e12) {
      reasons.push_back(
          make_reason(reason::kInvalidField, "amount",
                      text("到位金额须为数字（万元）", "the amount must be a number (万元)")));
    } else if (record.amount == 0) {
      reasons.push_back(make_reason(reason::kInvalidField, "amount",
                                    text("到位金额不能为零", "the amount cannot be zero")));
    } else if (record.amount < 0 &&
               record.comment.find_first_not_of(" \t\r\n") == std::string::npos) {
      reasons.push_back(make_reason(
          reason::kCommentRequired, "comment",
          text("更正（负数金额）须填写说明", "a correction (a negative amount) needs a comment")));
    }
    const std::optional<FundsSource> source = parse_funds_source(record.source);
    if (!source) {
      reasons.push_back(make_reason(
          reason::kInvalidField, "source",
          text("未知的资金来源“" + record.source + "”，应为：本市、市外省内、省外、境外",
               "unknown source '" + record.source +
                   "': local, other_city, other_province or abroad")));
    }
    double sum = 0;
    for (const FundsEntry& entry : project.funds)
      sum += entry.amount;
    // 万元 to six decimals: sums of decimal amounts stay the amounts people typed.
    const double total = std::round((sum + record.amount) * 1e6) / 1e6;
    if (std::isfinite(record.amount) && total < 0) {
      reasons.push_back(make_reason(
          reason::kInvalidField, "amount",
          text("更正后累计到位资金不能为负数", "the corrected total cannot be negative")));
    }
    if (!reasons.empty()) return false;
    FundsRecorded recorded;
    recorded.month = record.month;
    recorded.amount = record.amount;
    recorded.source = *source;
    recorded.evidence = record.evidence;
    recorded.comment = record.comment;
    Value after = Value::number(total);
    Value before = project.field(field->name);
    if (before != after)
      recorded.changes.push_back({field->name, std::move(before), std::move(after)});
    Event& out = new_event();
    out.body = std::move(recorded);
    return true;
  }

  // 督办 and 转交: the rules live in engine/supervision.cpp.
  bool operator()(const Supervise& supervise) {
    if (!require_existing()) return false;
    auto supervised = decide_supervise(workflow, project, supervise, actor, today, reasons);
    if (!supervised) return false;
    Event& out = new_event();
    out.body = std::move(*supervised);
    return true;
  }

  bool operator()(const Reassign& reassign) {
    if (!require_existing()) return false;
    auto reassigned = decide_reassign(workflow, project, reassign, actor, reasons);
    if (!reassigned) return false;
    Event& out = new_event();
    out.body = std::move(*reassigned);
    return true;
  }

  bool operator()(const AttachFile& attach) {
    if (!require_existing()) return false;
    require_worker();
    if (!is_attachment_id(attach.attachment_id)) {
      reasons.push_back(make_reason(
          reason::kInvalidField, "attachment_id",
          text("附件编号应为 64 位十六进制 SHA-256", "the attachment id must be a hex SHA-256")));
    }
    const bool bad_name =
        attach.filename.empty() || attach.filename.size() > 255 ||
        attach.filename.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos ||
        std::any_of(attach.filename.begin(), attach.filename.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    if (bad_name) {
      reasons.push_back(make_reason(reason::kInvalidField, "filename",
                                    text("文件名须为 1 至 255 字节，不含路径和控制字符",
                                         "the file name must be 1 to 255 bytes, without a "
                                         "path or control characters")));
    }
    if (attach.size < 0 || attach.media_type.empty()) {
      reasons.push_back(make_reason(reason::kInvalidField, "size",
                                    text("附件的大小或类型无效", "invalid size or media type")));
    }
    if (!attach.milestone.empty() && workflow.find_milestone(attach.milestone) == nullptr) {
      reasons.push_back(make_reason(reason::kUnknownMilestone, "milestone",
                                    text("未知的节点“" + attach.milestone + "”",
                                         "unknown milestone '" + attach.milestone + "'")));
    }
    if (project.attachment(attach.attachment_id) != nullptr) {
      reasons.push_back(make_reason(
          reason::kNothingToDo, "attachment_id",
          text("该文件已是本项目的附件", "this file is attached to the project already")));
    }
    if (!reasons.empty()) return false;
    Event& out = new_event();
    out.body = FileAttached{attach.attachment_id, attach.filename, attach.size, attach.media_type,
                            attach.milestone};
    return true;
  }

  // The rules live in engine/migration.cpp. A project in a final state may move too: the
  // caller chooses which projects to move.
  bool operator()(const MigrateWorkflow& migrate) {
    if (!project.exists()) return require_existing();
    if (migrate.target == nullptr || migrate.target->id != workflow.id ||
        migrate.target->version != migrate.to_version) {
      reasons.push_back(make_reason(
          reason::kWrongWorkflow, "",
          text("流程“" + workflow.id + "”没有第" + std::to_string(migrate.to_version) + "版",
               "workflow '" + workflow.id + "' has no version " +
                   std::to_string(migrate.to_version))));
      return false;
    }
    if (project.workflow_version == migrate.to_version) {
      reasons.push_back(make_reason(
          reason::kNothingToDo, "",
          text("项目已在第" + std::to_string(migrate.to_version) + "版",
               "the project is on version " + std::to_string(migrate.to_version) + " already")));
      return false;
    }
    MigrationPlan plan =
        plan_migration(workflow, *migrate.target, project, migrate.state_map, today);
    if (!plan.ok()) {
      for (Reason& reason : plan.reasons)
        reasons.push_back(std::move(reason));
      return false;
    }
    Event& out = new_event();
    out.body = std::move(plan.migrated);
    return true;
  }
};

void apply_changes(Project& project, const std::vector<FieldChange>& changes) {
  for (const FieldChange& change : changes) {
    if (change.after.is_null()) {
      project.fields.erase(change.field);
    } else {
      project.fields.insert_or_assign(change.field, change.after);
    }
  }
}

// A milestone started again (its state re-entered) starts afresh.
template <typename Started>
void start_milestones(Project& project, Started&& started) {
  for (auto& milestone : started) {
    const auto at = project.milestones.lower_bound(milestone.milestone);
    if (at != project.milestones.end() && at->first == milestone.milestone) {
      at->second = MilestoneState{at->first, milestone.started_on, milestone.due_on, {}, {},
                                  {},        milestone.estimated};
      continue;
    }
    MilestoneState state{{}, milestone.started_on, milestone.due_on, {}, {},
                         {}, milestone.estimated};
    if constexpr (std::is_rvalue_reference_v<Started&&>) {
      state.id = std::move(milestone.milestone);
    } else {
      state.id = milestone.milestone;
    }
    std::string key = state.id;
    project.milestones.emplace_hint(at, std::move(key), std::move(state));
  }
}

DueItem::Status status_of(Date due, Date today, int warn_before, const Calendar& calendar,
                          int& working_days_left) {
  working_days_left = calendar.working_days_between(today, due);
  if (today > due) return DueItem::Status::overdue;
  if (working_days_left <= warn_before) return DueItem::Status::warning;
  return DueItem::Status::pending;
}

}  // namespace

namespace detail {

DueDate due_under(const Workflow& workflow, const Project& project, const Duration& duration,
                  Date start, Date today) {
  const ProjectScope scope(workflow, project, today);
  const Due due = due_after(duration, start, *workflow.calendar, scope);
  return {due.on, due.estimated};
}

bool milestone_done_under(const Workflow& workflow, const Project& project, const MilestoneDef* def,
                          const MilestoneState& state, Date today) {
  const ProjectScope scope(workflow, project, today);
  return milestone_done(def, state, scope);
}

bool followup_in_state(const Workflow& workflow, std::string_view state) {
  return followup_in(workflow, state);
}

}  // namespace detail

bool Rejection::has(std::string_view code) const {
  return std::any_of(reasons.begin(), reasons.end(),
                     [&](const Reason& r) { return r.code == code; });
}

Decision decide(const Workflow& workflow, const Project& project, const Command& command,
                const Actor& actor, const Clock& clock, const Relations& relations) {
  Decider decider{workflow, project, command, actor, clock, relations, local_date(clock.now()),
                  {},       {}};
  if (command.expected_version && *command.expected_version != project.version) {
    decider.reasons.push_back(make_reason(
        reason::kStaleVersion, "",
        text("项目已被他人修改（当前版本 " + std::to_string(project.version) + "，您看到的是 " +
                 std::to_string(*command.expected_version) + "），请刷新后重试",
             "the project changed meanwhile (version " + std::to_string(project.version) +
                 ", you saw " + std::to_string(*command.expected_version) +
                 "); reload and retry")));
  }
  const bool accepted = std::visit(decider, command.body);
  if (!decider.reasons.empty() || !accepted) {
    return fail(Rejection{std::move(decider.reasons), project.version});
  }
  return std::move(decider.events);
}

namespace {

// The fold, in place, from an event taken as const& (copied from) or && (moved from:
// a created project takes the event's fields without copying them).
template <typename EventRef>
void fold(Project& project, EventRef&& event) {
  project.version = event.version;
  project.updated_at = event.at;
  const auto start_milestones_of = [&project](auto& body) {
    if constexpr (std::is_rvalue_reference_v<EventRef&&>) {
      start_milestones(project, std::move(body.milestones_started));
    } else {
      start_milestones(project, std::as_const(body.milestones_started));
    }
  };
  std::visit(
      [&](auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, ProjectCreated>) {
          project.id = event.project_id;
          project.workflow = body.workflow;
          project.workflow_version = body.workflow_version;
          project.state = body.state;
          project.owner = body.owner;
          project.parent = body.parent;
          if constexpr (std::is_rvalue_reference_v<EventRef&&>) {
            project.fields = std::move(body.fields);
          } else {
            project.fields = body.fields;
          }
          project.created_at = event.at;
          project.state_entered_at = event.at;
          project.sla_due_on = body.sla_due_on;
          project.sla_due_estimated = body.sla_due_estimated;
          start_milestones_of(body);
          project.followup_due_on = body.followup_due_on;
          project.followup_due_estimated = body.followup_due_estimated;
        } else if constexpr (std::is_same_v<T, FieldsEdited>) {
          apply_changes(project, body.changes);
          start_milestones_of(body);
        } else if constexpr (std::is_same_v<T, TransitionTaken>) {
          apply_changes(project, body.changes);
          if (!project.votes.empty()) {
            project.closed_reviews.push_back(ClosedReview{project.state, body.transition, body.to,
                                                          event.at, std::move(project.votes)});
          }
          project.state = body.to;
          project.state_entered_at = event.at;
          project.votes.clear();
          project.sla_due_on = body.sla_due_on;
          project.sla_due_estimated = body.sla_due_estimated;
          start_milestones_of(body);
          project.followup_due_on = body.followup_due_on;
          project.followup_due_estimated = body.followup_due_estimated;
        } else if constexpr (std::is_same_v<T, VoteCast>) {
          Vote vote{body.voter, body.choice, body.comment, event.at};
          const auto earlier = std::find_if(project.votes.begin(), project.votes.end(),
                                            [&](const Vote& v) { return v.voter == body.voter; });
          if (earlier != project.votes.end()) {
            *earlier = std::move(vote);
          } else {
            project.votes.push_back(std::move(vote));
          }
        } else if constexpr (std::is_same_v<T, MilestoneRecorded>) {
          apply_changes(project, body.changes);
          if (const auto it = project.milestones.find(body.milestone);
              it != project.milestones.end()) {
            if (body.planned_on) it->second.planned_on = body.planned_on;
            if (body.done_on) it->second.done_on = body.done_on;
            if (!body.evidence.empty()) it->second.evidence = body.evidence;
          }
          start_milestones_of(body);
        } else if constexpr (std::is_same_v<T, FollowupRecorded>) {
          project.visits.push_back({body.on, event.actor, body.summary, body.issues});
          project.followup_due_on = body.next_due_on;
          project.followup_due_estimated = body.next_due_estimated;
        } else if constexpr (std::is_same_v<T, DeadlineFired>) {
          apply_deadline_fired(project, body);
        } else if constexpr (std::is_same_v<T, DeadlineExtended>) {
          apply_deadline_extended(project, body);
        } else if constexpr (std::is_same_v<T, WorkflowMigrated>) {
          apply_changes(project, body.changes);
          apply_workflow_migrated(project, body);
        } else if constexpr (std::is_same_v<T, FundsRecorded>) {
          apply_changes(project, body.changes);
          project.funds.push_back({body.month, body.amount, body.source, body.evidence,
                                   body.comment, event.actor, event.at});
        } else if constexpr (std::is_same_v<T, Supervised>) {
          apply_supervised(project, body);
        } else if constexpr (std::is_same_v<T, Reassigned>) {
          apply_reassigned(project, body);
        } else if constexpr (std::is_same_v<T, FileAttached>) {
          project.attachments.push_back(Attachment{body.attachment_id, body.filename, body.size,
                                                   body.media_type, body.milestone, event.actor,
                                                   event.at});
        } else if constexpr (std::is_same_v<T, Commented>) {
          // The comment lives in the log (history); the project itself does not change.
        }
      },
      event.body);
  forget_replaced_deadlines(project, event);
}

}  // namespace

void apply_in_place(Project& project, const Event& event) {
  fold(project, event);
}
void apply_in_place(Project& project, Event&& event) {
  fold(project, std::move(event));
}

Project apply(Project project, const Event& event) {
  fold(project, event);
  return project;
}

Result<Project, Rejection> execute(const Workflow& workflow, const Project& project,
                                   const Command& command, const Actor& actor, const Clock& clock,
                                   std::vector<Event>* events, const Relations& relations) {
  Decision decision = decide(workflow, project, command, actor, clock, relations);
  if (!decision) return fail(std::move(decision.error()));
  Project next = project;
  for (const Event& event : decision.value())
    apply_in_place(next, event);
  if (events != nullptr) {
    for (Event& event : decision.value())
      events->push_back(std::move(event));
  }
  return next;
}

std::vector<TransitionOption> transition_options(const Workflow& workflow, const Project& project,
                                                 const Actor& actor, const Clock& clock,
                                                 const Relations& relations) {
  std::vector<TransitionOption> options;
  if (!project.exists() || terminal(workflow, project.state)) return options;
  const Date today = local_date(clock.now());
  const ProjectScope scope(workflow, project, today, nullptr, &relations);
  for (const TransitionDef* transition : workflow.transitions_from(project.state)) {
    if (!transition->roles.empty() && !has_any_role(actor, transition->roles)) continue;
    TransitionOption option{transition, {}};
    check_transition(workflow, project, *transition, scope, "", false, actor, option.blocked_by);
    options.push_back(std::move(option));
  }
  return options;
}

std::vector<DueItem> due_items(const Workflow& workflow, const Project& project, Date today) {
  std::vector<DueItem> items;
  if (!project.exists() || terminal(workflow, project.state)) return items;
  const Calendar& calendar = *workflow.calendar;
  if (project.sla_due_on) {
    const StateDef* state = workflow.find_state(project.state);
    const int warn = state != nullptr && state->sla ? state->sla->warn_before_working_days : 1;
    DueItem item{DueItem::Kind::sla, project.state, *project.sla_due_on};
    item.estimated = project.sla_due_estimated;
    item.status = status_of(item.due_on, today, warn, calendar, item.working_days_left);
    items.push_back(std::move(item));
  }
  const ProjectScope scope(workflow, project, today);
  for (const auto& [id, milestone] : project.milestones) {
    const MilestoneDef* def = workflow.find_milestone(id);
    if (milestone_done(def, milestone, scope)) continue;
    DueItem item{DueItem::Kind::milestone, id, milestone.due_on};
    item.estimated = milestone.estimated;
    item.status =
        status_of(item.due_on, today, kMilestoneWarnWorkingDays, calendar, item.working_days_left);
    if (def != nullptr && def->warn_before && item.status != DueItem::Status::overdue) {
      // Its own warning period replaces the default one.
      item.status = today >= warning_from(*def->warn_before, item.due_on, calendar)
                        ? DueItem::Status::warning
                        : DueItem::Status::pending;
    }
    items.push_back(std::move(item));
  }
  if (project.followup_due_on) {
    DueItem item{DueItem::Kind::followup, "followup", *project.followup_due_on};
    item.estimated = project.followup_due_estimated;
    item.status =
        status_of(item.due_on, today, kMilestoneWarnWorkingDays, calendar, item.working_days_left);
    items.push_back(std::move(item));
  }
  return items;
}

namespace {
constexpr EnumName<DueItem::Kind> kDueKinds[] = {{DueItem::Kind::sla, "sla"},
                                                 {DueItem::Kind::milestone, "milestone"},
                                                 {DueItem::Kind::followup, "followup"}};
static_assert(in_order(kDueKinds));
constexpr EnumName<DueItem::Status> kDueStatuses[] = {{DueItem::Status::pending, "pending"},
                                                      {DueItem::Status::warning, "warning"},
                                                      {DueItem::Status::overdue, "overdue"}};
static_assert(in_order(kDueStatuses));
}  // namespace

std::string_view due_kind_name(DueItem::Kind kind) {
  return name_in(kDueKinds, kind);
}
std::string_view due_status_name(DueItem::Status status) {
  return name_in(kDueStatuses, status);
}

ReviewTally review_tally(const Workflow& workflow, const Project& project) {
  ReviewTally tally;
  const StateDef* state = workflow.find_state(project.state);
  if (state == nullptr || !state->review) return tally;
  for (const Vote& vote : project.votes) {
    switch (vote.choice) {
      case VoteChoice::approve:
        ++tally.approvals;
        break;
      case VoteChoice::reject:
        ++tally.rejections;
        break;
      case VoteChoice::abstain:
        ++tally.abstentions;
        break;
      case VoteChoice::recuse:
        ++tally.recusals;
        break;
    }
  }
  tally.votes = tally.approvals + tally.rejections + tally.abstentions;
  const ReviewDef& review = *state->review;
  if (review.quorum_denominator > 0) {
    // The eligible panel: the role's holders (or, unknown, the ballots cast) minus
    // recusals. Rounded up, and at least one vote.
    const int panel =
        project.review_panel > 0 ? project.review_panel : static_cast<int>(project.votes.size());
    const int eligible = std::max(panel - tally.recusals, 0);
    tally.quorum = std::max((eligible * review.quorum_numerator + review.quorum_denominator - 1) /
                                review.quorum_denominator,
                            1);
  } else {
    tally.quorum = review.quorum;
  }
  tally.quorum_reached = tally.votes >= tally.quorum;
  if (tally.quorum_reached) {
    ProjectScope scope(workflow, project, local_date(project.updated_at));
    scope.set_vote_names(&tally);
    tally.passed = state->review->pass.holds(scope);
  }
  return tally;
}

Value evaluate_name(const Workflow& workflow, const Project& project, std::string_view name,
                    Date today) {
  return ProjectScope(workflow, project, today).value_of(name);
}

// Small out-of-line pieces of the model headers.

Value Project::field(std::string_view name) const {
  const auto it = fields.find(name);
  return it == fields.end() ? Value() : it->second;
}

const Attachment* Project::attachment(std::string_view attachment_id) const {
  const auto it = std::find_if(attachments.begin(), attachments.end(),
                               [&](const Attachment& a) { return a.id == attachment_id; });
  return it == attachments.end() ? nullptr : &*it;
}

bool is_attachment_id(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool Actor::has_role(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

namespace {

using CommandBody = decltype(Command::body);
constexpr AlternativeName kCommandNames[] = {
    alternative<CreateProject, CommandBody>("create"),
    alternative<EditFields, CommandBody>("edit"),
    alternative<TakeTransition, CommandBody>("transition"),
    alternative<CastVote, CommandBody>("vote"),
    alternative<RecordMilestone, CommandBody>("milestone"),
    alternative<RecordFollowup, CommandBody>("followup"),
    alternative<FireDeadline, CommandBody>("fire_deadline"),
    alternative<ExtendDeadline, CommandBody>("extend_deadline"),
    alternative<MigrateWorkflow, CommandBody>("migrate"),
    alternative<RecordFunds, CommandBody>("funds"),
    alternative<Supervise, CommandBody>("supervise"),
    alternative<Reassign, CommandBody>("reassign"),
    alternative<AttachFile, CommandBody>("attach"),
    alternative<CommentProject, CommandBody>("comment")};
static_assert(names_alternatives_in_order<CommandBody>(kCommandNames));

using EventBody = decltype(Event::body);
constexpr AlternativeName kEventTypes[] = {
    alternative<ProjectCreated, EventBody>("project_created"),
    alternative<FieldsEdited, EventBody>("fields_edited"),
    alternative<TransitionTaken, EventBody>("transition_taken"),
    alternative<VoteCast, EventBody>("vote_cast"),
    alternative<MilestoneRecorded, EventBody>("milestone_recorded"),
    alternative<FollowupRecorded, EventBody>("followup_recorded"),
    alternative<DeadlineFired, EventBody>("deadline_fired"),
    alternative<DeadlineExtended, EventBody>("deadline_extended"),
    alternative<WorkflowMigrated, EventBody>("workflow_migrated"),
    alternative<FundsRecorded, EventBody>("funds_recorded"),
    alternative<Supervised, EventBody>("supervised"),
    alternative<Reassigned, EventBody>("reassigned"),
    alternative<FileAttached, EventBody>("file_attached"),
    alternative<Commented, EventBody>("commented")};
static_assert(names_alternatives_in_order<EventBody>(kEventTypes));
}  // namespace

std::string_view vote_choice_name(VoteChoice choice) {
  return name_in(kVoteChoiceNames, choice);
}
std::optional<VoteChoice> parse_vote_choice(std::string_view name) {
  return value_named(kVoteChoiceNames, name);
}

std::string_view command_name(const Command& command) {
  return kCommandNames[command.body.index()].name;
}

std::string_view event_type(const Event& event) {
  return kEventTypes[event.body.index()].name;
}

bool is_event_type(std::string_view name) {
  return std::any_of(std::begin(kEventTypes), std::end(kEventTypes),
                     [&](const AlternativeName& type) { return type.name == name; });
}

}  // namespace investflow::engine
