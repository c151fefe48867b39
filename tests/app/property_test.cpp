// Random command sequences through every shipped workflow. Whatever the commands, the
// engine must keep its promises: terminal states are final, each event raises the version
// by one, every accepted transition satisfied its roles, required fields, condition and
// guards, replaying the events from empty gives the same project, and the notifications
// the events owe (engine::notify_deliveries) are exactly what the rules say: every trigger
// a rule hears (a named state or transition, or "*") reaches each of its recipients on each
// of its channels once, field recipients as the users the field holds.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "app/scenario.hpp"
#include "engine/deadlines.hpp"
#include "engine/decide.hpp"
#include "engine/notify_route.hpp"
#include "engine/notify_trigger.hpp"
#include "workflows/loader.hpp"

namespace investflow {
namespace {

namespace fs = std::filesystem;
using namespace engine;

// The accepted steps of a workflow's main scenario: random walks start from a random point
// along it, so they reach deep states whose guards random values would rarely satisfy.
std::vector<app::ScenarioStep> main_path(const Workflow& workflow) {
  const fs::path file =
      fs::path(INVESTFLOW_SOURCE_DIR) / "workflows/scenarios" / (workflow.id + "-main.yaml");
  const app::ScenarioLoad load = app::load_scenario_file(file.string());
  EXPECT_TRUE(load.scenario) << file;
  std::vector<app::ScenarioStep> steps;
  if (!load.scenario) return steps;
  for (const app::ScenarioStep& step : load.scenario->steps) {
    if (step.expect_accepted) steps.push_back(step);
  }
  return steps;
}

std::vector<std::shared_ptr<const Workflow>> shipped_workflows() {
  const fs::path root = fs::path(INVESTFLOW_SOURCE_DIR) / "workflows";
  workflows::CalendarRegistry calendars;
  const auto calendar_problems = workflows::load_calendar_directory(root / "calendars", calendars);
  EXPECT_FALSE(workflows::has_errors(calendar_problems));
  std::vector<std::shared_ptr<const Workflow>> out;
  for (const auto& entry : fs::directory_iterator(root / "definitions")) {
    if (entry.path().extension() != ".yaml") continue;
    workflows::WorkflowLoad load = workflows::load_workflow_file(entry.path(), calendars);
    EXPECT_TRUE(load.workflow) << entry.path() << ": "
                               << (load.diagnostics.empty() ? "" : load.diagnostics[0].to_string());
    if (load.workflow) out.push_back(load.workflow);
  }
  return out;
}

// Evaluates expressions over a project without going through decide's own checking code,
// so the property test does not trust the code it checks.
class IndependentScope final : public Scope {
 public:
  IndependentScope(const Workflow& workflow, const Project& project, Date today)
      : wf_(workflow), project_(project), today_(today) {}
  Value value_of(std::string_view name) const override {
    return evaluate_name(wf_, project_, name, today_);
  }
  Value table_entry(std::string_view table, const Value& key) const override {
    const TableDef* def = wf_.find_table(table);
    if (def == nullptr) return Value();
    if (const std::string* text = key.as_text()) {
      if (const auto it = def->entries.find(*text); it != def->entries.end()) return it->second;
    }
    return def->fallback.value_or(Value());
  }
  Date today() const override { return today_; }
  const Calendar* calendar() const override { return wf_.calendar.get(); }

 private:
  const Workflow& wf_;
  const Project& project_;
  Date today_;
};

class RandomDriver {
 public:
  RandomDriver(const Workflow& workflow, std::uint32_t seed) : wf_(workflow), rng_(seed) {}

  Value random_value(const FieldDef& field) {
    switch (field.type) {
      case FieldType::number:
      case FieldType::money:
      case FieldType::area: {
        const double low = field.min.value_or(0);
        const double high = field.max.value_or(low + 200000);
        // Mostly sensible values, sometimes out of range or junk, to exercise rejections.
        const int pick = uniform(0, 9);
        if (pick == 0) return Value::text("not a number");
        if (pick == 1) return Value::number(low - 1);
        return Value::number(std::round(low + (high - low) * unit() * unit()));
      }
      case FieldType::date:
        return Value::date(local_date(clock_.now()).plus_days(-uniform(0, 400)));
      case FieldType::boolean:
        return Value::boolean(uniform(0, 3) != 0);
      case FieldType::enumeration:
        if (field.options.empty() || uniform(0, 19) == 0) return Value::text("no_such_option");
        return Value::text(field.options[static_cast<std::size_t>(
            uniform(0, static_cast<int>(field.options.size()) - 1))]);
      case FieldType::list:
        return Value::list({Value::text("item")});
      case FieldType::text:
      case FieldType::user:
        return Value::text(uniform(0, 9) == 0 ? "" : "文本 " + std::to_string(uniform(0, 999)));
    }
    return Value();
  }

