#include "storage/seed.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <set>
#include <variant>

#include "engine/decide.hpp"

namespace investflow::storage {
namespace {

using engine::Date;
using engine::FieldType;
using engine::Timestamp;
using engine::Value;

constexpr Timestamp kDayMs = 86400000;

// --- vocabulary --------------------------------------------------------------------------

constexpr std::array kCities = {"清远", "广州", "深圳", "佛山", "东莞", "珠海", "中山", "江门",
                                "上海", "苏州", "宁波", "杭州", "香港", "长沙", "厦门", "成都"};
constexpr std::array kCores = {"华创", "宏达", "鑫源",   "中科", "恒信", "金瑞", "联泰", "天禾",
                               "科隆", "博远", "新纪元", "瑞丰", "德润", "星河", "嘉诚", "凯盛",
                               "远航", "致远", "汇通",   "盈科", "海川", "泰和", "晶华", "国森"};
constexpr std::array kSuffixes = {"有限公司", "股份有限公司", "科技有限公司", "集团有限公司",
                                  "实业有限公司"};
constexpr std::array kUnits = {"招商一科",       "招商二科",       "产业服务科",
                               "驻深圳招商小组", "驻广州招商小组", "驻上海招商小组"};
constexpr std::array kIssues = {"用电报装进度", "员工宿舍配套", "施工许可办理", "道路接驳",
                                "环评批复",     "用工招聘",     "融资需求",     "供水管网接入"};

struct IndustryWords {
  const char* industry;
  const char* investor_word;
  std::array<const char*, 4> products;
};
constexpr std::array kIndustryWords = {
    IndustryWords{"new_materials",
                  "新材料",
                  {"高性能复合材料生产基地", "锂电池正极材料", "特种合金研发生产", "高端陶瓷材料"}},
    IndustryWords{
        "electronics",
        "电子",
        {"精密电子元器件智能制造", "柔性电路板生产线", "半导体封装测试", "智能终端研发生产"}},
    IndustryWords{"equipment",
                  "智能装备",
                  {"工业机器人生产基地", "新能源汽车零部件", "高端数控机床", "智能仓储装备制造"}},
    IndustryWords{"biomedicine",
                  "生物医药",
                  {"创新药研发生产基地", "高端医疗器械产业化", "生物制剂生产", "医用耗材智能工厂"}},
    IndustryWords{"other",
                  "实业",
                  {"绿色食品精深加工", "供应链综合服务中心", "环保科技产业园", "智慧物流中心"}},
};

// How far projects get, and how long they stay, read from the workflow: the report tags
// say which stage is construction or production, the rest is the shape of the graph.
using engine::StateTag;

bool is_tagged(const engine::Workflow& workflow, const engine::StateDef& state, StateTag tag) {
  return workflow.tagged(tag) == &state;
}

// The weight of ending a history in `state`, as a zone's pipeline looks: many projects in
// the early stages and under construction, fewer at the far end, some rejected or
// withdrawn. `depth` is the state's distance from the initial state.
double fate_weight(const engine::Workflow& workflow, const engine::StateDef& state, int depth) {
  if (is_tagged(workflow, state, StateTag::construction_started)) return 10;
  if (is_tagged(workflow, state, StateTag::in_production)) return 7;
  if (is_tagged(workflow, state, StateTag::exited)) return 1;
  // Most problems raised are closed in the end (a tenth or so stay open in each step).
  if (is_tagged(workflow, state, StateTag::resolved)) return 30;
  if (state.terminal) return 3;
  return depth <= 2 ? 6 : 4;
}

// Typical days spent in a state before moving on.
std::pair<int, int> days_in(const engine::Workflow& workflow, const engine::StateDef& state) {
  if (is_tagged(workflow, state, StateTag::lead)) return {0, 1};
  if (is_tagged(workflow, state, StateTag::construction_started)) return {180, 420};
  if (is_tagged(workflow, state, StateTag::in_production)) return {150, 400};
  if (is_tagged(workflow, state, StateTag::completed)) return {20, 60};
  if (is_tagged(workflow, state, StateTag::at_capacity)) return {30, 90};
  if (state.review) return {5, 14};
  if (state.sla) {
    // A fixed SLA bounds the stay; one given by an expression counts as a few days.
    const int* fixed = std::get_if<int>(&state.sla->working_days.amount);
    return {1, std::max(2, fixed != nullptr ? *fixed : 3)};
  }
  return {5, 30};
}

// --- one project -------------------------------------------------------------------------

class ProjectPlanner {
 public:
  ProjectPlanner(const engine::Workflow& workflow, const SeedOptions& options,
                 const std::vector<std::map<std::string, int>>& distances, std::mt19937_64& rng)
      : workflow_(workflow), options_(options), distances_(distances), rng_(rng) {}

