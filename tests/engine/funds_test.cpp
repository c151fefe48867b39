// 到位资金 as a ledger (issue 16): RecordFunds -> FundsRecorded, its validation (in Chinese
// first), the cumulative sum in the funds_in_place-tagged field, and hand edits refused.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/decide.hpp"
#include "engine/funds.hpp"
#include "test_workflow.hpp"

namespace investflow::engine {
namespace {

using testing::at;
using testing::expr;
using testing::field;

std::shared_ptr<const Workflow> funds_workflow(bool with_funds_field = true) {
  WorkflowDefinition wf;
  wf.id = "funded";
  wf.version = 1;
  wf.calendar = std::make_shared<Calendar>(Calendar::weekends_only());
  wf.roles = {"staff", "manager", "auditor"};
  wf.fields.push_back(field("name", FieldType::text, true));
  FieldDef investment = field("total_investment", FieldType::money);
  investment.report = FieldTag::investment;
  wf.fields.push_back(investment);
  FieldDef committed = field("committed", FieldType::money);
  committed.report = FieldTag::committed_investment;
  wf.fields.push_back(committed);
  if (with_funds_field) {
    FieldDef funds = field("funds", FieldType::money);
    funds.report = FieldTag::funds_in_place;
    funds.label = {"到位资金", "Funds in place"};
    funds.min = 0;
    wf.fields.push_back(funds);
  }
  wf.computed.push_back(
      {"rate",
       {"资金到位率（%）", "Funds-in-place rate (%)"},
       expr(with_funds_field ? "round(funds * 100 / (present(committed) && committed > 0 ? "
                               "committed : total_investment), 2)"
                             : "0")});
  wf.initial = "lead";
  wf.states = {StateDef{"lead", {"线索", "Lead"}, false, std::nullopt, std::nullopt},
               StateDef{"signed", {"已签约", "Signed"}, false, std::nullopt, std::nullopt},
               StateDef{"closed", {"已关闭", "Closed"}, true, std::nullopt, std::nullopt}};
  TransitionDef sign;
  sign.id = "sign";
  sign.label = {"签约", "Sign"};
  sign.from = {"lead"};
  sign.to = "signed";
  sign.roles = {"staff"};
  TransitionDef close;
  close.id = "close";
  close.label = {"关闭", "Close"};
  close.from = {"signed"};
  close.to = "closed";
  close.roles = {"manager"};
  wf.transitions = {sign, close};
  return Workflow::make(std::move(wf));
}

const Actor kStaff{"zhang", {"staff"}};
const Actor kOtherStaff{"zhao", {"staff"}};
const Actor kAuditor{"wang", {"auditor"}};
const Actor kManager{"li", {"manager"}};

class FundsTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Workflow> wf = funds_workflow();
  FixedClock clock{at(2026, 3, 2)};
  Project project;

  void run(const Actor& actor, decltype(Command::body) body) {
    Decision decision =
        decide(*wf, project, Command{"P-1", std::nullopt, std::move(body)}, actor, clock);
    ASSERT_TRUE(decision.ok()) << decision.error().reasons.front().message.zh;
    for (const Event& event : decision.value())
      project = apply(std::move(project), event);
  }

  Rejection rejected(const Actor& actor, decltype(Command::body) body) {
    Decision decision =
        decide(*wf, project, Command{"P-1", std::nullopt, std::move(body)}, actor, clock);
    EXPECT_FALSE(decision.ok());
    return decision.ok() ? Rejection{} : decision.error();
  }