  FieldMap random_fields(const std::vector<std::string>& wanted, int extra) {
    FieldMap fields;
    for (const std::string& name : wanted) {
      if (const FieldDef* field = wf_.find_field(name); field != nullptr && uniform(0, 5) != 0) {
        fields[name] = random_value(*field);
      }
    }
    for (int i = 0; i < extra && !wf_.fields.empty(); ++i) {
      const FieldDef& field =
          wf_.fields[static_cast<std::size_t>(uniform(0, static_cast<int>(wf_.fields.size()) - 1))];
      fields[field.name] = random_value(field);
    }
    return fields;
  }

  Actor random_actor() {
    Actor actor;
    const int who = uniform(0, 5);
    actor.id = who == 0 ? project_.owner : "user" + std::to_string(who);
    const std::string& role =
        wf_.roles[static_cast<std::size_t>(uniform(0, static_cast<int>(wf_.roles.size()) - 1))];
    actor.roles = {role};
    return actor;
  }

  Command random_command() {
    Command command{"P-1", std::nullopt, EditFields{}};
    if (uniform(0, 30) == 0) command.expected_version = project_.version - 1;
    if (!project_.exists() || uniform(0, 40) == 0) {
      std::vector<std::string> required;
      for (const FieldDef& field : wf_.fields) {
        if (field.required) required.push_back(field.name);
      }
      command.body = CreateProject{"", random_fields(required, 3)};
      return command;
    }
    const int kind = uniform(0, 9);
    auto transitions = wf_.transitions_from(project_.state);
    // Half the time, prefer transitions into states this walk has not seen, so that ends
    // behind several siblings (an exit after its proposal) are reached too.
    if (uniform(0, 1) == 0) {
      decltype(transitions) fresh;
      for (const TransitionDef* t : transitions) {
        if (!visited_.contains(t->to)) fresh.push_back(t);
      }
      if (!fresh.empty()) transitions = std::move(fresh);
    }
    if (kind <= 4 && !transitions.empty()) {
      const TransitionDef* t = transitions[static_cast<std::size_t>(
          uniform(0, static_cast<int>(transitions.size()) - 1))];
      std::vector<std::string> wanted = t->requires_fields;
      for (const GuardDef& guard : t->guards) {
        for (const std::string& name : guard.check.referenced_names())
          wanted.push_back(name);
      }
      command.body =
          TakeTransition{uniform(0, 9) == 0 ? "no_such_transition" : t->id,
                         random_fields(wanted, uniform(0, 1)), uniform(0, 4) == 0 ? "" : "说明"};
    } else if (kind <= 6) {
      command.body = CastVote{static_cast<VoteChoice>(uniform(0, 3)), ""};  // incl. recuse
    } else if (kind == 7) {
      command.body = EditFields{random_fields({}, uniform(1, 3))};
    } else if (kind == 8 && !wf_.milestones.empty()) {
      const MilestoneDef& m = wf_.milestones[static_cast<std::size_t>(
          uniform(0, static_cast<int>(wf_.milestones.size()) - 1))];
      // Sometimes without evidence, which `evidence: required` refuses.
      command.body = RecordMilestone{m.id, std::nullopt, local_date(clock_.now()),
                                     uniform(0, 3) == 0 ? "" : "证明材料"};
    } else {
      command.body = RecordFollowup{local_date(clock_.now()), "走访", {}};
    }
    return command;
  }