  // The commands that build one project's history, in order.
  std::vector<WriteRequest> plan(const std::string& id) {
    requests_.clear();
    project_ = engine::Project{};
    id_ = id;
    owner_ = "staff-" + two_digits(uniform(1, 12));
    // Office hours (09:00-17:00 in China) of a day within the history.
    relations_.parent.reset();
    if (!options_.parents.empty()) {
      relations_.parent = options_.parents[static_cast<std::size_t>(
          uniform(0, static_cast<int>(options_.parents.size()) - 1))];
    }
    const Date first_day =
        engine::local_date(options_.now).plus_days(-uniform(1, options_.history_days));
    now_ = engine::start_of_day(first_day) + 9 * 3600000 + uniform(0, 8 * 60) * 60000;
    generate_values();
    if (!create()) return {};
    const auto route = choose_route();
    for (const std::string& target : route) {
      if (!walk_to(target)) break;
    }

    record_visits_until(options_.now);
    return std::move(requests_);
  }
  const engine::Project& project() const { return project_; }

 private:
  int uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  double real(double low, double high) {
    return std::uniform_real_distribution<double>(low, high)(rng_);
  }
  bool chance(double p) { return real(0, 1) < p; }
  template <typename Array>
  auto pick(const Array& items) {
    return items[static_cast<std::size_t>(uniform(0, static_cast<int>(items.size()) - 1))];
  }
  static std::string two_digits(int n) {
    char text[16];
    std::snprintf(text, sizeof text, "%02d", n);
    return text;
  }
  static double round2(double x) { return std::round(x * 100) / 100; }
  Date today() const { return engine::local_date(now_); }

  // Figures for one project, by what its fields mean: the tagged ones (name, enterprise,
  // industry, investment, areas, funds) look like a zone's projects; the others get a
  // valid value of their type, scaled to the investment for money, and are adjusted when a
  // guard refuses them (take()).
  void generate_values() {
    using engine::FieldTag;
    values_.clear();
    const IndustryWords& words = pick(kIndustryWords);
    const std::string core = pick(kCores);
    // An item (a problem raised under a project) is named by what it is about.
    put(FieldTag::name, Value::text(!relations_.parent ? core + pick(words.products) + "项目"
                                                       : std::string(pick(kIssues)) + "问题"));
    put(FieldTag::enterprise,
        Value::text(std::string(pick(kCities)) + core + words.investor_word + pick(kSuffixes)));
    put(FieldTag::industry, option_or(FieldTag::industry, words.industry));
    put(FieldTag::promoting_unit, option_or(FieldTag::promoting_unit, pick(kUnits)));
    put(FieldTag::chain_role, option_or(FieldTag::chain_role, ""));
    // Investment: log-normal around 1.5亿 (15000 万元), from ~800 万 to ~30亿.
    investment_ = std::clamp(
        std::round(std::exp(std::normal_distribution<double>(std::log(15000.0), 1.0)(rng_)) / 100) *
            100,
        800.0, 300000.0);
    put(FieldTag::investment, Value::number(investment_));
    const double committed = round2(investment_ * real(0.65, 0.9));
    put(FieldTag::committed_investment, Value::number(committed));
    put(FieldTag::funds_in_place, Value::number(std::round(investment_ * real(0.3, 0.95))));
    // Land at an intensity of 330 to 600 万元 per 亩 of the committed investment, at least
    // 5 亩; floor area 2 to 5 m² per 万元.
    put(FieldTag::land_area,
        Value::number(std::max(5.0, std::round(committed / real(330, 600) * 10) / 10)));
    put(FieldTag::floor_area, Value::number(std::round(investment_ * real(2, 5))));
  }

