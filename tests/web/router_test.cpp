#include "web/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace investflow::web {
namespace {

Response respond_with(std::string text) {
  return text_response(200, std::move(text));
}

Handler named(std::string name) {
  return [name](const Request&, const RouteParams&) { return respond_with(name); };
}

// The name of the handler a request reaches, by calling it.
std::string reached(const Router& router, std::string_view method, std::string_view path) {
  auto match = router.match(method, path);
  const auto* found = std::get_if<RouteFound>(&match);
  if (found == nullptr) return "<none>";
  std::string body;
  Request request;
  found->route->handler(
      request, found->params,
      Reply([&](std::optional<Response> r) { body = r ? r->body : ""; }, nullptr));
  return body;
}

TEST(Router, MatchesLiteralsAndCapturesParameters) {
  Router router;
  router.add("GET", "/api/projects/{id}/transitions", named("transitions"));
  auto match = router.match("GET", "/api/projects/p-42/transitions");
  const auto* found = std::get_if<RouteFound>(&match);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->route->pattern, "/api/projects/{id}/transitions");
  EXPECT_EQ(found->params.at("id"), "p-42");
  EXPECT_FALSE(found->params.find("other").has_value());
  EXPECT_THROW((void)found->params.at("other"), std::out_of_range);
}

TEST(Router, UnknownPathsAreNotFound) {
  Router router;
  router.add("GET", "/api/projects/{id}", named("project"));
  EXPECT_TRUE(std::holds_alternative<RouteNotFound>(router.match("GET", "/api/projects")));
  EXPECT_TRUE(std::holds_alternative<RouteNotFound>(router.match("GET", "/api/projects/1/x")));
  EXPECT_TRUE(std::holds_alternative<RouteNotFound>(router.match("GET", "/api/projects/")))
      << "a parameter never matches an empty segment";
  EXPECT_TRUE(std::holds_alternative<RouteNotFound>(router.match("GET", "/api/projects/1/")));
}

TEST(Router, WrongMethodListsTheAllowedOnes) {
  Router router;
  router.add("GET", "/api/projects/{id}", named("get"));
  router.add("PATCH", "/api/projects/{id}", named("patch"));
  router.add("DELETE", "/api/other", named("other"));
  auto match = router.match("POST", "/api/projects/7");
  const auto* wrong = std::get_if<RouteMethodNotAllowed>(&match);
  ASSERT_NE(wrong, nullptr);
  EXPECT_EQ(wrong->allow, (std::vector<std::string>{"GET", "HEAD", "PATCH"}));
  EXPECT_EQ(wrong->pattern, "/api/projects/{id}");
  EXPECT_EQ(allow_header(wrong->allow), "GET, HEAD, PATCH");
}

TEST(Router, LiteralSegmentsBeatParameters) {
  Router router;
  router.add("GET", "/api/projects/{id}", named("by-id"));
  router.add("GET", "/api/projects/export", named("export"));
  router.add("GET", "/api/{section}/export", named("section-export"));
  EXPECT_EQ(reached(router, "GET", "/api/projects/export"), "export");
  EXPECT_EQ(reached(router, "GET", "/api/projects/17"), "by-id");
  EXPECT_EQ(reached(router, "GET", "/api/users/export"), "section-export");
}

TEST(Router, GetRoutesAnswerHeadUnlessHeadHasItsOwn) {
  Router router;
  router.add("GET", "/a", named("get-a"));
  router.add("GET", "/b", named("get-b"));
  router.add("HEAD", "/b", named("head-b"));
  EXPECT_EQ(reached(router, "HEAD", "/a"), "get-a");
  EXPECT_EQ(reached(router, "HEAD", "/b"), "head-b");
  EXPECT_EQ(reached(router, "GET", "/b"), "get-b");
}

TEST(Router, RejectsMalformedAndDuplicateTemplates) {
  Router router;
  router.add("GET", "/api/projects/{id}", named("x"));
  EXPECT_THROW(router.add("GET", "/api/projects/{key}", named("y")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "api/projects", named("y")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/api/p{id}", named("y")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/api/{Id}", named("y")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/api/{id}/{id}", named("y")), std::invalid_argument);
  EXPECT_THROW(router.add("get", "/api/x", named("y")), std::invalid_argument);
  EXPECT_NO_THROW(router.add("POST", "/api/projects/{id}", named("y")));
}

TEST(Router, ListsRoutesInRegistrationOrder) {
  Router router;
  router.add("GET", "/api/workflows", named("a"));
  router.add_async(
      "POST", "/api/projects/{id}/transitions",
      [](const Request&, const RouteParams&, Reply reply) { reply(respond_with("later")); });
  ASSERT_EQ(router.routes().size(), 2u);
  EXPECT_EQ(router.routes()[0].pattern, "/api/workflows");
  EXPECT_EQ(router.routes()[0].execution, Execution::worker_pool);
  EXPECT_EQ(router.routes()[1].method, "POST");
  EXPECT_EQ(router.routes()[1].execution, Execution::io_thread);
  EXPECT_TRUE(router.has("POST", "/api/projects/{id}/transitions"));
  EXPECT_FALSE(router.has("GET", "/api/projects/{id}/transitions"));
}

TEST(Reply, OnlyTheFirstCallCountsAndADroppedReplyIsReported) {
  std::vector<std::optional<Response>> received;
  {
    Reply reply([&](std::optional<Response> r) { received.push_back(std::move(r)); }, nullptr);
    Reply copy = reply;
    copy(text_response(201, "first"));
    reply(text_response(200, "second"));
    EXPECT_TRUE(reply.sent());
  }
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0]->status, 201);

  received.clear();
  {
    Reply dropped([&](std::optional<Response> r) { received.push_back(std::move(r)); }, nullptr);
  }
  ASSERT_EQ(received.size(), 1u);
  EXPECT_FALSE(received[0].has_value());
}

}  // namespace
}  // namespace investflow::web