  // Reviewers vote often in review states, so reviews actually pass; likewise a transition
  // is often asked by one of its roles.
  Actor actor_for(const Command& command) {
    Actor actor = random_actor();
    if (const auto* take = std::get_if<TakeTransition>(&command.body); take != nullptr) {
      const TransitionDef* t = wf_.find_transition(take->transition);
      if (t != nullptr && !t->roles.empty() && uniform(0, 1) == 0) {
        actor.roles = {
            t->roles[static_cast<std::size_t>(uniform(0, static_cast<int>(t->roles.size()) - 1))]};
      }
    }
    if (std::holds_alternative<CastVote>(command.body)) {
      const StateDef* state = wf_.find_state(project_.state);
      if (state != nullptr && state->review && uniform(0, 3) != 0) {
        actor = {"reviewer" + std::to_string(uniform(1, 5)), {state->review->voters}};
      }
    }
    return actor;
  }

  void check_accepted_transition(const Project& before, const Event& event, const Actor& actor,
                                 const Command& command) {
    const auto& taken = std::get<TransitionTaken>(event.body);
    const TransitionDef* t = wf_.find_transition(taken.transition);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(taken.from, before.state);
    EXPECT_EQ(taken.to, t->to);
    EXPECT_TRUE(t->leaves(before.state));
    EXPECT_TRUE(t->roles.empty() ||
                std::any_of(t->roles.begin(), t->roles.end(),
                            [&](const std::string& r) { return actor.has_role(r); }))
        << t->id;
    if (t->comment == CommentRule::required) {
      EXPECT_FALSE(std::get<TakeTransition>(command.body).comment.empty());
    }
    // Guards, requires and conditions held on the project as edited, before it moved.
    Project edited = before;
    for (const FieldChange& change : taken.changes) {
      if (change.after.is_null()) {
        edited.fields.erase(change.field);
      } else {
        edited.fields[change.field] = change.after;
      }
    }
    const IndependentScope scope(wf_, edited, local_date(clock_.now()));
    for (const std::string& name : t->requires_fields) {
      EXPECT_TRUE(edited.field(name).is_present()) << t->id << " requires " << name;
    }
    for (const GuardDef& guard : t->guards) {
      EXPECT_TRUE(guard.check.evaluate(scope).is_true()) << t->id << ": " << guard.check.source();
    }
    if (t->when) {
      EXPECT_TRUE(t->when->evaluate(scope).is_true()) << t->id << ": " << t->when->source();
    }
  }

  // The deliveries of one accepted command's events, against the rules read directly.
  void check_deliveries(const std::vector<Event>& events) {
    const std::vector<NotifyDelivery> deliveries = notify_deliveries(wf_, project_, events);
    using Key = std::tuple<std::size_t, NotifyChannel, NotifyRecipient>;
    std::map<Key, std::set<std::string>> got;
    for (const NotifyDelivery& delivery : deliveries) {
      EXPECT_NE(delivery.recipient.kind, NotifyRecipient::Kind::field);
      EXPECT_FALSE(delivery.triggers.empty());
      std::set<std::string>& triggers = got[{delivery.event, delivery.channel, delivery.recipient}];
      EXPECT_TRUE(triggers.empty()) << "a recipient is told twice on one channel";
      for (const NotifyTrigger& trigger : delivery.triggers)
        triggers.insert(trigger_name(trigger));
    }
    std::map<Key, std::set<std::string>> want;
    for (std::size_t i = 0; i < events.size(); ++i) {
      std::vector<std::string> raised;  // what the event raises, by hand
      if (const auto* created = std::get_if<ProjectCreated>(&events[i].body)) {
        raised = {"enter:" + created->state};
      } else if (const auto* taken = std::get_if<TransitionTaken>(&events[i].body)) {
        raised = {"leave:" + taken->from, "enter:" + taken->to, "transition:" + taken->transition};
      } else if (const auto* fired = std::get_if<DeadlineFired>(&events[i].body)) {
        raised = {deadline_trigger(fired->kind, fired->alert)};
      } else if (const auto* vote = std::get_if<VoteCast>(&events[i].body);
                 vote != nullptr && vote->quorum_reached) {
        raised = {"quorum"};
      }
      for (const std::string& name : raised) {
        for (const NotifyRule& rule : wf_.notify) {
          const std::string on = trigger_name(rule.on);
          const bool any = on.ends_with(":*") && name.starts_with(on.substr(0, on.size() - 1));
          if (on != name && !any) continue;
          if (any) ++wildcard_deliveries_;
          for (const NotifyChannel channel : rule.channels) {
            for (const NotifyRecipient& to : rule.to) {
              if (to.kind != NotifyRecipient::Kind::field) {
                want[{i, channel, to}].insert(name);
                continue;
              }
              const Value held = project_.field(to.name);
              std::vector<Value> users{held};
              if (const Value::List* list = held.as_list()) users = *list;
              for (const Value& user : users) {
                if (user.as_text() == nullptr || user.as_text()->empty()) continue;
                want[{i, channel, {NotifyRecipient::Kind::user, *user.as_text()}}].insert(name);
                ++field_deliveries_;
              }
            }
          }
        }
      }
    }
    // An overdue SLA also goes to the owner and the state's escalate roles, in their inboxes.
    for (std::size_t i = 0; i < events.size(); ++i) {
      const auto* fired = std::get_if<DeadlineFired>(&events[i].body);
      if (fired == nullptr || fired->kind != DeadlineKind::sla ||
          fired->alert != DeadlineAlert::overdue) {
        continue;
      }
      const StateDef* state = wf_.find_state(fired->name);
      if (state == nullptr || !state->sla || state->sla->escalate.empty()) continue;
      want[{i, NotifyChannel::inbox, NotifyRecipient{}}].insert("sla_overdue");
      for (const std::string& role : state->sla->escalate) {
        want[{i, NotifyChannel::inbox, {NotifyRecipient::Kind::role, role}}].insert("sla_overdue");
      }
    }
    EXPECT_EQ(got, want) << wf_.id;
  }