  void SetUp() override {
    run(kStaff, CreateProject{"",
                              {{"name", Value::text("清远新材料项目")},
                               {"total_investment", Value::number(50000)},
                               {"committed", Value::number(20000)}}});
  }
};

TEST_F(FundsTest, AnEntryIsAnEventThatSetsTheFieldToTheLedgersSum) {
  Decision decision =
      decide(*wf, project,
             Command{"P-1", std::nullopt,
                     RecordFunds{"2026-02", 1200.5, "other_province", "银行回单 0201", ""}},
             kStaff, clock);
  ASSERT_TRUE(decision.ok());
  ASSERT_EQ(decision.value().size(), 1u);
  const Event& event = decision.value().front();
  EXPECT_EQ(event_type(event), "funds_recorded");
  const auto& recorded = std::get<FundsRecorded>(event.body);
  EXPECT_EQ(recorded.month, "2026-02");
  EXPECT_EQ(recorded.amount, 1200.5);
  EXPECT_EQ(recorded.source, FundsSource::other_province);
  EXPECT_EQ(recorded.evidence, "银行回单 0201");
  ASSERT_EQ(recorded.changes.size(), 1u);
  EXPECT_EQ(recorded.changes[0].field, "funds");
  EXPECT_TRUE(recorded.changes[0].before.is_null());
  EXPECT_EQ(recorded.changes[0].after, Value::number(1200.5));
  project = apply(std::move(project), event);

  run(kStaff, RecordFunds{"2026-03", 0.3, "abroad", "", ""});
  run(kStaff, RecordFunds{"2026-03", 0.1, "local", "", ""});
  EXPECT_EQ(project.field("funds"), Value::number(1200.9));  // not 1200.8999999
  ASSERT_EQ(project.funds.size(), 3u);
  EXPECT_EQ(project.funds[1].source, FundsSource::abroad);
  EXPECT_EQ(project.funds[1].actor, "zhang");
  EXPECT_EQ(project.funds[1].at, at(2026, 3, 2));
  // The rate's one definition: over the committed investment.
  EXPECT_EQ(evaluate_name(*wf, project, "rate", Date(0)), Value::number(6.0));
  EXPECT_EQ(project.version, 4);
}

TEST_F(FundsTest, EveryBadValueIsReportedAtOnceInChinese) {
  const Rejection rejection = rejected(kStaff, RecordFunds{"2026-13", 0, "province", "", ""});
  ASSERT_EQ(rejection.reasons.size(), 3u);
  EXPECT_EQ(rejection.reasons[0].field, "month");
  EXPECT_EQ(rejection.reasons[0].code, reason::kInvalidField);
  EXPECT_EQ(rejection.reasons[0].message.zh,
            "到位月份“2026-13”格式不对，应为“YYYY-MM”，如 2026-10");
  EXPECT_EQ(rejection.reasons[1].field, "amount");
  EXPECT_EQ(rejection.reasons[1].message.zh, "到位金额不能为零");
  EXPECT_EQ(rejection.reasons[2].field, "source");
  EXPECT_EQ(rejection.reasons[2].message.zh,
            "未知的资金来源“province”，应为：本市、市外省内、省外、境外");
  EXPECT_TRUE(project.funds.empty());
}

TEST_F(FundsTest, MonthsMustBeYyyyMmAndNotLaterThanThisMonth) {
  for (const char* month : {"2026-1", "202603", "2026/03", "26-03", "", "2026-00", "1999-12"}) {
    const Rejection rejection = rejected(kStaff, RecordFunds{month, 10, "local", "", ""});
    ASSERT_EQ(rejection.reasons.size(), 1u) << month;
    EXPECT_EQ(rejection.reasons[0].field, "month") << month;
  }
  const Rejection future = rejected(kStaff, RecordFunds{"2026-04", 10, "local", "", ""});
  ASSERT_EQ(future.reasons.size(), 1u);
  EXPECT_EQ(future.reasons[0].message.zh, "到位月份不能晚于本月");
  run(kStaff, RecordFunds{"2026-03", 10, "local", "", ""});  // this month is fine
  run(kStaff, RecordFunds{"2024-12", 10, "other_city", "", ""});
  EXPECT_EQ(project.funds.size(), 2u);
}

TEST_F(FundsTest, AmountsMustBeFiniteNumbers) {
  for (double amount :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), 1e13}) {
    const Rejection rejection = rejected(kStaff, RecordFunds{"2026-03", amount, "local", "", ""});
    ASSERT_EQ(rejection.reasons.size(), 1u);
    EXPECT_EQ(rejection.reasons[0].message.zh, "到位金额须为数字（万元）");
  }
}

TEST_F(FundsTest, ACorrectionIsANegativeEntryWithAComment) {
  run(kStaff, RecordFunds{"2026-02", 500, "local", "", ""});
  const Rejection bare = rejected(kStaff, RecordFunds{"2026-02", -100, "local", "", " "});
  ASSERT_EQ(bare.reasons.size(), 1u);
  EXPECT_EQ(bare.reasons[0].code, reason::kCommentRequired);
  EXPECT_EQ(bare.reasons[0].message.zh, "更正（负数金额）须填写说明");
  const Rejection below = rejected(kStaff, RecordFunds{"2026-02", -600, "local", "", "多登"});
  ASSERT_EQ(below.reasons.size(), 1u);
  EXPECT_EQ(below.reasons[0].message.zh, "更正后累计到位资金不能为负数");
  run(kStaff, RecordFunds{"2026-02", -100, "local", "", "重复登记"});
  EXPECT_EQ(project.field("funds"), Value::number(400));
  ASSERT_EQ(project.funds.size(), 2u);  // append-only: the first entry stays
  EXPECT_EQ(project.funds[0].amount, 500);
  EXPECT_EQ(project.funds[1].comment, "重复登记");
}

