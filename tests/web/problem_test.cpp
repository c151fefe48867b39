#include "web/problem.hpp"

#include <gtest/gtest.h>

#include <SQLiteCpp/Exception.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <sstream>

namespace investflow::web {
namespace {

boost::json::object parse(const std::string& text) {
  return boost::json::parse(text).as_object();
}

TEST(Problem, SerializesEveryMemberOfTheContract) {
  const auto problem = unprocessable(
      {"不能办理此操作。", "The transition is blocked."},
      {{"total_investment", {"必填", "required"}},
       {"land_area", {"投资强度 120 低于准入标准", "Investment 120 is below the standard"}}});
  const auto body = parse(to_json(problem, "en"));
  EXPECT_EQ(body.at("type").as_string(), "urn:investflow:problem:rule_violation");
  EXPECT_EQ(body.at("title").as_string(), "Rule violation");
  EXPECT_EQ(body.at("status").as_int64(), 422);
  EXPECT_EQ(body.at("detail").as_string(), "The transition is blocked.");
  EXPECT_EQ(body.at("code").as_string(), "rule_violation");
  const auto& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].at("field").as_string(), "total_investment");
  EXPECT_EQ(errors[1].at("message").as_string(), "Investment 120 is below the standard");
  EXPECT_FALSE(body.contains("request_id"));
}

TEST(Problem, DetailAndMessagesComeInTheLanguageAsked) {
  const auto problem = bad_request({"缺少 on", "on is required"}, {{"on", {"必填", "required"}}});
  const auto chinese = parse(to_json(problem, "zh-CN"));
  EXPECT_EQ(chinese.at("detail").as_string(), "缺少 on");
  EXPECT_EQ(chinese.at("errors").as_array()[0].at("message").as_string(), "必填");
  const auto english = parse(to_json(problem, "en"));
  EXPECT_EQ(english.at("detail").as_string(), "on is required");
  EXPECT_EQ(english.at("errors").as_array()[0].at("message").as_string(), "required");
  // The title names the code and stays the same in both.
  EXPECT_EQ(chinese.at("title").as_string(), english.at("title").as_string());
}

TEST(Problem, LanguageFollowsAcceptLanguageWithChineseByDefault) {
  Request request;
  EXPECT_EQ(language(request), "zh-CN");
  request.headers.add("Accept-Language", "en-US,en;q=0.9");
  EXPECT_EQ(language(request), "en");
  Request chinese;
  chinese.headers.add("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8");
  EXPECT_EQ(language(chinese), "zh-CN");
}

TEST(Problem, JoinedMessagesListEveryErrorInEachLanguage) {
  const auto joined = joined_messages({{"a", {"甲", "one"}}, {"b", {"乙", "two"}}});
  EXPECT_EQ(joined.zh, "甲；乙");
  EXPECT_EQ(joined.en, "one; two");
}

TEST(Problem, ResponseIsProblemJsonAndNotCached) {
  const auto response =
      to_response(not_found({"没有项目 7", "No project 7."}, "project_not_found"), "en");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.headers.get("Content-Type"), "application/problem+json");
  EXPECT_EQ(response.headers.get("Cache-Control"), "no-store");
  const auto body = parse(response.body);
  EXPECT_EQ(body.at("code").as_string(), "project_not_found");
  EXPECT_TRUE(body.at("errors").as_array().empty());
}

TEST(Problem, InternalErrorCarriesTheRequestId) {
  const auto body = parse(to_json(internal_error("abc-123"), "zh-CN"));
  EXPECT_EQ(body.at("status").as_int64(), 500);
  EXPECT_EQ(body.at("request_id").as_string(), "abc-123");
}

TEST(Problem, EveryHelperHasItsStatus) {
  EXPECT_EQ(bad_request({"甲", "x"}).status, 400);
  EXPECT_EQ(unauthorized({"甲", "x"}).status, 401);
  EXPECT_EQ(forbidden({"甲", "x"}).status, 403);
  EXPECT_EQ(not_found({"甲", "x"}).status, 404);
  EXPECT_EQ(method_not_allowed({"甲", "x"}).status, 405);
  EXPECT_EQ(conflict({"甲", "x"}, "stale_version").status, 409);
  EXPECT_EQ(precondition_failed({"甲", "x"}).status, 412);
  EXPECT_EQ(payload_too_large({"甲", "x"}).status, 413);
  EXPECT_EQ(unsupported_media_type({"甲", "x"}).status, 415);
  EXPECT_EQ(unprocessable({"甲", "x"}, {}).status, 422);
  EXPECT_EQ(too_many_requests({"甲", "x"}).status, 429);
  EXPECT_EQ(service_unavailable({"甲", "x"}).status, 503);
  EXPECT_EQ(insufficient_storage({"甲", "x"}).status, 507);
}

TEST(Problem, StorageFailuresAreAnsweredAsWhatTheyAre) {
  using storage::Fault;
  struct Expected {
    Fault fault;
    int status;
    std::string code;
  };
  for (const auto& [fault, status, code] :
       {Expected{Fault::full, 507, "storage_full"},
        Expected{Fault::read_only, 503, "storage_read_only"},
        Expected{Fault::busy, 503, "storage_busy"}, Expected{Fault::io, 500, "storage_io_error"},
        Expected{Fault::corrupt, 500, "storage_corrupt"},
        Expected{Fault::unavailable, 503, "storage_unavailable"},
        Expected{Fault::other, 500, "internal_error"}}) {
    const auto body = parse(to_json(storage_problem(fault, "id-7"), "zh-CN"));
    EXPECT_EQ(body.at("status").as_int64(), status) << code;
    EXPECT_EQ(body.at("code").as_string(), code);
    EXPECT_EQ(body.at("request_id").as_string(), "id-7") << code;
  }
  const Problem full = storage_problem(Fault::full, "id-8");
  EXPECT_EQ(full.title, "Insufficient storage");
  EXPECT_EQ(parse(to_json(full, "zh-CN")).at("detail").as_string().subview().substr(0, 18),
            "存储空间不足");
  EXPECT_NE(to_json(full, "en").find("disk is full"), std::string::npos);
}

TEST(Problem, ReportedStorageFailuresAreLoggedWithTheRequestIdAndNotedForReadiness) {
  std::ostringstream lines;
  auto log = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(lines));
  storage::note_write_succeeded();
  const SQLite::Exception full("database or disk is full", SQLITE_FULL);
  const Problem problem = reported_storage_problem(*log, storage::fault_of(full),
                                                   storage::describe_failure(full), "req-42");
  EXPECT_EQ(problem.status, 507);
  EXPECT_NE(lines.str().find("request_id=req-42 storage failure (full): database or disk is "
                             "full (SQLite code 13, SQLITE_FULL)"),
            std::string::npos)
      << lines.str();
  EXPECT_TRUE(storage::storage_full());
  storage::note_write_succeeded();
  EXPECT_FALSE(storage::storage_full());
}

TEST(Problem, EscapesTextThatLooksLikeJson) {
  const auto body = parse(to_json(
      bad_request({R"(字段 "a" 有 \ 误)", R"(field "a" is \ bad)"}, {{"x\"y", {"}", "}"}}}), "en"));
  EXPECT_EQ(body.at("detail").as_string(), R"(field "a" is \ bad)");
  EXPECT_EQ(body.at("errors").as_array()[0].at("field").as_string(), "x\"y");
}

}  // namespace
}  // namespace investflow::web