  // Language v1.1 timers: the scheduler fires what is owed (milestone_warning included) and
  // a manager extends a running deadline; `deadlines.extend` decides which extensions pass.
  void run_timers() {
    Date today = local_date(clock_.now());
    if (uniform(0, 1) == 0) {
      // Milestones are months away while a walk lasts weeks: sometimes the clock jumps to
      // a few days before one that warns, into its warning period.
      std::vector<Date> warned;
      for (const DueItem& item : due_items(wf_, project_, today)) {
        const MilestoneDef* def =
            item.kind == DueItem::Kind::milestone ? wf_.find_milestone(item.name) : nullptr;
        if (def != nullptr && def->warn_before) warned.push_back(item.due_on);
      }
      if (!warned.empty() && uniform(0, 1) == 0) {
        const Date target =
            warned[static_cast<std::size_t>(uniform(0, static_cast<int>(warned.size()) - 1))]
                .plus_days(-uniform(0, 20));
        if (target > today) {
          clock_.set(start_of_day(target) + 9 * 3'600'000LL);
          today = target;
        }
      }
      for (const FireDeadline& fire : deadlines_to_fire(wf_, project_, today)) {
        const Command command{"P-1", std::nullopt, fire};
        Decision decision = decide(wf_, project_, command, {"system", {"system"}}, clock_);
        ASSERT_TRUE(decision.ok()) << wf_.id << ": an owed alert was refused";
        if (fire.kind == DeadlineKind::milestone && fire.alert == DeadlineAlert::warning) {
          const MilestoneDef* def = wf_.find_milestone(fire.name);
          ASSERT_NE(def, nullptr);
          EXPECT_TRUE(def->warn_before.has_value()) << fire.name << " warned without warn_before";
          EXPECT_LE(today, fire.due_on) << fire.name << ": a warning after the due day";
          ++milestone_warnings_;
        }
        for (const Event& event : decision.value())
          accept(event);
        EXPECT_FALSE(decide(wf_, project_, command, {"system", {"system"}}, clock_).ok())
            << "an alert fired twice";
      }
      return;
    }
    const std::vector<DueItem> items = due_items(wf_, project_, today);
    if (items.empty()) return;
    const DueItem& item =
        items[static_cast<std::size_t>(uniform(0, static_cast<int>(items.size()) - 1))];
    const DeadlineKind kind = item.kind == DueItem::Kind::sla         ? DeadlineKind::sla
                              : item.kind == DueItem::Kind::milestone ? DeadlineKind::milestone
                                                                      : DeadlineKind::followup;
    const Date to = item.due_on.plus_days(uniform(1, 500));
    const std::string key = std::string(deadline_kind_name(kind)) + ":" + item.name;
    const auto granted = project_.deadline_extensions.find(key);
    const int before = granted == project_.deadline_extensions.end() ? 0 : granted->second;
    const int added = wf_.calendar->working_days_between(item.due_on, to);
    const WorkflowDefinition::ExtendLimits& limits = wf_.deadline_extend;
    const bool within_limits = (!limits.max_times || before < *limits.max_times) &&
                               (!limits.max_working_days || added <= *limits.max_working_days);
    const Command command{"P-1", std::nullopt, ExtendDeadline{kind, item.name, to, "延期"}};
    const Actor manager{"li", extension_roles(wf_, project_, kind)};
    Decision decision = decide(wf_, project_, command, manager, clock_);
    EXPECT_EQ(decision.ok(), within_limits)
        << wf_.id << " " << key << ": extension " << before + 1 << " of " << added << " days";
    if (!decision) {
      EXPECT_TRUE(decision.error().has(reason::kExtensionLimitReached) ||
                  decision.error().has(reason::kExtensionTooLong));
      return;
    }
    for (const Event& event : decision.value())
      accept(event);
    EXPECT_EQ(project_.deadline_extensions.at(key), before + 1);
    ++extensions_;
  }

