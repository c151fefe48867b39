#include "storage/codec.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <random>

#include "storage/hash_chain.hpp"

namespace investflow::storage {
namespace {

using engine::Date;
using engine::Value;

Date day(int y, int m, int d) {
  return *Date::from_ymd(y, m, d);
}

Value text(std::string s) {
  return Value::text(std::move(s));
}

std::vector<engine::Event> every_kind_of_event() {
  std::vector<engine::Event> events;
  engine::Event created{"P-1", 1, 1772413200000, "staff-1", {}};
  engine::ProjectCreated body;
  body.workflow = "qingyuan-investment";
  body.workflow_version = 3;
  body.state = "lead";
  body.owner = "staff-1";
  body.fields = {{"name", text("清远华创新材料项目")},
                 {"total_investment", Value::number(12500.5)},
                 {"land_area", Value::number(80)},
                 {"priority", Value::boolean(false)},
                 {"signed_on", Value::date(day(2026, 3, 2))},
                 {"looks_like_a_date", text("2026-03-02")},
                 {"categories", Value::list({text("listed"), text("high_tech")})},
                 {"cleared", Value()}};
  body.sla_due_on = day(2026, 3, 3);
  body.milestones_started = {{"register_company", day(2026, 3, 2), day(2026, 4, 1)}};
  events.push_back(created);
  events.back().body = body;

  engine::FieldsEdited edited;
  edited.changes = {{"total_investment", Value::number(12500.5), Value::number(0.1)},
                    {"investor", Value(), text("A \"quoted\" \\ name\n")}};
  events.push_back({"P-1", 2, 1772413200001, "staff-2", edited});

  engine::TransitionTaken taken;
  taken.transition = "accept_lead";
  taken.from = "lead";
  taken.to = "screening";
  taken.comment = "同意受理";
  taken.changes = {{"industry", Value(), text("electronics")}};
  taken.followup_due_on = day(2026, 4, 2);
  events.push_back({"P-1", 3, 1772413200002, "staff-1", taken});

  engine::VoteCast vote;
  vote.voter = "reviewer-2";
  vote.choice = engine::VoteChoice::abstain;
  vote.comment = "";
  vote.changed = true;
  events.push_back({"P-1", 4, 1772413200003, "reviewer-2", vote});

  engine::MilestoneRecorded milestone;
  milestone.milestone = "register_company";
  milestone.planned_on = day(2026, 3, 20);
  milestone.evidence = "营业执照";
  milestone.changes = {{"registered_on", Value(), Value::date(day(2026, 3, 19))}};
  events.push_back({"P-1", 5, 1772413200004, "staff-1", milestone});

  engine::FollowupRecorded followup;
  followup.on = day(2026, 3, 31);
  followup.summary = "走访企业";
  followup.issues = {"用电报装", "员工宿舍"};
  followup.next_due_on = day(2026, 4, 30);
  events.push_back({"P-1", 6, 1772413200005, "staff-1", followup});
  return events;
}

TEST(Codec, EveryEventKindRoundTripsExactly) {
  for (const engine::Event& event : every_kind_of_event()) {
    const std::string text = encode_event(event);
    auto decoded = decode_event(text);
    ASSERT_TRUE(decoded) << decoded.error().to_string() << "\n" << text;
    EXPECT_EQ(*decoded, event) << text;
    // And the text is a fixed point: encoding the decoded event gives the same bytes.
    EXPECT_EQ(encode_event(*decoded), text);
  }
}

TEST(Codec, CanonicalTextHasSortedKeysAndNoWhitespace) {
  const std::string text = encode_event(every_kind_of_event()[2]);
  EXPECT_EQ(text.find(' '), std::string::npos);
  EXPECT_EQ(text.rfind(R"({"actor":"staff-1","at":1772413200002,"body":{"changes":)", 0), 0u)
      << text;
  // Built in another key order, the same value has the same text.
  const auto a = boost::json::parse(R"({"b":1,"a":{"y":[1,2.5],"x":null}})");
  const auto b = boost::json::parse(R"({"a":{"x":null,"y":[1.0,2.5]},"b":1.0})");
  EXPECT_EQ(canonical_json(a), canonical_json(b));
  EXPECT_EQ(canonical_json(a), R"({"a":{"x":null,"y":[1,2.5]},"b":1})");
  EXPECT_EQ(canonical_json(boost::json::value(26028.35)), "26028.35");
}

// Stored bodies and events feed hash chains and ETags: the canonical writer's strings must
// be byte for byte what json::serialize writes, for any bytes (control characters, quotes,
// backslashes, UTF-8 and invalid UTF-8), as values and as keys.
TEST(Codec, CanonicalStringsAreExactlyBoostSerialize) {
  std::mt19937 random(17);
  for (int i = 0; i < 50'000; ++i) {
    std::string bytes(random() % 24, '\0');
    for (char& c : bytes) {
      const unsigned pick = random() % 4;
      c = pick == 0   ? static_cast<char>(random() % 0x20)
          : pick == 1 ? "\"\\/\x7f"[random() % 4]
          : pick == 2 ? static_cast<char>(0x80 + random() % 0x80)
                      : static_cast<char>('a' + random() % 26);
    }
    const boost::json::value as_value = boost::json::string(bytes);
    ASSERT_EQ(canonical_json(as_value), boost::json::serialize(as_value)) << i;
    // Two keys, inserted in key order, so serialize's order is the canonical one.
    std::string other = "\x7f" + bytes;
    const bool in_order = std::string_view(bytes) < std::string_view(other);
    boost::json::object object;
    object[in_order ? bytes : other] = 1;
    object[in_order ? other : bytes] = boost::json::string(bytes);
    ASSERT_EQ(canonical_json(object), boost::json::serialize(object)) << i;
  }
}

TEST(Codec, DatesAreTaggedSoTextStaysText) {
  EXPECT_EQ(canonical_json(value_to_json(Value::date(day(2026, 2, 10)))),
            R"({"date":"2026-02-10"})");
  EXPECT_EQ(canonical_json(value_to_json(text("2026-02-10"))), R"("2026-02-10")");
  auto decoded = value_from_json(boost::json::parse(R"("2026-02-10")"));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->kind(), Value::Kind::text);
}

// The stored form is what the hash chains cover: it must not move when what the server
// sends does (wire_json.hpp), or databases written before would no longer verify. This is
// the text such a database holds for this event, byte for byte.
TEST(Codec, StoredEventTextIsUnchangedByTheWireForm) {
  EXPECT_EQ(encode_event(every_kind_of_event()[4]),
            R"({"actor":"staff-1","at":1772413200004,"body":{"changes":[{"after":)"
            R"({"date":"2026-03-19"},"before":null,"field":"registered_on"}],"done_on":null,)"
            R"("evidence":"营业执照","milestone":"register_company","planned_on":"2026-03-20"},)"
            R"("project_id":"P-1","type":"milestone_recorded","version":5})");
}

TEST(Codec, NumbersRoundTripBitForBit) {
  std::mt19937_64 random(42);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::vector<double> numbers = {0.0,
                                 1.0,
                                 -1.0,
                                 0.1,
                                 1.0 / 3.0,
                                 330,
                                 1e15,
                                 9.007199254740993e15,
                                 1e300,
                                 -1e-300,
                                 123456789.123456789,
                                 std::numeric_limits<double>::denorm_min(),
                                 std::numeric_limits<double>::max()};
  for (int i = 0; i < 1000; ++i)
    numbers.push_back(unit(random) * std::pow(10.0, i % 40 - 20));
  for (const double number : numbers) {
    const std::string text = canonical_json(value_to_json(Value::number(number)));
    auto json = parse_json(text);
    ASSERT_TRUE(json) << text;
    auto decoded = value_from_json(*json);
    ASSERT_TRUE(decoded) << text;
    ASSERT_NE(decoded->as_number(), nullptr) << text;
    EXPECT_EQ(*decoded->as_number(), number) << text;
  }
  EXPECT_EQ(canonical_json(value_to_json(Value::number(330))), "330");
}

TEST(Codec, ProjectRoundTripsExactly) {
  engine::Project project;
  project.id = "P-7";
  project.workflow = "qingyuan-investment";
  project.workflow_version = 1;
  project.state = "committee_review";
  project.version = 12;
  project.owner = "staff-3";
  project.created_at = 1700000000000;
  project.updated_at = 1772413200000;
  project.state_entered_at = 1772000000000;
  project.fields = {{"name", text("项目")}, {"total_investment", Value::number(64300)}};
  project.votes = {{"reviewer-1", engine::VoteChoice::approve, "同意", 1772100000000},
                   {"reviewer-2", engine::VoteChoice::reject, "", 1772100000001}};
  project.milestones["sign_agreement"] = {"sign_agreement", day(2026, 1, 5), day(2026, 4, 5),
                                          day(2026, 3, 1),  std::nullopt,    ""};
  project.milestones["pay_bond"] = {"pay_bond",   day(2026, 1, 5), day(2026, 2, 4),
                                    std::nullopt, day(2026, 2, 1), "回单"};
  project.visits = {{day(2026, 2, 1), "staff-3", "月度走访", {"道路", "用水"}}};
  project.sla_due_on = day(2026, 3, 16);

  project.fields["huge"] = Value::number(1e300);
  project.fields["list"] = Value::list({Value::number(0.5), Value::date(day(2026, 1, 1))});
  const std::string text = encode_project(project);
  EXPECT_EQ(text, canonical_json(project_to_json(project)));
  auto decoded = decode_project(text);
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(*decoded, project);
  EXPECT_EQ(encode_project(*decoded), text);
}

// Language v1.1: clocks started by a date field (on FieldsEdited and MilestoneRecorded) and
// the extensions a project's deadlines were granted round-trip, and are absent from the text
// when empty, so events and projects written before keep their exact bytes.
TEST(Codec, TimeLimitMembersOfV11RoundTripAndAreAbsentWhenEmpty) {
  engine::FieldsEdited edited;
  edited.changes = {{"agreed_start_on", Value(), Value::date(day(2026, 7, 1))}};
  const std::string without = encode_event({"P-1", 2, 1772413200001, "staff-2", edited});
  EXPECT_EQ(without.find("milestones_started"), std::string::npos);
  auto decoded_without = decode_event(without);
  ASSERT_TRUE(decoded_without) << decoded_without.error().to_string();
  EXPECT_EQ(std::get<engine::FieldsEdited>(decoded_without->body), edited);
  edited.milestones_started = {{"start_construction", day(2026, 7, 1), day(2027, 1, 1)}};
  engine::MilestoneRecorded recorded;
  recorded.milestone = "secure_site";
  recorded.done_on = day(2026, 7, 14);
  recorded.evidence = "出让合同";
  recorded.changes = {{"land_contract_signed_on", Value(), Value::date(day(2026, 7, 14))}};
  recorded.milestones_started = {{"deliver_land", day(2026, 7, 14), day(2026, 10, 14)}};
  for (const engine::Event& event : {engine::Event{"P-1", 2, 1772413200001, "staff-2", edited},
                                     engine::Event{"P-1", 3, 1772413200002, "staff-2", recorded}}) {
    const std::string text = encode_event(event);
    EXPECT_NE(text.find("milestones_started"), std::string::npos) << text;
    auto decoded = decode_event(text);
    ASSERT_TRUE(decoded) << decoded.error().to_string() << "\n" << text;
    EXPECT_EQ(*decoded, event) << text;
  }

  engine::Project project;
  project.id = "P-1";
  EXPECT_EQ(encode_project(project).find("deadline_extensions"), std::string::npos);
  project.deadline_extensions = {{"milestone:complete_construction", 1}, {"sla:lead", 2}};
  auto decoded = decode_project(encode_project(project));
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(*decoded, project);
}

TEST(Codec, RejectionRoundTrips) {
  engine::Rejection rejection;
  rejection.current_version = 4;
  rejection.reasons = {{"guard_failed", "total_investment", {"总投资不足", "too small"}},
                       {"missing_field", "industry", {"缺少字段", "missing"}}};
  auto decoded = rejection_from_json(rejection_to_json(rejection));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->current_version, 4);
  ASSERT_EQ(decoded->reasons.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(decoded->reasons[i].code, rejection.reasons[i].code);
    EXPECT_EQ(decoded->reasons[i].field, rejection.reasons[i].field);
    EXPECT_EQ(decoded->reasons[i].message.zh, rejection.reasons[i].message.zh);
    EXPECT_EQ(decoded->reasons[i].message.en, rejection.reasons[i].message.en);
  }
}