  void put(engine::FieldTag tag, Value value) {
    const engine::FieldDef* field = workflow_.tagged(tag);
    if (field != nullptr && !value.is_null())
      values_.insert_or_assign(field->name, std::move(value));
  }
  // For a tagged enum field, one of its options (`preferred` when it is one); for a text
  // field, `preferred` (or nothing when empty).
  Value option_or(engine::FieldTag tag, std::string_view preferred) {
    const engine::FieldDef* field = workflow_.tagged(tag);
    if (field == nullptr) return Value();
    if (field->type != FieldType::enumeration) {
      return preferred.empty() ? Value() : Value::text(std::string(preferred));
    }
    if (std::find(field->options.begin(), field->options.end(), preferred) !=
        field->options.end()) {
      return Value::text(std::string(preferred));
    }
    return field->options.empty() ? Value() : Value::text(pick(field->options));
  }
  const Value* find(std::string_view name) const {
    const auto found = values_.find(name);
    return found == values_.end() ? nullptr : &found->second;
  }

  // The value to give `name` now: dates are today (or earlier, see take()); the rest was
  // generated, or is made up for its type and kept for the project's next commands.
  Value value_for(const std::string& name) {
    const engine::FieldDef* field = workflow_.find_field(name);
    if (field == nullptr) return Value();
    if (field->type == FieldType::date) return Value::date(today());
    if (const Value* value = find(name)) return *value;
    Value value = fallback_value(*field);
    if (!value.is_null()) values_.insert_or_assign(name, value);
    return value;
  }

  // For fields without a tag: something valid of the field's type; money in proportion to
  // the investment.
  Value fallback_value(const engine::FieldDef& field) {
    switch (field.type) {
      case FieldType::money:
        if (!field.max) return Value::number(round2(investment_ * real(0.2, 0.9)));
        [[fallthrough]];
      case FieldType::number:
      case FieldType::area: {
        const double low = field.min.value_or(0);
        const double high = field.max.value_or(low + 1000);
        return Value::number(std::round(real(std::max(low, 1.0), std::max(high, low + 1))));
      }
      case FieldType::boolean:
        return Value::boolean(true);
      case FieldType::enumeration:
        return field.options.empty() ? Value() : Value::text(pick(field.options));
      case FieldType::list:
        return field.options.empty() ? Value::list({})
                                     : Value::list({Value::text(pick(field.options))});
      case FieldType::user:
        return Value::text(owner_);
      case FieldType::date:
        return Value::date(today());
      case FieldType::text: {
        // A code (a text with a least length): letters and digits; else the label.
        if (field.min.value_or(0) > 0) {
          const auto length = static_cast<int>(*field.min);
          std::string code;
          for (int i = 0; i < length; ++i)
            code.push_back("0123456789ABCDEFGHJKLMNPQRTUWXY"[uniform(0, 30)]);
          return Value::text(code);
        }
        std::string text = field.label.zh.empty() ? field.name : field.label.zh;
        const auto max_length = static_cast<std::size_t>(field.max.value_or(1e6));
        std::size_t characters = 0;
        for (std::size_t i = 0; i < text.size(); ++i) {
          const auto byte = static_cast<unsigned char>(text[i]);
          if ((byte & 0xC0) == 0x80) continue;  // inside a UTF-8 character
          if (characters++ == max_length) {
            text.resize(i);
            break;
          }
        }
        return Value::text(text);
      }
    }
    return Value();
  }

  // Other values to try for a field a guard refused, nearest first: numbers scaled up and
  // down within bounds, every option, the other truth value, dates around today, users of
  // each role.
  std::vector<Value> alternatives(const engine::FieldDef& field, const Value& current) {
    std::vector<Value> out;
    switch (field.type) {
      case FieldType::number:
      case FieldType::money:
      case FieldType::area: {
        const double* number = current.as_number();
        const double base = number != nullptr && *number != 0 ? *number : 1;
        for (double factor : {1.5, 0.6, 2.0, 0.4, 3.0, 0.25, 5.0, 0.1, 10.0, 0.05, 20.0, 0.01,
                              100.0, 1000.0, 0.0}) {
          double value = round2(base * factor);
          if (field.min) value = std::max(value, *field.min);
          if (field.max) value = std::min(value, *field.max);
          out.push_back(Value::number(value));
        }
        break;
      }
      case FieldType::boolean:
        out.push_back(Value::boolean(true));
        out.push_back(Value::boolean(false));
        break;
      case FieldType::enumeration:
        for (const std::string& option : field.options)
          out.push_back(Value::text(option));
        break;
      case FieldType::date:
        out.push_back(Value::date(workflow_.calendar->add_working_days(today(), 3)));
        for (int days : {-1, -30, -90, -200, -400, -800, 30})
          out.push_back(Value::date(today().plus_days(days)));
        break;
      case FieldType::user:
        for (const std::string& role : workflow_.roles)
          out.push_back(Value::text(role + "-01"));
        break;
      case FieldType::text:
      case FieldType::list:
        break;
    }
    return out;
  }