  void accept(const Event& event) {
    EXPECT_EQ(event.version, project_.version + 1);
    project_ = apply(std::move(project_), event);
    log_.push_back(event);
    visited_.insert(project_.state);
  }

  // Replays the first `count` steps of the main path; each must be accepted.
  void follow(const std::vector<app::ScenarioStep>& path, std::size_t count) {
    for (std::size_t i = 0; i < count && i < path.size(); ++i) {
      clock_.set(path[i].at);
      Command command = path[i].command;
      command.project_id = "P-1";
      Decision decision = decide(wf_, project_, command, path[i].actor, clock_);
      ASSERT_TRUE(decision.ok()) << wf_.id << " main path step " << i + 1;
      for (const Event& event : decision.value())
        accept(event);
    }
  }

  void run(int steps) {
    // The main path votes as its scenario does (a fractional quorum of the ballots cast);
    // random votes come from reviewer1..reviewer5 (actor_for), the panel counted here.
    project_.review_panel = 5;
    for (int i = 0; i < steps; ++i) {
      // Timers once in the middle of the walk too: walks that prefer unseen states often
      // end in a terminal one, where no deadline runs.
      if (i == steps / 2) {
        for (int round = 0; round < 6; ++round) {
          clock_.advance_ms(uniform(0, 5) * 86'400'000LL);
          run_timers();
        }
      }
      clock_.advance_ms(uniform(0, 3) * 86'400'000LL + uniform(0, 3'600'000));
      const Command command = random_command();
      const Actor actor = actor_for(command);
      const Project before = project_;
      const bool was_terminal = before.exists() && wf_.find_state(before.state)->terminal;
      Decision decision = decide(wf_, project_, command, actor, clock_);
      if (!decision) {
        EXPECT_FALSE(decision.error().reasons.empty());
        EXPECT_EQ(decision.error().current_version, before.version);
        continue;
      }
      EXPECT_FALSE(was_terminal) << "a terminal project changed";
      EXPECT_FALSE(command.expected_version && *command.expected_version != before.version);
      for (const Event& event : decision.value()) {
        if (std::holds_alternative<TransitionTaken>(event.body)) {
          check_accepted_transition(before, event, actor, command);
          ++transitions_;
        }
        accept(event);
      }
      check_deliveries(decision.value());
      EXPECT_NE(wf_.find_state(project_.state), nullptr);
      if (const auto* record = std::get_if<RecordMilestone>(&command.body); record != nullptr) {
        const MilestoneDef* def = wf_.find_milestone(record->milestone);
        const bool has_file = before.attachment(record->evidence) != nullptr ||
                              std::any_of(before.attachments.begin(), before.attachments.end(),
                                          [&](const Attachment& file) {
                                            return file.milestone == record->milestone;
                                          });
        EXPECT_FALSE(def != nullptr && def->evidence_required && record->done_on && !has_file)
            << record->milestone << " recorded done without an evidence file";
      }
    }
    // Then the timers, where the walk ended (after it, so that they do not change its course).
    for (int i = 0; i < 12; ++i) {
      clock_.advance_ms(uniform(0, 5) * 86'400'000LL);
      run_timers();
    }
    Project replayed;
    replayed.review_panel = project_.review_panel;  // set by the caller, not folded from events
    for (const Event& event : log_)
      replayed = apply(std::move(replayed), event);
    EXPECT_EQ(replayed, project_);
  }

