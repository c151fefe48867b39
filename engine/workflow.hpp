#pragma once
// The workflow model: what a workflow YAML file (v1) means once loaded and checked.
// Built by workflows/ (the loader); read by decide/apply. Immutable after loading.

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "engine/calendar.hpp"
#include "engine/expression.hpp"
#include "engine/names.hpp"
#include "engine/value.hpp"

namespace investflow::engine {

// A label in the two languages the console speaks. Either may be empty; `in` falls back.
struct LocalizedText {
  std::string zh;  // zh-CN, the default
  std::string en;
  const std::string& in(std::string_view lang) const;
  bool empty() const { return zh.empty() && en.empty(); }
  friend bool operator==(const LocalizedText&, const LocalizedText&) = default;
};

enum class FieldType { text, number, money, area, date, boolean, enumeration, user, list };
// As written in YAML.
inline constexpr EnumName<FieldType> kFieldTypeNames[] = {
    {FieldType::text, "text"},        {FieldType::number, "number"}, {FieldType::money, "money"},
    {FieldType::area, "area"},        {FieldType::date, "date"},     {FieldType::boolean, "bool"},
    {FieldType::enumeration, "enum"}, {FieldType::user, "user"},     {FieldType::list, "list"},
};
static_assert(in_order(kFieldTypeNames));
std::string_view field_type_name(FieldType type);  // as written in YAML: text, enum, bool, ...
std::optional<FieldType> parse_field_type(std::string_view name);
ExprType expr_type_of(FieldType type);

// Language v1.1 `report:` tags: what a state or a field means to reports. Reports read only
// these, never state or field names (docs/reports.md says which figure reads which tag).
enum class StateTag {
  lead,
  signing,  // written `signed`
  construction_started,
  completed,
  in_production,
  at_capacity,
  exited,
  resolved,  // problems (issue 17): the item was solved and closed (办结/销号)
};
// As written in YAML.
inline constexpr EnumName<StateTag> kStateTagNames[] = {
    {StateTag::lead, "lead"},
    {StateTag::signing, "signed"},
    {StateTag::construction_started, "construction_started"},
    {StateTag::completed, "completed"},
    {StateTag::in_production, "in_production"},
    {StateTag::at_capacity, "at_capacity"},
    {StateTag::exited, "exited"},
    {StateTag::resolved, "resolved"},
};
static_assert(in_order(kStateTagNames));
inline constexpr std::size_t kStateTagCount = std::size(kStateTagNames);

enum class FieldTag {
  investment,            // money: the project's (planned total) investment
  committed_investment,  // money: the investment the agreement commits to
  funds_in_place,        // money: funds in place (到位资金)
  floor_area,            // area, m²
  land_area,             // area, 亩
  enterprise,            // text: the investing or implementing enterprise
  industry,              // enum or text: the industry (filters, dimensions)
  chain_role,            // enum or text: the role in the industrial chain
  promoting_unit,        // enum or text: the unit that brought the project in
  name,                  // text: the project's name (lists, search, notifications)
  // problems (issue 17)
  responsible_unit,  // enum or text: the department answerable for an item (责任单位)
  problem_category,  // enum or text: what kind of problem an item is (用地, 融资 ...)
};
inline constexpr EnumName<FieldTag> kFieldTagNames[] = {
    {FieldTag::investment, "investment"},
    {FieldTag::committed_investment, "committed_investment"},
    {FieldTag::funds_in_place, "funds_in_place"},
    {FieldTag::floor_area, "floor_area"},
    {FieldTag::land_area, "land_area"},
    {FieldTag::enterprise, "enterprise"},
    {FieldTag::industry, "industry"},
    {FieldTag::chain_role, "chain_role"},
    {FieldTag::promoting_unit, "promoting_unit"},
    {FieldTag::name, "name"},
    {FieldTag::responsible_unit, "responsible_unit"},
    {FieldTag::problem_category, "problem_category"},
};
static_assert(in_order(kFieldTagNames));
inline constexpr std::size_t kFieldTagCount = std::size(kFieldTagNames);

// kpis (issue 16): what a milestone means to reports. Its due day is the date the agreement
// binds the project to (registration deadline, agreed construction start, planned completion,
// the first money due), its actual date (recorded, or its date field) when it was kept.
enum class MilestoneTag {
  registration,        // registered in the zone by the agreed deadline
  construction_start,  // construction started by the agreed date (按期开工)
  completion,          // construction completed by the planned date (按期竣工)
  funds,               // the agreement's first funds (e.g. the performance bond) on schedule
};
inline constexpr EnumName<MilestoneTag> kMilestoneTagNames[] = {
    {MilestoneTag::registration, "registration"},
    {MilestoneTag::construction_start, "construction_start"},
    {MilestoneTag::completion, "completion"},
    {MilestoneTag::funds, "funds"},
};
static_assert(in_order(kMilestoneTagNames));
inline constexpr std::size_t kMilestoneTagCount = std::size(kMilestoneTagNames);

// The figures a workflow's `report: {sentence: …}` may name as {placeholders}, each with
// the tags it reads: the loader refuses a placeholder whose tag the workflow lacks, so a
// sentence never writes a figure that is not applicable. `stages` is the current count per
// non-terminal stage ("运营中5个、已揭牌启动2个").
struct SentenceFigure {
  std::string_view name;
  std::optional<StateTag> state;
  std::optional<FieldTag> field;
};
inline constexpr SentenceFigure kSentenceFigures[] = {
    {"new_projects", std::nullopt, std::nullopt},
    {"new_investment", std::nullopt, FieldTag::investment},
    {"enterprises", std::nullopt, FieldTag::enterprise},
    {"floor_area", std::nullopt, FieldTag::floor_area},
    {"signed", StateTag::signing, std::nullopt},
    {"signed_investment", StateTag::signing, FieldTag::investment},
    {"started", StateTag::construction_started, std::nullopt},
    {"completed", StateTag::completed, std::nullopt},
    {"in_production", StateTag::in_production, std::nullopt},
    {"stages", std::nullopt, std::nullopt},
};
// The field types a tag may go on: money tags on money fields, area tags on area fields,
// enterprise and name on text, the dimensions (industry, chain_role, promoting_unit,
// responsible_unit, problem_category) on enum or text.
bool field_tag_fits(FieldTag tag, FieldType type);

struct FieldDef {
  std::string name;
  FieldType type = FieldType::text;
  bool required = false;  // required at creation
  LocalizedText label;
  LocalizedText help;
  std::string group;          // console grouping, e.g. basic, investment, land, landing
  std::string unit;           // 万元, 亩, m², tce/year ... (display only)
  std::optional<double> min;  // number-like: value bounds; text/list: length bounds
  std::optional<double> max;
  std::vector<std::string> options;  // enum (and list items when given)
  std::map<std::string, LocalizedText, std::less<>> option_labels;
  // Former labels still accepted on import: column headers (`aliases:`) and, per option,
  // option texts (`option_aliases:`). Never shown; export writes the current label.
  std::vector<std::string> aliases;
  std::map<std::string, std::vector<std::string>, std::less<>> option_aliases;
  // A list field's items: text, or user ids (`items: user`), which notify rules can name.
  FieldType items = FieldType::text;
  std::optional<FieldTag> report = std::nullopt;  // v1.1 `report:`
};

struct TableDef {
  std::string name;
  SortedNameMap<Value> entries;   // key -> value, in key order
  std::optional<Value> fallback;  // the `default` entry
};

struct ComputedDef {
  std::string name;
  LocalizedText label;
  Expression expression;
};

// An amount of time: a fixed count or an expression evaluated when the clock starts
// (e.g. a build period that depends on project size). An expression's number is rounded to
// the nearest whole unit; null, a non-number or a negative number counts as 0 (due the day
// the clock starts), so a deadline is never silently missing nor before its start.
struct Duration {
  enum class Unit { days, working_days, months };
  Unit unit = Unit::days;
  std::variant<int, Expression> amount = 0;
};

struct SlaDef {
  // v1.1: a count or an expression (`total_investment >= 10000 ? 1 : 3`), always in
  // working days, evaluated on the project when the state is entered.
  Duration working_days{Duration::Unit::working_days, 0};
  int warn_before_working_days = 1;   // sla_warning fires this many working days before
  std::vector<std::string> escalate;  // roles told on sla_overdue
};

struct ReviewDef {
  std::string voters;  // the role whose members vote
  int quorum = 1;      // votes needed before `pass` is considered
  // Evaluated with approvals, rejections, abstentions, recusals, votes in scope.
  Expression pass;
  // `quorum: "2/3"`: a fraction of the eligible panel (holders of the voters' role minus
  // recusals), rounded up; when set (denominator > 0) it replaces the fixed `quorum`.
  int quorum_numerator = 0;
  int quorum_denominator = 0;
  // `blind: true` (issue 22): a voter sees the others' ballots only once they have voted
  // or the review has closed (the API hides them; the engine decides as usual).
  bool blind = false;
};

struct StateDef {
  std::string id;
  LocalizedText label;
  bool terminal = false;
  std::optional<SlaDef> sla;
  std::optional<ReviewDef> review;
  std::optional<StateTag> report = std::nullopt;  // v1.1 `report:`
};

struct GuardDef {
  Expression check;
  LocalizedText message;  // may contain {name} interpolations
  std::string field;      // the field the message is about (for API errors); may be empty
};

enum class CommentRule { optional, required };

struct TransitionDef {
  std::string id;
  LocalizedText label;
  bool from_any = false;          // "*": every non-terminal state
  std::vector<std::string> from;  // when !from_any
  std::string to;
  std::vector<std::string> roles;            // empty: any role of the workflow
  std::vector<std::string> requires_fields;  // `requires:` present after the edit
  std::vector<GuardDef> guards;
  CommentRule comment = CommentRule::optional;
  std::optional<Expression> when;  // e.g. review.passed; failure reason: review_not_passed

