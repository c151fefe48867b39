#include "web/problem.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace investflow::web {
namespace {

boost::json::object parse(const std::string& text) {
  return boost::json::parse(text).as_object();
}

TEST(Problem, SerializesEveryMemberOfTheContract) {
  const auto problem =
      unprocessable("The transition is blocked.",
                    {{"total_investment", "required"}, {"land_area", "投资强度 120 低于准入标准"}});
  const auto body = parse(to_json(problem));
  EXPECT_EQ(body.at("type").as_string(), "urn:investflow:problem:rule_violation");
  EXPECT_EQ(body.at("title").as_string(), "Rule violation");
  EXPECT_EQ(body.at("status").as_int64(), 422);
  EXPECT_EQ(body.at("detail").as_string(), "The transition is blocked.");
  EXPECT_EQ(body.at("code").as_string(), "rule_violation");
  const auto& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].at("field").as_string(), "total_investment");
  EXPECT_EQ(errors[1].at("message").as_string(), "投资强度 120 低于准入标准");
  EXPECT_FALSE(body.contains("request_id"));
}

TEST(Problem, ResponseIsProblemJsonAndNotCached) {
  const auto response = to_response(not_found("No project 7.", "project_not_found"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.headers.get("Content-Type"), "application/problem+json");
  EXPECT_EQ(response.headers.get("Cache-Control"), "no-store");
  const auto body = parse(response.body);
  EXPECT_EQ(body.at("code").as_string(), "project_not_found");
  EXPECT_TRUE(body.at("errors").as_array().empty());
}

TEST(Problem, InternalErrorCarriesTheRequestId) {
  const auto body = parse(to_json(internal_error("abc-123")));
  EXPECT_EQ(body.at("status").as_int64(), 500);
  EXPECT_EQ(body.at("request_id").as_string(), "abc-123");
}

TEST(Problem, EveryHelperHasItsStatus) {
  EXPECT_EQ(bad_request("x").status, 400);
  EXPECT_EQ(unauthorized("x").status, 401);
  EXPECT_EQ(forbidden("x").status, 403);
  EXPECT_EQ(not_found("x").status, 404);
  EXPECT_EQ(method_not_allowed("x").status, 405);
  EXPECT_EQ(conflict("x", "stale_version").status, 409);
  EXPECT_EQ(precondition_failed("x").status, 412);
  EXPECT_EQ(payload_too_large("x").status, 413);
  EXPECT_EQ(unsupported_media_type("x").status, 415);
  EXPECT_EQ(unprocessable("x", {}).status, 422);
  EXPECT_EQ(too_many_requests("x").status, 429);
  EXPECT_EQ(service_unavailable("x").status, 503);
}

TEST(Problem, EscapesTextThatLooksLikeJson) {
  const auto body = parse(to_json(bad_request(R"(field "a" is \ bad)", {{"x\"y", "}"}})));
  EXPECT_EQ(body.at("detail").as_string(), R"(field "a" is \ bad)");
  EXPECT_EQ(body.at("errors").as_array()[0].at("field").as_string(), "x\"y");
}

}  // namespace
}  // namespace investflow::web