  engine::Actor actor_for(const std::vector<std::string>& roles) {
    const std::string role =
        roles.empty()
            ? (workflow_.roles.empty() ? "staff" : workflow_.roles.front())
            : roles[static_cast<std::size_t>(uniform(0, static_cast<int>(roles.size()) - 1))];
    if (role == "staff") return engine::Actor{owner_, {"staff"}};
    return engine::Actor{role + "-" + two_digits(uniform(1, 3)), {role}};
  }

  bool run(engine::Command command, const engine::Actor& actor) {
    command.project_id = id_;
    const engine::FixedClock clock(now_);
    auto result = engine::execute(workflow_, project_, command, actor, clock, nullptr, relations_);
    if (!result) {
      last_rejection_ = std::move(result).error();
      return false;
    }
    project_ = std::move(*result);
    WriteRequest request;
    request.command = std::move(command);
    request.actor = actor;
    request.workflow = workflow_.id;
    request.at = now_;
    requests_.push_back(std::move(request));
    return true;
  }

  bool create() {
    engine::CreateProject create;
    create.owner = owner_;
    if (relations_.parent) create.parent = relations_.parent->id;
    std::set<std::string> first_fields;
    for (const auto& field : workflow_.fields) {
      if (field.required) first_fields.insert(field.name);
    }
    for (const auto* transition : workflow_.transitions_from(workflow_.initial)) {
      first_fields.insert(transition->requires_fields.begin(), transition->requires_fields.end());
    }
    // What a project is known by from the start: its name, enterprise, dimensions and size.
    using engine::FieldTag;
    for (FieldTag tag : {FieldTag::name, FieldTag::enterprise, FieldTag::industry,
                         FieldTag::chain_role, FieldTag::promoting_unit, FieldTag::investment}) {
      if (const engine::FieldDef* field = workflow_.tagged(tag)) first_fields.insert(field->name);
    }
    for (const auto& name : first_fields) {
      Value value = value_for(name);
      if (!value.is_null()) create.fields.insert_or_assign(name, std::move(value));
    }
    engine::Command command;
    command.body = std::move(create);
    return run(std::move(command), engine::Actor{owner_, {"staff"}});
  }

  // The states to reach in order: a stage, or for an end (rejected, withdrawn, exited) a
  // stage from which that end is taken, then the end.
  std::vector<std::string> choose_route() {
    std::vector<std::string> states;
    std::vector<double> weights;
    for (const auto& state : workflow_.states) {
      states.push_back(state.id);
      weights.push_back(fate_weight(workflow_, state, distance(workflow_.initial, state.id)));
    }
    std::discrete_distribution<std::size_t> fate(weights.begin(), weights.end());
    const std::string target = states[fate(rng_)];
    const engine::StateDef* def = workflow_.find_state(target);
    if (def == nullptr || !def->terminal) return {target};
    std::vector<std::string> stages;
    for (const auto& transition : workflow_.transitions) {
      if (transition.to != target) continue;
      if (transition.from_any) {
        for (const auto& state : workflow_.states) {
          if (!state.terminal) stages.push_back(state.id);
        }
      } else {
        stages.insert(stages.end(), transition.from.begin(), transition.from.end());
      }
    }
    if (stages.empty()) return {target};
    return {pick(stages), target};
  }

  int distance(const std::string& from, const std::string& to) const {
    const auto& to_target = distances_[state_index(to)];
    const auto found = to_target.find(from);
    return found == to_target.end() ? 1 << 20 : found->second;
  }
  std::size_t state_index(const std::string& state) const {
    for (std::size_t i = 0; i < workflow_.states.size(); ++i) {
      if (workflow_.states[i].id == state) return i;
    }
    return 0;
  }