  int transitions() const { return transitions_; }
  int wildcard_deliveries() const { return wildcard_deliveries_; }
  int field_deliveries() const { return field_deliveries_; }
  int extensions() const { return extensions_; }
  int milestone_warnings() const { return milestone_warnings_; }
  const std::set<std::string>& visited() const { return visited_; }

 private:
  int uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  double unit() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

  const Workflow& wf_;
  std::mt19937 rng_;
  FixedClock clock_{start_of_day(*Date::from_ymd(2025, 1, 2)) + 9 * 3'600'000LL};
  Project project_;
  std::vector<Event> log_;
  std::set<std::string> visited_;
  int transitions_ = 0;
  int wildcard_deliveries_ = 0;  // rules heard through "*" (enter, leave or transition)
  int field_deliveries_ = 0;     // users reached through field: recipients
  int extensions_ = 0;
  int milestone_warnings_ = 0;
};

TEST(Property, RandomCommandSequencesKeepTheEnginesPromises) {
  const auto workflows = shipped_workflows();
  ASSERT_GE(workflows.size(), 6u);  // the five of DOMAIN and the listing-cultivation pool
  for (const auto& workflow : workflows) {
    // Items of a workflow with parent: (service-problem) are created under a project, which
    // a scenario cannot name; ChildrenAndTheirParentsKeepTheirLinksAndGuards walks them.
    if (workflow->parent) continue;
    int transitions = 0;
    int wildcard_deliveries = 0;
    int field_deliveries = 0;
    int extensions = 0;
    int milestone_warnings = 0;
    std::set<std::string> states_visited;
    const std::vector<app::ScenarioStep> path = main_path(*workflow);
    ASSERT_FALSE(path.empty()) << workflow->id;
    for (std::uint32_t seed = 1; seed <= 150; ++seed) {
      const bool failed_before = ::testing::Test::HasFailure();
      RandomDriver driver(*workflow, seed);
      driver.follow(path, seed % (path.size() + 1));
      driver.run(60);
      if (!failed_before && ::testing::Test::HasFailure()) {
        FAIL() << workflow->id << " seed " << seed;
      }
      transitions += driver.transitions();
      wildcard_deliveries += driver.wildcard_deliveries();
      field_deliveries += driver.field_deliveries();
      extensions += driver.extensions();
      milestone_warnings += driver.milestone_warnings();
      states_visited.insert(driver.visited().begin(), driver.visited().end());
    }
    // The random walk must really move projects, or the checks above prove nothing.
    EXPECT_GT(transitions, 100) << workflow->id;
    std::string missed;
    for (const StateDef& state : workflow->states) {
      if (!states_visited.contains(state.id)) missed += " " + state.id;
    }
    EXPECT_EQ(states_visited.size(), workflow->states.size())
        << workflow->id << ", never:" << missed;
    EXPECT_GT(extensions, 0) << workflow->id;
    const bool warns = std::any_of(workflow->milestones.begin(), workflow->milestones.end(),
                                   [](const MilestoneDef& m) { return m.warn_before.has_value(); });
    if (warns) {
      EXPECT_GT(milestone_warnings, 0) << workflow->id;
    }
    // The notification checks met the v1.1 triggers and recipients the workflow uses.
    RecordProperty(workflow->id + "_wildcard_deliveries", wildcard_deliveries);
    RecordProperty(workflow->id + "_field_deliveries", field_deliveries);
    const auto uses = [&](auto&& test) {
      return std::any_of(workflow->notify.begin(), workflow->notify.end(), test);
    };
    if (uses([](const NotifyRule& rule) { return rule.on.name == NotifyTrigger::kAny; })) {
      EXPECT_GT(wildcard_deliveries, 100) << workflow->id;
    }
    if (uses([](const NotifyRule& rule) {
          return std::any_of(rule.to.begin(), rule.to.end(), [](const NotifyRecipient& to) {
            return to.kind == NotifyRecipient::Kind::field;
          });
        })) {
      EXPECT_GT(field_deliveries, 10) << workflow->id;
    }
  }
}

// Parent links (language v1.1) with the test pair in tests/data/parent/: random children
// created under random (sometimes missing, closed or wrong) parents, closed at random, and
// parents closing while the test, standing in for the single writer, hands each decision
// the parent's state and fields and the count of open children from its own projects. A
// child exists only under an open venture; a venture closes only with no open issue; an
// issue is resolved only while its venture is open and within its budget.
class FamilyDriver {
 public:
  FamilyDriver(std::shared_ptr<const Workflow> venture, std::shared_ptr<const Workflow> issue,
               std::uint32_t seed)
      : venture_(std::move(venture)), issue_(std::move(issue)), rng_(seed) {}