TEST_F(FundsTest, TheFieldIsEditedByHandOnlyUntilTheLedgerHasEntries) {
  run(kStaff, EditFields{{{"funds", Value::number(800)}}});  // an earlier hand figure
  EXPECT_EQ(project.field("funds"), Value::number(800));
  run(kStaff, RecordFunds{"2026-01", 300, "local", "", ""});
  EXPECT_EQ(project.field("funds"), Value::number(300));  // the ledger's sum replaces it
  const Rejection edit = rejected(kStaff, EditFields{{{"funds", Value::number(900)}}});
  ASSERT_EQ(edit.reasons.size(), 1u);
  EXPECT_EQ(edit.reasons[0].code, reason::kFundsByLedger);
  EXPECT_EQ(edit.reasons[0].field, "funds");
  EXPECT_NE(edit.reasons[0].message.zh.find("由到位资金台账累计而来"), std::string::npos);
  const Rejection transition =
      rejected(kStaff, TakeTransition{"sign", {{"funds", Value::number(900)}}, ""});
  EXPECT_TRUE(transition.has(reason::kFundsByLedger));
  // The sum itself, as a re-imported export carries it, is no edit and passes.
  run(kStaff, EditFields{{{"funds", Value::number(300)}, {"committed", Value::number(25000)}}});
  EXPECT_EQ(project.field("committed"), Value::number(25000));
  run(kStaff, TakeTransition{"sign", {}, ""});  // other work goes on
}

TEST_F(FundsTest, OnlyThoseWhoMayEditTheProjectRecordFunds) {
  const Rejection auditor = rejected(kAuditor, RecordFunds{"2026-03", 10, "local", "", ""});
  EXPECT_TRUE(auditor.has(reason::kRoleNotAllowed));
  run(kOtherStaff, RecordFunds{"2026-03", 10, "local", "", ""});  // staff act in `lead`
  run(kStaff, TakeTransition{"sign", {}, ""});
  run(kManager, TakeTransition{"close", {}, ""});
  const Rejection closed = rejected(kManager, RecordFunds{"2026-03", 10, "local", "", ""});
  EXPECT_TRUE(closed.has(reason::kTerminalState));
}

TEST(FundsWorkflow, AWorkflowWithoutTheTaggedFieldKeepsNoLedger) {
  const auto wf = funds_workflow(false);
  FixedClock clock{at(2026, 3, 2)};
  Project project;
  auto created = execute(
      *wf, project, Command{"P-1", std::nullopt, CreateProject{"", {{"name", Value::text("x")}}}},
      kStaff, clock);
  ASSERT_TRUE(created.ok());
  Decision decision = decide(
      *wf, *created, Command{"P-1", std::nullopt, RecordFunds{"2026-03", 1, "local", "", ""}},
      kStaff, clock);
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(decision.error().has(reason::kNoFundsField));
}

TEST(FundsNames, SourcesAndMonths) {
  EXPECT_EQ(funds_source_name(FundsSource::other_city), "other_city");
  EXPECT_EQ(parse_funds_source("abroad"), FundsSource::abroad);
  EXPECT_FALSE(parse_funds_source("境外"));
  EXPECT_EQ(funds_source_zh(FundsSource::local), "本市");
  EXPECT_EQ(funds_source_zh(FundsSource::other_city), "市外省内");
  EXPECT_EQ(funds_source_zh(FundsSource::other_province), "省外");
  EXPECT_EQ(funds_source_zh(FundsSource::abroad), "境外");
  EXPECT_EQ(parse_funds_month("2026-10"), 202610);
  EXPECT_FALSE(parse_funds_month("2026-10-01"));
  EXPECT_EQ(funds_month_text(202601), "2026-01");
  EXPECT_TRUE(is_event_type("funds_recorded"));
  EXPECT_EQ(command_name(Command{"P", std::nullopt, RecordFunds{}}), "funds");
}

}  // namespace
}  // namespace investflow::engine
