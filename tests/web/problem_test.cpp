#include "web/problem.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

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
}

TEST(Problem, EscapesTextThatLooksLikeJson) {
  const auto body = parse(to_json(
      bad_request({R"(字段 "a" 有 \ 误)", R"(field "a" is \ bad)"}, {{"x\"y", {"}", "}"}}}), "en"));
  EXPECT_EQ(body.at("detail").as_string(), R"(field "a" is \ bad)");
  EXPECT_EQ(body.at("errors").as_array()[0].at("field").as_string(), "x\"y");
}

}  // namespace
}  // namespace investflow::web