  const Workflow& workflow_of(const Project& project) const {
    return project.workflow == "venture" ? *venture_ : *issue_;
  }
  bool terminal(const Project& project) const {
    const StateDef* state = workflow_of(project).find_state(project.state);
    return state != nullptr && state->terminal;
  }
  std::int64_t open_children_of(const std::string& id) const {
    std::int64_t open = 0;
    for (const auto& [child_id, child] : projects_) {
      if (child.parent == id && child.workflow == "issue" && !terminal(child)) ++open;
    }
    return open;
  }
  Relations relations_for(const Project& project, const std::string& new_parent) const {
    Relations relations;
    const std::string& parent_id = project.exists() ? project.parent : new_parent;
    if (const auto it = projects_.find(parent_id); !parent_id.empty() && it != projects_.end()) {
      relations.parent = ParentView{it->first, it->second.workflow, it->second.state,
                                    terminal(it->second), it->second.fields};
    }
    if (project.exists()) {
      for (const std::string& workflow : workflow_of(project).counted_children())
        relations.open_children[workflow] = open_children_of(project.id);
    }
    return relations;
  }

  std::string pick(const std::string& prefix) {
    std::vector<std::string> ids;
    for (const auto& [id, project] : projects_) {
      if (id.rfind(prefix, 0) == 0) ids.push_back(id);
    }
    if (ids.empty() || uniform(0, 15) == 0) return prefix + "404";
    return ids[static_cast<std::size_t>(uniform(0, static_cast<int>(ids.size()) - 1))];
  }

  void step() {
    clock_.advance_ms(uniform(0, 3'600'000));
    Actor actor{"user", {uniform(0, 1) == 0 ? "staff" : "manager"}};
    const int kind = uniform(0, 9);
    Command command{"", std::nullopt, EditFields{}};
    const Workflow* workflow = issue_.get();
    std::string new_parent;
    if (kind <= 1) {
      command.project_id = "V-" + std::to_string(++created_);
      workflow = venture_.get();
      actor.roles = {"manager"};  // who may register a venture
      command.body =
          CreateProject{"",
                        {{"name", Value::text("项目")}, {"budget", Value::number(uniform(0, 100))}},
                        uniform(0, 20) == 0 ? pick("V-") : ""};
    } else if (kind <= 4) {
      command.project_id = "I-" + std::to_string(++created_);
      // Mostly a venture; sometimes none, a missing one, or an issue.
      new_parent = uniform(0, 9) == 0 ? "" : pick(uniform(0, 9) == 0 ? "I-" : "V-");
      command.body =
          CreateProject{"",
                        {{"title", Value::text("问题")}, {"cost", Value::number(uniform(0, 100))}},
                        new_parent};
    } else if (kind <= 7) {
      command.project_id = pick("I-");
      command.body = TakeTransition{uniform(0, 1) == 0 ? "resolve" : "withdraw", {}, ""};
    } else if (kind == 8) {
      command.project_id = pick("V-");
      workflow = venture_.get();
      command.body = TakeTransition{uniform(0, 3) == 0 ? "drop" : "close", {}, ""};
    } else {
      command.project_id = pick("V-");
      workflow = venture_.get();
      command.body = EditFields{{{"budget", Value::number(uniform(0, 100))}}};
    }
    const auto found = projects_.find(command.project_id);
    const Project before = found != projects_.end() ? found->second : Project{};
    if (before.exists()) workflow = &workflow_of(before);
    const Relations relations = relations_for(before, new_parent);
    Decision decision = decide(*workflow, before, command, actor, clock_, relations);
    if (const auto* create = std::get_if<CreateProject>(&command.body);
        create != nullptr && !before.exists()) {
      check_create(*workflow, *create, relations, decision);
    }
    if (!decision) return;
    Project after = before;
    for (const Event& event : decision.value()) {
      if (const auto* taken = std::get_if<TransitionTaken>(&event.body)) {
        check_transition(before, *taken, relations);
        ++transitions_;
      }
      after = apply(std::move(after), event);
      log_[command.project_id].push_back(event);
    }
    projects_[command.project_id] = std::move(after);
  }