  bool walk_to(const std::string& target) {
    for (int step = 0; step < 24 && project_.state != target; ++step) {
      const engine::StateDef* here = workflow_.find_state(project_.state);
      const auto [low, high] = here == nullptr ? std::pair{5, 30} : days_in(workflow_, *here);
      const Timestamp next = now_ + uniform(low, high) * kDayMs + uniform(0, 120) * 60000;
      record_visits_until(std::min(next, options_.now));
      if (next >= options_.now) return false;  // the story has not got further yet
      now_ = next;
      maybe_edit();
      std::vector<const engine::TransitionDef*> candidates;
      for (const auto* transition : workflow_.transitions_from(project_.state)) {
        if (distance(transition->to, target) < (1 << 20) && transition->to != project_.state) {
          candidates.push_back(transition);
        }
      }
      std::stable_sort(candidates.begin(), candidates.end(), [&](const auto* a, const auto* b) {
        return distance(a->to, target) < distance(b->to, target);
      });
      // The ways that do not lead back, nearest first, as the values stand; then the same
      // adjusting values the guards name (so a large project is escalated rather than made
      // smaller); only then a way back (a file returned for more material).
      const int here_distance = distance(project_.state, target);
      bool moved = false;
      for (const int pass : {0, 1, 2}) {
        for (const auto* transition : candidates) {
          if (pass < 2 && distance(transition->to, target) > here_distance) continue;
          if ((moved = take(*transition, target, pass == 1))) break;
        }
        if (moved) break;
      }
      if (!moved) return false;
    }
    return project_.state == target;
  }

  bool take(const engine::TransitionDef& transition, const std::string& target, bool adjust) {
    if (transition.when) cast_votes(target);
    engine::TakeTransition take;
    take.transition = transition.id;
    // Dates recorded together happened in the order the transition lists them, a month
    // apart, the last today (a notice before its deadline, a start before a finish).
    std::vector<std::string> dates;
    for (const auto& name : transition.requires_fields) {
      if (project_.field(name).is_present()) continue;
      take.fields.insert_or_assign(name, value_for(name));
      const engine::FieldDef* field = workflow_.find_field(name);
      if (field != nullptr && field->type == FieldType::date) dates.push_back(name);
    }
    for (std::size_t i = 0; i < dates.size(); ++i) {
      const auto months_before = static_cast<int>(dates.size() - 1 - i);
      take.fields.insert_or_assign(dates[i], Value::date(today().plus_days(-30 * months_before)));
    }
    if (transition.comment == engine::CommentRule::required || chance(0.3)) {
      take.comment = transition.label.zh.empty() ? "同意" : "同意" + transition.label.zh;
    }
    const engine::Actor actor = actor_for(transition.roles);
    const std::int64_t before = project_.version;
    // Fill what the engine says is missing (a guard's field, a required comment), and retry;
    // with `adjust`, change what a guard refuses.
    for (int attempt = 0; attempt < (adjust ? 12 : 4); ++attempt) {
      engine::Command command;
      command.body = take;
      if (run(std::move(command), actor)) return true;
      bool repaired = false;
      for (const auto& reason : last_rejection_.reasons) {
        if (!reason.field.empty() && !take.fields.contains(reason.field) &&
            !project_.field(reason.field).is_present()) {
          Value value = value_for(reason.field);
          if (!value.is_null()) {
            take.fields.insert_or_assign(reason.field, std::move(value));
            repaired = true;
          }
        }
        if (reason.code == engine::reason::kCommentRequired && take.comment.empty()) {
          take.comment = "同意";
          repaired = true;
        }
      }
      if (!repaired && adjust) repaired = adjust_refused(take, actor);
      if (!repaired) return false;
      if (project_.version != before) return true;  // adjust_refused took it
    }
    return false;
  }