  bool leaves(std::string_view state) const;  // may be taken from `state` (ignores terminal)
};

struct MilestoneDef {
  std::string id;
  LocalizedText label;
  std::string after;  // the state whose entry starts the clock
  Duration within;
  std::string field;                    // optional date field that recording the milestone sets
  std::optional<Expression> done_when;  // default: present(field), or a recorded date
  // v1.1: the clock may start from a date field instead of a state entry (`from:`): when
  // the field is set, due = its date + `within`, recomputed while the milestone is open.
  // Exactly one of `after` and `from` is set.
  std::string from;
  std::optional<Duration> warn_before;  // v1.1: milestone_warning this long before the due day
  bool evidence_required = false;       // v1.1: recording it done needs an evidence reference
  std::optional<MilestoneTag> report = std::nullopt;  // kpis (issue 16) `report:`
};

struct FollowupDef {
  std::vector<std::string> in;  // states in which visits are due
  Duration every;
  std::string role;  // who makes visits
};

// What a notify rule listens for (engine/notify_trigger.hpp names them and lists what an
// event raises): entering or leaving a state, a transition, or a timer.
struct NotifyTrigger {
  enum class Kind {
    enter,
    leave,
    transition,
    sla_warning,
    sla_overdue,
    milestone_warning,
    milestone_overdue,
    followup_due,
    supervised,  // v1.1: a supervised event (督办)
    reassigned,  // v1.1: a reassigned event (转交)
    quorum,      // issue 22: a vote brought the open review to its quorum
    commented,   // issue 22: a comment on the project
    mentioned,   // issue 22: a comment mentioned the recipient (routed to them, no rule needed)
  };
  // As the name of an enter, leave or transition trigger: any state, any transition.
  static constexpr std::string_view kAny = "*";
  Kind kind = Kind::enter;
  std::string name;  // the state (enter/leave), transition id or kAny; empty for timer kinds

