#pragma once
// A small investment workflow built in code, so engine tests do not depend on the YAML
// loader: lead -> screening -> review (vote) -> signed -> building -> done, plus withdraw.

#include <memory>
#include <utility>

#include "engine/calendar.hpp"
#include "engine/date.hpp"
#include "engine/workflow.hpp"

namespace investflow::engine::testing {

inline Expression expr(std::string_view source) {
  auto parsed = Expression::parse(source);
  if (!parsed) std::abort();  // a typo in a test fixture
  return parsed.value();
}

inline FieldDef field(std::string name, FieldType type, bool required = false) {
  FieldDef def;
  def.name = std::move(name);
  def.type = type;
  def.required = required;
  def.label = {def.name + "（中）", def.name};
  return def;
}

// `quorum_fraction` {2, 3}: the review's quorum is two thirds of the eligible panel.
inline std::shared_ptr<const Workflow> small_workflow(std::pair<int, int> quorum_fraction = {0,
                                                                                             0}) {
  WorkflowDefinition wf;
  wf.id = "small";
  wf.version = 3;
  wf.calendar = std::make_shared<Calendar>(Calendar::weekends_only());
  wf.roles = {"staff", "manager", "reviewer", "auditor"};
  wf.fields.push_back(field("name", FieldType::text, true));
  FieldDef industry = field("industry", FieldType::enumeration);
  industry.options = {"new_materials", "electronics", "other"};
  industry.option_labels["electronics"] = {"电子信息", "Electronics"};
  wf.fields.push_back(industry);
  FieldDef investment = field("total_investment", FieldType::money);
  investment.min = 0;
  wf.fields.push_back(investment);
  wf.fields.push_back(field("land_area", FieldType::area));
  wf.fields.push_back(field("priority", FieldType::boolean));
  wf.fields.push_back(field("registered_on", FieldType::date));
  wf.fields.push_back(field("tags", FieldType::list));
  wf.tables.push_back({"intensity_min",
                       {{"electronics", Value::number(350)}, {"new_materials", Value::number(330)}},
                       Value::number(300)});
  wf.computed.push_back({"intensity",
                         {"投资强度", "intensity"},
                         expr("land_area > 0 ? total_investment / land_area : 0")});
  wf.initial = "lead";
  StateDef lead{"lead",
                {"线索", "Lead"},
                false,
                SlaDef{{Duration::Unit::working_days, 1}, 0, {"manager"}},
                std::nullopt};
  StateDef screening{"screening",
                     {"筛选", "Screening"},
                     false,
                     SlaDef{{Duration::Unit::working_days, 3}, 1, {"manager"}},
                     std::nullopt};
  StateDef review{"review",
                  {"评审", "Review"},
                  false,
                  std::nullopt,
                  ReviewDef{"reviewer", 3, expr("approvals * 3 >= votes * 2"),
                            quorum_fraction.first, quorum_fraction.second}};
  StateDef signed_state{"signed", {"已签约", "Signed"}, false, std::nullopt, std::nullopt};
  StateDef building{"building", {"在建", "Building"}, false, std::nullopt, std::nullopt};
  StateDef done{"done", {"完成", "Done"}, true, std::nullopt, std::nullopt};
  StateDef rejected{"rejected", {"否决", "Rejected"}, true, std::nullopt, std::nullopt};
  StateDef withdrawn{"withdrawn", {"撤回", "Withdrawn"}, true, std::nullopt, std::nullopt};
  wf.states = {lead, screening, review, signed_state, building, done, rejected, withdrawn};

  TransitionDef answer;
  answer.id = "answer";
  answer.label = {"受理", "Answer"};
  answer.from = {"lead"};
  answer.to = "screening";
  answer.roles = {"staff"};
  TransitionDef pass;
  pass.id = "pass_screening";
  pass.label = {"通过筛选", "Pass screening"};
  pass.from = {"screening"};
  pass.to = "review";
  pass.roles = {"manager"};
  pass.requires_fields = {"industry", "total_investment", "land_area"};
  pass.guards.push_back({expr("intensity >= intensity_min[industry] || priority"),
                         {"投资强度 {intensity} 万元/亩 低于准入标准",
                          "investment intensity {intensity} is below the minimum"},
                         "total_investment"});
  TransitionDef approve;
  approve.id = "approve";
  approve.label = {"通过评审", "Approve"};
  approve.from = {"review"};
  approve.to = "signed";
  approve.roles = {"manager"};
  approve.when = expr("review.passed");
  TransitionDef reject;
  reject.id = "reject";
  reject.label = {"否决", "Reject"};
  reject.from = {"review"};
  reject.to = "rejected";
  reject.roles = {"manager"};
  reject.comment = CommentRule::required;
  TransitionDef build;
  build.id = "start_building";
  build.label = {"开工", "Start building"};
  build.from = {"signed"};
  build.to = "building";
  build.roles = {"staff"};
  TransitionDef finish;
  finish.id = "finish";
  finish.label = {"竣工", "Finish"};
  finish.from = {"building"};
  finish.to = "done";
  finish.roles = {"staff"};
  TransitionDef withdraw;
  withdraw.id = "withdraw";
  withdraw.label = {"撤回", "Withdraw"};
  withdraw.from_any = true;
  withdraw.to = "withdrawn";
  withdraw.roles = {"staff", "manager"};
  withdraw.comment = CommentRule::required;
  wf.transitions = {answer, pass, approve, reject, build, finish, withdraw};

  MilestoneDef register_company;
  register_company.id = "register_company";
  register_company.label = {"公司注册", "Company registered"};
  register_company.after = "signed";
  register_company.within = {Duration::Unit::days, 30};
  register_company.field = "registered_on";
  MilestoneDef build_period;
  build_period.id = "build_period";
  build_period.after = "building";
  build_period.within = {
      Duration::Unit::days,
      expr("total_investment < 10000 ? 365 : (total_investment <= 50000 ? 548 : 730)")};
  wf.milestones = {register_company, build_period};
  wf.followup = FollowupDef{{"signed", "building"}, {Duration::Unit::months, 1}, "staff"};
  return Workflow::make(std::move(wf));
}

// An instant on a day (10:00 China time unless `hour` says), and a day, for the tests' clocks.
inline Timestamp at(int y, int m, int d, int hour = 10) {
  return start_of_day(*Date::from_ymd(y, m, d)) + hour * 3'600'000LL;
}
inline Date day(int y, int m, int d) {
  return *Date::from_ymd(y, m, d);
}

}  // namespace investflow::engine::testing