  // Tries other values for the fields the last refusal names, one field at a time: takes
  // the transition when one is accepted; keeps a value that clears its field's reasons and
  // says so (true), so the caller retries with what is still refused.
  bool adjust_refused(engine::TakeTransition& take, const engine::Actor& actor) {
    const engine::Rejection refusal = last_rejection_;
    for (const auto& reason : refusal.reasons) {
      const engine::FieldDef* field = workflow_.find_field(reason.field);
      if (field == nullptr) continue;
      const auto given = take.fields.find(field->name);
      const Value current =
          given != take.fields.end() ? given->second : project_.field(field->name);
      for (Value& candidate : alternatives(*field, current)) {
        if (candidate == current) continue;
        take.fields.insert_or_assign(field->name, candidate);
        engine::Command command;
        command.body = take;
        if (run(std::move(command), actor)) return true;
        const bool cleared =
            std::none_of(last_rejection_.reasons.begin(), last_rejection_.reasons.end(),
                         [&](const engine::Reason& left) { return left.field == field->name; });
        if (cleared) {
          values_.insert_or_assign(field->name, std::move(candidate));
          return true;
        }
      }
      if (given != take.fields.end()) {
        take.fields.insert_or_assign(field->name, current);
      } else {
        take.fields.erase(field->name);
      }
    }
    return false;
  }

  void cast_votes(const std::string& target) {
    const engine::StateDef* state = workflow_.find_state(project_.state);
    if (state == nullptr || !state->review || !project_.votes.empty()) return;
    const engine::StateDef* goal = workflow_.find_state(target);
    const bool against = goal != nullptr && goal->terminal;
    const int votes = state->review->quorum + uniform(0, 2);
    for (int i = 1; i <= votes; ++i) {
      engine::CastVote vote;
      const bool approve = against ? chance(0.2) : chance(0.9);
      vote.choice = approve ? engine::VoteChoice::approve : engine::VoteChoice::reject;
      vote.comment = approve ? "同意" : "投资强度偏低，建议暂缓";
      engine::Command command;
      command.body = vote;
      now_ = std::min(now_ + uniform(5, 90) * 60000, options_.now - 1);
      run(std::move(command),
          engine::Actor{state->review->voters + "-" + two_digits(i), {state->review->voters}});
    }
  }

  // Monthly visits while the project is in a follow-up state: the first half year's worth
  // of each stay (lean: they were 40% of all commands at a year's worth, and lists and
  // reports need the visits' effect on deadlines, not every one of them).
  void record_visits_until(Timestamp until) {
    if (!workflow_.followup || !project_.followup_due_on) return;
    for (int visits = 0; visits < 6 && project_.followup_due_on; ++visits) {
      const Date due = *project_.followup_due_on;
      const Timestamp at = engine::start_of_day(due) + 10 * 3600000;
      if (at >= until || at < now_) return;
      const Timestamp saved = now_;
      now_ = at;
      engine::RecordFollowup followup;
      followup.on = due;
      followup.summary = "月度走访，了解项目推进情况";
      if (chance(0.4)) followup.issues.push_back(pick(kIssues));
      engine::Command command;
      command.body = std::move(followup);
      const bool recorded =
          run(std::move(command), engine::Actor{owner_, {workflow_.followup->role}});
      if (!recorded) {
        now_ = saved;
        return;
      }
    }
  }

  // Now and then a plain edit, as staff keep a file up to date.
  // (Funds in place grow during construction.)
  void maybe_edit() {
    if (!chance(0.15)) return;
    const engine::StateDef* building = workflow_.tagged(StateTag::construction_started);
    const engine::FieldDef* funds = workflow_.tagged(engine::FieldTag::funds_in_place);
    if (building == nullptr || funds == nullptr || project_.state != building->id) return;
    const Value value = Value::number(std::round(investment_ * real(0.3, 0.95)));
    if (project_.field(funds->name) == value) return;
    engine::EditFields edit;
    edit.fields.insert_or_assign(funds->name, value);
    engine::Command command;
    command.body = std::move(edit);
    run(std::move(command), engine::Actor{owner_, {"staff"}});
  }