  // Whether a rule listening for this hears `raised` (a trigger an event raised).
  bool hears(const NotifyTrigger& raised) const {
    return kind == raised.kind && (name == raised.name || name == kAny);
  }
  friend auto operator<=>(const NotifyTrigger&, const NotifyTrigger&) = default;
};

// Who a notify rule tells: the project's owner, the members of a role, a named user, or the
// user(s) a `user` field (or a list field of users) of the project holds when it fires.
// v1.1: `previous_holder` and `new_holder` are the people a reassigned event moved the
// project (or a user field) from and to; other events give them no delivery.
struct NotifyRecipient {
  enum class Kind { owner, role, user, field, previous_holder, new_holder };
  Kind kind = Kind::owner;
  std::string name;  // the role, user id or field; empty for owner
  friend auto operator<=>(const NotifyRecipient&, const NotifyRecipient&) = default;
};

enum class NotifyChannel { inbox, webhook };
inline constexpr EnumName<NotifyChannel> kNotifyChannelNames[] = {
    {NotifyChannel::inbox, "inbox"},
    {NotifyChannel::webhook, "webhook"},
};
static_assert(in_order(kNotifyChannelNames));

struct NotifyRule {
  NotifyTrigger on;
  std::vector<NotifyRecipient> to;
  std::vector<NotifyChannel> channels;
};

// `parent: {workflows: [...]}` (language v1.1): every item of this workflow belongs to a
// project of one of these workflows. Its expressions read `parent.FIELD` and
// `parent.state`; the parent's read `open_children('THIS')`.
struct ParentDef {
  std::vector<std::string> workflows;
};

// v1.1 `supervision:` (督办): the levels at which a leader or manager escalates an overdue
// or stuck item, lowest first (list order is their order). A level only rises; each
// supervision needs a reason and a new due date after today (engine/supervision.hpp).
struct SupervisionLevel {
  std::string id;
  LocalizedText label;
  std::vector<std::string> roles;  // who may raise an item to this level
};
struct SupervisionDef {
  std::vector<SupervisionLevel> levels;
  // The level's position (0 = lowest), or -1 for an unknown id (and for "": none yet).
  int rank(std::string_view id) const;
};

// v1.1 `visibility:` (data scope): what the holders of one role see of this workflow's
// projects. `all`, or the union of what the other members grant (engine/visibility.hpp).
struct VisibilityRule {
  bool all = false;
  bool owner = false;              // the projects they own
  std::vector<std::string> users;  // user fields: the projects naming them there
  std::string unit;                // a field: the projects whose value is the user's unit
  bool reviews = false;            // in a review they vote in, or voted in
  bool parent = false;             // the items of projects they see (`parent:` workflows)
};

// What a workflow file says, as plain data: the loader (workflows/) fills one in while it
// reads the file, and Workflow::make turns it into the model the engine runs.
struct WorkflowDefinition {
  std::string id;
  std::int64_t version = 1;
  LocalizedText title;
  LocalizedText description;
  std::string calendar_name;
  std::shared_ptr<const Calendar> calendar;  // never null once loaded
  std::vector<std::string> roles;
  std::vector<FieldDef> fields;
  std::vector<TableDef> tables;
  std::vector<ComputedDef> computed;
  std::string initial;
  std::vector<StateDef> states;
  std::vector<TransitionDef> transitions;
  std::vector<MilestoneDef> milestones;
  std::optional<FollowupDef> followup;
  std::vector<NotifyRule> notify;
  // v1.1 `deadlines: {extend: {max_times, max_working_days}}`: limits on extending one
  // running deadline (absent: no limit).
  struct ExtendLimits {
    std::optional<int> max_times;         // extensions of the same deadline
    std::optional<int> max_working_days;  // working days one extension may add
  };
  ExtendLimits deadline_extend;
  std::optional<ParentDef> parent = {};
  // kpis (issue 16) workflow-level `report: {sentence: {zh-CN, en}}`: how the period report
  // writes this workflow's figures, with {figure} placeholders (docs/workflow-language.md);
  // empty: the default sentence.
  LocalizedText report_sentence = {};
  std::optional<SupervisionDef> supervision = {};  // v1.1 `supervision:`
  // v1.1 `visibility:` by role; empty (no section): every role sees every project.
  std::map<std::string, VisibilityRule, std::less<>> visibility = {};
};

// A definition with its indexes built and its expressions bound to slots, immutable: the
// only way to get one is make(), which hands it out as a pointer to const. The data is
// read through the WorkflowDefinition members; every lookup by name goes through the
// indexes.
class Workflow : public WorkflowDefinition {
 public:
  static std::shared_ptr<const Workflow> make(WorkflowDefinition definition);