  void check_create(const Workflow& workflow, const CreateProject& create,
                    const Relations& relations, const Decision& decision) {
    const bool wants_parent = workflow.parent.has_value();
    const bool good_parent =
        relations.parent && relations.parent->workflow == "venture" && !relations.parent->terminal;
    const bool acceptable = wants_parent ? good_parent : create.parent.empty();
    EXPECT_EQ(decision.ok(), acceptable) << workflow.id << " under '" << create.parent << "'";
    if (decision.ok()) {
      EXPECT_EQ(std::get<ProjectCreated>(decision.value().front().body).parent, create.parent);
      if (wants_parent) ++children_;
      return;
    }
    if (!acceptable) {
      EXPECT_TRUE(std::any_of(decision.error().reasons.begin(), decision.error().reasons.end(),
                              [](const Reason& reason) { return reason.field == "parent"; }));
    }
  }

  void check_transition(const Project& before, const TransitionTaken& taken,
                        const Relations& relations) {
    if (taken.transition == "close") {
      EXPECT_EQ(open_children_of(before.id), 0) << before.id << " closed with open issues";
    }
    if (taken.transition == "resolve") {
      ASSERT_TRUE(relations.parent);
      EXPECT_EQ(relations.parent->state, "open");
      const Value* budget = nullptr;
      if (const auto it = relations.parent->fields.find("budget");
          it != relations.parent->fields.end()) {
        budget = &it->second;
      }
      const Value cost = before.field("cost");
      ASSERT_NE(budget, nullptr);
      EXPECT_LE(*cost.as_number(), *budget->as_number());
    }
  }

  void check_end() {
    for (const auto& [id, project] : projects_) {
      Project replayed;
      for (const Event& event : log_[id])
        replayed = apply(std::move(replayed), event);
      EXPECT_EQ(replayed, project);
      if (project.workflow == "issue") {
        const auto parent = projects_.find(project.parent);
        ASSERT_NE(parent, projects_.end()) << id;
        EXPECT_EQ(parent->second.workflow, "venture");
      } else {
        EXPECT_TRUE(project.parent.empty());
      }
    }
  }

  int transitions() const { return transitions_; }
  int children() const { return children_; }

 private:
  int uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }

  std::shared_ptr<const Workflow> venture_;
  std::shared_ptr<const Workflow> issue_;
  std::mt19937 rng_;
  FixedClock clock_{start_of_day(*Date::from_ymd(2026, 3, 2)) + 9 * 3'600'000LL};
  std::map<std::string, Project> projects_;
  std::map<std::string, std::vector<Event>> log_;
  int created_ = 0;
  int transitions_ = 0;
  int children_ = 0;
};

TEST(Property, ChildrenAndTheirParentsKeepTheirLinksAndGuards) {
  const fs::path pair = fs::path(INVESTFLOW_TEST_DATA) / "parent";
  auto loads = workflows::load_workflow_set({pair / "venture.yaml", pair / "issue.yaml"},
                                            workflows::CalendarRegistry{});
  ASSERT_EQ(loads.size(), 2u);
  ASSERT_TRUE(loads[0].workflow && loads[1].workflow);
  int transitions = 0;
  int children = 0;
  for (std::uint32_t seed = 1; seed <= 60; ++seed) {
    const bool failed_before = ::testing::Test::HasFailure();
    FamilyDriver driver(loads[0].workflow, loads[1].workflow, seed);
    for (int i = 0; i < 80; ++i)
      driver.step();
    driver.check_end();
    if (!failed_before && ::testing::Test::HasFailure()) FAIL() << "seed " << seed;
    transitions += driver.transitions();
    children += driver.children();
  }
  EXPECT_GT(transitions, 200);
  EXPECT_GT(children, 200);
}

}  // namespace
}  // namespace investflow