  const engine::Workflow& workflow_;
  const SeedOptions& options_;
  const std::vector<std::map<std::string, int>>& distances_;
  std::mt19937_64& rng_;
  engine::Relations relations_;  // an item's: the project it is raised under
  std::string id_;
  std::string owner_;
  Timestamp now_ = 0;
  double investment_ = 0;  // 万元
  engine::FieldMap values_;
  engine::Project project_;
  engine::Rejection last_rejection_;
  std::vector<WriteRequest> requests_;
};

// distances[i][s]: the cost of the cheapest route from state s to state i. A transition that
// needs a comment (a rejection, a return, a withdrawal, an exit and its outcome) costs more
// than a plain step, so walks take the main path and such transitions only where they lead
// (an exit declined must not look like a shortcut to a later stage).
std::vector<std::map<std::string, int>> state_distances(const engine::Workflow& workflow) {
  constexpr int kStep = 1;
  constexpr int kStepWithComment = 10;
  std::vector<std::map<std::string, int>> distances;
  for (const auto& target : workflow.states) {
    std::map<std::string, int> to_target{{target.id, 0}};
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto& transition : workflow.transitions) {
        const auto reached = to_target.find(transition.to);
        if (reached == to_target.end()) continue;
        const int cost =
            reached->second +
            (transition.comment == engine::CommentRule::required ? kStepWithComment : kStep);
        std::vector<std::string> sources;
        if (transition.from_any) {
          for (const auto& s : workflow.states) {
            if (!s.terminal) sources.push_back(s.id);
          }
        } else {
          sources = transition.from;
        }
        for (const auto& source : sources) {
          const auto [at, added] = to_target.emplace(source, cost);
          if (added || cost < at->second) {
            at->second = cost;
            changed = true;
          }
        }
      }
    }
    distances.push_back(std::move(to_target));
  }
  return distances;
}

// Counts results as the writer hands them back, and bounds what is in flight.
class Tally {
 public:
  void expect(std::size_t n) {
    std::unique_lock lock(mutex_);
    drained_.wait(lock, [this] { return in_flight_ < kMaxInFlight; });
    in_flight_ += n;
  }
  void note(const std::vector<WriteResult>& results) {
    std::lock_guard lock(mutex_);
    in_flight_ -= results.size();
    for (const WriteResult& result : results) {
      if (result.accepted()) {
        ++accepted_;
        continue;
      }
      ++failed_;
      // The command that failed, not the ones the batch abort rolled back with it.
      const bool aborted = result.rejected() && !result.rejection.reasons.empty() &&
                           result.rejection.reasons.front().code == reason::kBatchAborted;
      if (first_failure_.empty() && !aborted) {
        first_failure_ = result.rejected() && !result.rejection.reasons.empty()
                             ? result.rejection.reasons.front().code + ": " +
                                   result.rejection.reasons.front().message.en
                             : result.error;
      }
    }
    drained_.notify_all();
  }
  void wait_all() {
    std::unique_lock lock(mutex_);
    drained_.wait(lock, [this] { return in_flight_ == 0; });
  }
  std::int64_t accepted() const { return accepted_; }
  int failed() const { return failed_; }
  const std::string& first_failure() const { return first_failure_; }

 private:
  static constexpr std::size_t kMaxInFlight = 20000;
  std::mutex mutex_;
  std::condition_variable drained_;
  std::size_t in_flight_ = 0;
  std::int64_t accepted_ = 0;
  int failed_ = 0;
  std::string first_failure_;
};

}  // namespace

Outcome<SeedReport> seed_projects(Store& store, const engine::Workflow& workflow,
                                  const SeedOptions& options, const ProgressFn& progress) {
  if (options.projects < 0)
    return engine::fail(Error{Error::Kind::invalid_request, "negative count"});
  std::mt19937_64 rng(options.seed);
  const auto distances = state_distances(workflow);
  ProjectPlanner planner(workflow, options, distances, rng);
  Tally tally;
  SeedReport report;
  for (int i = 1; i <= options.projects; ++i) {
    char id[64];
    std::snprintf(id, sizeof id, "%s-%06d", options.id_prefix.c_str(), i);
    std::vector<WriteRequest> requests = planner.plan(id);
    if (requests.empty()) continue;
    ++report.projects;
    ++report.by_state[planner.project().state];
    // One job per project: the writer decides its commands in order inside one savepoint
    // instead of queueing, savepointing and calling back once per command, and a project
    // is written whole or not at all.
    tally.expect(requests.size());
    store.submit_atomic(std::move(requests),
                        [&tally](std::vector<WriteResult> results) { tally.note(results); });
    if (progress && (i % 100 == 0 || i == options.projects)) progress(i, options.projects);
  }
  tally.wait_all();
  report.commands = tally.accepted();
  report.failed = tally.failed();
  report.first_failure = tally.first_failure();
  return report;
}

}  // namespace investflow::storage