  // The indexes point into the vectors, so a Workflow stays where make() built it.
  Workflow(const Workflow&) = delete;
  Workflow& operator=(const Workflow&) = delete;

  const FieldDef* find_field(std::string_view name) const;
  const TableDef* find_table(std::string_view name) const;
  const ComputedDef* find_computed(std::string_view name) const;
  const StateDef* find_state(std::string_view id) const;
  const TransitionDef* find_transition(std::string_view id) const;
  const MilestoneDef* find_milestone(std::string_view id) const;
  bool has_role(std::string_view role) const;
  // The state or field carrying a report tag (each tag is on at most one); nullptr if none.
  const StateDef* tagged(StateTag tag) const { return state_tags_[static_cast<std::size_t>(tag)]; }
  const FieldDef* tagged(FieldTag tag) const { return field_tags_[static_cast<std::size_t>(tag)]; }
  const MilestoneDef* tagged(MilestoneTag tag) const {
    return milestone_tags_[static_cast<std::size_t>(tag)];
  }

  // Transitions that may leave `state`, in file order.
  std::vector<const TransitionDef*> transitions_from(std::string_view state) const;
  // What a name in an expression refers to, in one lookup (the evaluator's hot path).
  struct NameRef {
    enum class Kind { unknown, field, computed, table };
    Kind kind = Kind::unknown;
    const FieldDef* field = nullptr;
    const ComputedDef* computed = nullptr;
    const TableDef* table = nullptr;
  };
  NameRef find_name(std::string_view name) const;

  // The workflow ids its expressions count with `open_children('WORKFLOW')`, once each:
  // what a decision on one of its projects needs to be told (decide.hpp Relations).
  const std::vector<std::string>& counted_children() const { return counted_children_; }
  // Whether `workflow` is one of `parent.workflows`.
  bool accepts_parent(std::string_view workflow) const;

