#include "storage/seed.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <set>

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
constexpr std::array kContacts = {"王经理 13800138000", "李总 13902220001",   "陈先生 13612345678",
                                  "张女士 13788886666", "刘总监 13533331234", "黄经理 13422225678"};
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

// How far projects get, as a zone's pipeline looks: many leads and negotiations, a thick
// layer under construction, fewer at capacity. States a workflow lacks are skipped.
const std::map<std::string, double, std::less<>>& fate_weights() {
  static const std::map<std::string, double, std::less<>> weights = {{"lead", 4},
                                                                     {"screening", 4},
                                                                     {"negotiating", 14},
                                                                     {"preliminary_review", 4},
                                                                     {"committee_review", 3},
                                                                     {"escalated", 1},
                                                                     {"approved", 4},
                                                                     {"signed", 6},
                                                                     {"registered", 5},
                                                                     {"site_secured", 5},
                                                                     {"under_construction", 14},
                                                                     {"completed", 4},
                                                                     {"in_production", 10},
                                                                     {"at_capacity", 4},
                                                                     {"aftercare", 6},
                                                                     {"rejected", 8},
                                                                     {"withdrawn", 4},
                                                                     {"exited", 1}};
  return weights;
}

// Typical days spent in a state before moving on.
std::pair<int, int> days_in(std::string_view state) {
  static const std::map<std::string, std::pair<int, int>, std::less<>> days = {
      {"lead", {0, 1}},
      {"screening", {1, 4}},
      {"negotiating", {10, 60}},
      {"preliminary_review", {2, 7}},
      {"committee_review", {5, 14}},
      {"escalated", {10, 25}},
      {"approved", {10, 60}},
      {"signed", {10, 28}},
      {"registered", {20, 90}},
      {"site_secured", {20, 90}},
      {"under_construction", {180, 420}},
      {"completed", {20, 60}},
      {"in_production", {150, 400}},
      {"at_capacity", {30, 90}}};
  const auto found = days.find(state);
  return found == days.end() ? std::pair{5, 30} : found->second;
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

  // Consistent figures for one project: size, land and outputs that meet the thresholds
  // (most of the time; the others are priority projects with a recorded exception).
  void generate_values() {
    values_.clear();
    const IndustryWords& words = pick(kIndustryWords);
    const std::string core = pick(kCores);
    const std::string investor =
        std::string(pick(kCities)) + core + words.investor_word + pick(kSuffixes);
    put("name", Value::text(core + pick(words.products) + "项目"));
    put("investor", Value::text(investor));
    put("contact", Value::text(pick(kContacts)));
    put("promoting_unit", Value::text(pick(kUnits)));
    put("industry", Value::text(words.industry));
    put("chain_role", Value::text(pick(std::array{"build", "strengthen", "extend", "fill"})));
    put("project_kind", Value::text(chance(0.85) ? "manufacturing" : "modern_service"));

    // 总投资: log-normal around 1.5亿 (15000 万元), from ~2000 万 to ~20亿.
    const double total = std::clamp(
        std::round(std::exp(std::normal_distribution<double>(std::log(15000.0), 1.0)(rng_)) / 100) *
            100,
        800.0, 300000.0);
    const double fixed = round2(total * real(0.65, 0.9));
    put("total_investment", Value::number(total));
    put("fixed_asset_investment", Value::number(fixed));
    const bool electronics = words.industry == std::string_view("electronics");
    const bool below_threshold = chance(0.06);
    const double stretch = below_threshold ? real(0.7, 0.95) : real(1.05, 1.8);
    // Intensities are per 亩 of land, or per 1,000 m² of a leased factory (`basis`).
    double basis = 0;
    double output = 0;
    double tax = 0;
    if (chance(0.2)) {
      put("land_type", Value::text("leased_factory"));
      const double floor_area = std::round(fixed * 1000 / (200 * stretch));
      basis = floor_area / 1000;
      tax = round2(basis * 15 * stretch * real(1.0, 1.5));
      output = round2(basis * 200 * real(1.5, 4));
      put("floor_area", Value::number(floor_area));
      put("land_parcel", Value::text("高新区标准厂房" + std::to_string(uniform(1, 30)) + "栋"));
    } else {
      put("land_type", Value::text(chance(0.8) ? "new_land" : "existing_land"));
      const double intensity = (electronics ? 350 : 330) * stretch;
      basis = std::max(5.0, std::round(fixed / intensity * 10) / 10);
      output = std::ceil(basis * (electronics ? 1200 : 1000) * stretch * real(1.0, 1.6));
      tax = std::ceil(basis * (electronics ? 35 : 33) * stretch * real(1.0, 1.6));
      put("land_area", Value::number(basis));
      put("land_parcel",
          Value::text(std::string("高新区") + pick(std::array{"百嘉", "银盏", "科技园", "嘉福"}) +
                      "片区" + std::to_string(uniform(1, 60)) + "号地块"));
    }
    put("expected_output", Value::number(output));
    put("expected_tax", Value::number(tax));
    put("energy_consumption", Value::number(std::round(real(0.01, 0.2) * tax * 10)));
    put("energy_review_passed", Value::boolean(true));
    // Planning indicators within the industrial-land limits (plot ratio >= 2.0 etc.).
    put("plot_ratio", Value::number(std::round(real(2.0, 3.5) * 10) / 10));
    put("building_coverage", Value::number(uniform(40, 60)));
    put("office_share", Value::number(uniform(3, 7)));
    put("green_ratio", Value::number(uniform(10, 20)));
    put("priority", Value::boolean(below_threshold || chance(0.1)));
    if (below_threshold) {
      put("priority_categories",
          Value::list({Value::text(
              pick(std::array{"listed", "high_tech", "chain_leader", "strategic_emerging"}))}));
      put("priority_reason", Value::text("链主企业带动性强，经研究同意按重点项目放行"));
    }
    for (const char* veto : {"outside_red_line", "complies_sanxian_yidan", "not_forbidden_category",
                             "emissions_ok", "safety_ok"}) {
      put(veto, Value::boolean(true));
    }
    put("review_opinion", Value::text("项目符合园区产业导向，同意通过"));
    put("approval_conditions", Value::text("按期缴纳履约保证金，达产后年税收不低于承诺值"));
    put("escalation_reason", Value::text("项目对产业链带动作用大，提请管委会审定"));
    put("city_approval_ref",
        Value::text("清府函〔" + std::to_string(engine::local_date(options_.now).year()) + "〕" +
                    std::to_string(uniform(10, 300)) + "号"));
    put("agreement_no", Value::text("QYGX-" + std::to_string(uniform(2024, 2026)) + "-" +
                                    std::to_string(uniform(100, 999))));
    put("committed_investment", Value::number(fixed));
    put("committed_output", Value::number(output));
    put("committed_tax", Value::number(tax));
    const double bond = std::min(500.0, std::round(total * 0.02));
    put("performance_bond", Value::number(bond));
    put("penalty_terms", Value::text("未按期开工或达产的，按协议约定收回土地并扣除履约保证金"));
    put("service_officer", Value::text("staff-" + two_digits(uniform(1, 12))));
    std::string credit = "91441800";
    for (int i = 0; i < 10; ++i)
      credit.push_back("0123456789ABCDEFGHJKLMNPQRTUWXY"[uniform(0, 30)]);
    put("credit_code", Value::text(credit));
    put("build_extension_days", Value::number(uniform(3, 12) * 30));
    put("funds_in_place", Value::number(std::round(total * real(0.3, 0.95))));
    put("actual_investment", Value::number(round2(fixed * real(0.9, 1.15))));
    put("actual_output", Value::number(std::ceil(output * real(0.85, 1.3))));
    put("actual_tax", Value::number(std::ceil(tax * real(0.85, 1.3))));
    put("exit_ground", Value::text(chance(0.5) ? "false_information" : "other"));
    put("exit_penalty", Value::number(std::round(bond * real(0, 1))));
    put("bond_forfeited", Value::number(bond));
    put("subsidy_returned", Value::number(0));
  }

  void put(const char* name, Value value) {
    if (workflow_.find_field(name) != nullptr) values_.insert_or_assign(name, std::move(value));
  }
  const Value* find(std::string_view name) const {
    const auto found = values_.find(name);
    return found == values_.end() ? nullptr : &found->second;
  }

  // The value to give `name` now: dates depend on the day; the rest was generated.
  Value value_for(const std::string& name) {
    const engine::FieldDef* field = workflow_.find_field(name);
    if (field == nullptr) return Value();
    if (field->type == FieldType::date) {
      if (name == "review_meeting_on")
        return Value::date(workflow_.calendar->add_working_days(today(), 3));
      if (name == "exit_notice_on") return Value::date(today().plus_days(-60));
      if (name == "exit_notice_deadline") return Value::date(today().plus_days(-30));
      return Value::date(today());
    }
    if (const Value* value = find(name)) return *value;
    return fallback_value(*field);
  }

  // For fields this generator has no figure for (other workflows): something valid.
  Value fallback_value(const engine::FieldDef& field) {
    switch (field.type) {
      case FieldType::number:
      case FieldType::money:
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
        std::string text = field.label.zh.empty() ? field.name : field.label.zh;
        const auto min_length = static_cast<std::size_t>(field.min.value_or(0));
        while (text.size() < min_length)
          text += "0";
        return Value::text(text);
      }
    }
    return Value();
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
    auto result = engine::execute(workflow_, project_, command, actor, clock);
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
    std::set<std::string> first_fields;
    for (const auto& field : workflow_.fields) {
      if (field.required) first_fields.insert(field.name);
    }
    for (const auto* transition : workflow_.transitions_from(workflow_.initial)) {
      first_fields.insert(transition->requires_fields.begin(), transition->requires_fields.end());
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
      const auto found = fate_weights().find(state.id);
      states.push_back(state.id);
      weights.push_back(found != fate_weights().end()
                            ? found->second
                            : (fate_weights().contains(workflow_.initial) ? 0 : 1));
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
      const auto [low, high] = days_in(project_.state);
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
      bool moved = false;
      for (const auto* transition : candidates) {
        if ((moved = take(*transition, target))) break;
      }
      if (!moved) return false;
    }
    return project_.state == target;
  }

  bool take(const engine::TransitionDef& transition, const std::string& target) {
    if (transition.when) cast_votes(target);
    engine::TakeTransition take;
    take.transition = transition.id;
    for (const auto& name : transition.requires_fields) {
      if (!project_.field(name).is_present()) take.fields.insert_or_assign(name, value_for(name));
    }
    if (transition.comment == engine::CommentRule::required || chance(0.3)) {
      take.comment = transition.label.zh.empty() ? "同意" : "同意" + transition.label.zh;
    }
    const engine::Actor actor = actor_for(transition.roles);
    // Fill what the engine says is missing (a guard's field, a required comment), and retry.
    for (int attempt = 0; attempt < 4; ++attempt) {
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
      if (!repaired) return false;
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
  void maybe_edit() {
    if (!chance(0.15)) return;
    const char* name = project_.state == "under_construction" ? "funds_in_place" : "contact";
    if (workflow_.find_field(name) == nullptr) return;
    Value value = value_for(name);
    if (value.is_null() || project_.field(name) == value) return;
    engine::EditFields edit;
    edit.fields.insert_or_assign(name, std::move(value));
    engine::Command command;
    command.body = std::move(edit);
    run(std::move(command), engine::Actor{owner_, {"staff"}});
  }

  const engine::Workflow& workflow_;
  const SeedOptions& options_;
  const std::vector<std::map<std::string, int>>& distances_;
  std::mt19937_64& rng_;
  std::string id_;
  std::string owner_;
  Timestamp now_ = 0;
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