TEST(Codec, MalformedInputIsAnErrorWithAPath) {
  auto not_json = decode_event("{not json");
  ASSERT_FALSE(not_json);

  auto bad_date =
      decode_event(R"({"actor":"a","at":1,"project_id":"p","type":"followup_recorded","version":1,)"
                   R"("body":{"on":"2026-02-30","summary":"","issues":[],"next_due_on":null}})");
  ASSERT_FALSE(bad_date);
  EXPECT_EQ(bad_date.error().path, "/body/on");

  auto unknown_type = decode_event(
      R"({"actor":"a","at":1,"project_id":"p","type":"teleported","version":1,"body":{}})");
  ASSERT_FALSE(unknown_type);
  EXPECT_NE(unknown_type.error().message.find("teleported"), std::string::npos);

  auto missing = decode_event(R"({"actor":"a","at":1,"project_id":"p","version":1})");
  ASSERT_FALSE(missing);

  auto bad_value = value_from_json(boost::json::parse(R"({"when":"2026-01-01"})"));
  ASSERT_FALSE(bad_value);
}

TEST(HashChain, EachLinkDependsOnThePreviousHashAndTheEvent) {
  const auto events = every_kind_of_event();
  Hash previous = kGenesisHash;
  std::vector<Hash> chain;
  for (const auto& event : events) {
    previous = chain_hash(previous, encode_event(event));
    chain.push_back(previous);
  }
  // Known answer for the empty event after the genesis hash: SHA-256 of 32 zero bytes.
  EXPECT_EQ(to_hex(chain_hash(kGenesisHash, "")),
            "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
  // Changing one byte of an early event changes every later link.
  engine::Event edited = events[1];
  std::get<engine::FieldsEdited>(edited.body).changes[0].after = Value::number(0.2);
  Hash replay = chain_hash(chain[0], encode_event(edited));
  EXPECT_NE(replay, chain[1]);
  EXPECT_EQ(hash_from_hex(to_hex(chain[3])), chain[3]);
  EXPECT_FALSE(hash_from_hex("xyz"));
}

}  // namespace
}  // namespace investflow::storage