  // Roles named by some transition leaving `state` (who works on a project there).
  bool role_acts_in(std::string_view role, std::string_view state) const;

  // Slots of the names in expressions (see Expression::bind); make() binds every
  // expression of the workflow with them. Field i is slot i, computed value j is slot
  // fields.size() + j, table k is slot fields.size() + computed.size() + k, and any other
  // name (state, owner, review.*, the vote counts) is other_slot(), left to be read by name.
  int slot_of(std::string_view name) const;
  int other_slot() const {
    return static_cast<int>(fields.size() + computed.size() + tables.size());
  }
  // The slots of `transition.requires_fields`, in order, for a transition of this workflow;
  // nullptr for a transition that is not one of this workflow's.
  const std::vector<int>* required_slots(const TransitionDef& transition) const;

  // What entering a state starts: the milestones whose clock it starts (file order) and
  // whether follow-up visits are due there. nullptr for a state that is not one of this
  // workflow's.
  struct Entering {
    std::vector<const MilestoneDef*> milestones;
    bool followup = false;
  };
  const Entering* entering(const StateDef& state) const;
  // The state `transition` leads to; nullptr when it names none or is not one of ours.
  const StateDef* target(const TransitionDef& transition) const;

 private:
  // Builds the name indexes the find_* functions use and binds the expressions to slots.
  explicit Workflow(WorkflowDefinition definition);
  void bind_expressions();  // gives every expression's names their slots (slot_of)

  // Lookups by name (string_view) for the find_* functions.
  template <typename T>
  using Index = SortedNameMap<const T*>;
  Index<FieldDef> field_index_;
  Index<TableDef> table_index_;
  Index<ComputedDef> computed_index_;
  Index<StateDef> state_index_;
  Index<TransitionDef> transition_index_;
  SortedNameMap<NameRef> name_index_;
  SortedNameMap<std::vector<const TransitionDef*>> transitions_from_index_;
  std::vector<std::vector<int>> required_slots_;  // by position in `transitions`
  std::vector<const StateDef*> targets_;          // by position in `transitions`
  std::vector<Entering> entering_;                // by position in `states`
  std::array<const StateDef*, kStateTagCount> state_tags_{};
  std::array<const FieldDef*, kFieldTagCount> field_tags_{};
  std::array<const MilestoneDef*, kMilestoneTagCount> milestone_tags_{};
  std::vector<std::string> counted_children_;
};

// Converts a raw value (as it comes from YAML, JSON or CSV: text, number, bool, list) to the
// field's type and checks it against the field's bounds and options. The error says what
// was expected, in English and Chinese.
struct FieldValueError {
  LocalizedText message;
};
Result<Value, FieldValueError> coerce_field_value(const FieldDef& field, const Value& raw);

// The workflows loaded together with one, as far as its parent links go (language v1.1):
// what checks `parent.FIELD` and `open_children('WORKFLOW')` when the set is known.
struct WorkflowFamily {
  std::vector<const Workflow*> parents;  // the loaded workflows its `parent:` names
  std::vector<std::string> children;     // ids of the loaded workflows whose `parent:` names it
  std::vector<std::string> loaded;       // every workflow id loaded together
};

// Names visible to expressions of a workflow, for the checker: fields, computed values,
// tables, and the built-ins `state`, `owner`, `review.passed`, `review.approvals`,
// `review.rejections`, `review.abstentions`, `review.recusals`, `review.votes`,
// `review.quorum`. With `review_vote_names`, also the bare `approvals`, `rejections`,
// `abstentions`, `recusals`, `votes` (inside `pass:`).
// With `parent:`, also `parent.state` and `parent.FIELD`: any name when the parent
// workflows are not known (no `family`), else a field every parent has with one type.
class WorkflowNames final : public NameResolver {
 public:
  explicit WorkflowNames(const Workflow& workflow, bool review_vote_names = false,
                         const WorkflowFamily* family = nullptr)
      : workflow_(workflow), review_vote_names_(review_vote_names), family_(family) {}
  std::optional<NameInfo> lookup(std::string_view name) const override;
  std::vector<std::string> names() const override;
  std::string unknown_name_note(std::string_view name) const override;
  std::optional<std::string> children_problem(std::string_view workflow) const override;

 private:
  std::optional<NameInfo> parent_lookup(std::string_view name) const;

  const Workflow& workflow_;
  bool review_vote_names_;
  const WorkflowFamily* family_;
};

inline constexpr std::string_view kParentPrefix = "parent.";

}  // namespace investflow::engine
