// Authentication, CSRF, preconditions, idempotency and malformed requests: each status
// code the API promises, as problem+json.
#include "tests/web/api_test_support.hpp"
#include "web/api_handlers.hpp"

namespace investflow::web::testing {
namespace {

TEST_F(ApiTest, LoginSetsAStrictHttpOnlyCookieAndMeAnswers) {
  const auto response =
      fetch(port(), "POST", "/api/login", R"({"username":"zhang","password":"password-of-zhang"})",
            {{"Content-Type", "application/json"}});
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  const std::string cookie(response->header("Set-Cookie").value_or(""));
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  const auto body = parse(*response);
  EXPECT_EQ(body.at("user").at("id").as_string(), "zhang");
  EXPECT_EQ(body.at("csrf_token").as_string().size(), 64u);

  const Login session{cookie.substr(0, cookie.find(';')),
                      std::string(body.at("csrf_token").as_string())};
  const auto me = call(session, "GET", "/api/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(parse(me).at("roles").as_array()[0].as_string(), "staff");

  EXPECT_EQ(call(session, "POST", "/api/logout").status, 204);
  EXPECT_EQ(call(session, "GET", "/api/me").status, 401);
}

TEST_F(ApiTest, WithoutCredentialsIs401) {
  const auto response = fetch(port(), "GET", "/api/projects");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(response->header("Content-Type").value_or(""), "application/problem+json");
  const auto forged = fetch(port(), "GET", "/api/me", {}, {{"Authorization", "Bearer 1234"}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  const auto wrong =
      fetch(port(), "POST", "/api/login", R"({"username":"zhang","password":"not-her-password"})",
            {{"Content-Type", "application/json"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
}

TEST_F(ApiTest, UnsafeRequestWithoutCsrfTokenIs403) {
  const Login zhang = login("zhang");
  const std::string body = R"({"workflow":"qingyuan-investment","fields":{"name":"x"}})";
  const auto missing = fetch(port(), "POST", "/api/projects", body, {{"Cookie", zhang.cookie}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403);
  EXPECT_EQ(parse(*missing).at("code").as_string(), "csrf_token_invalid");
  const auto wrong = fetch(port(), "POST", "/api/projects", body,
                           {{"Cookie", zhang.cookie}, {"X-CSRF-Token", std::string(64, 'a')}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  // Reads need no token; the same write with it goes through.
  EXPECT_EQ(fetch(port(), "GET", "/api/projects", {}, {{"Cookie", zhang.cookie}})->status, 200);
  EXPECT_EQ(call(zhang, "POST", "/api/projects", body).status, 201);
}

// Guessing an account's password slows down; its owner is never locked out for long.
TEST_F(ApiTest, LoginFailuresSlowTheAccountDownWithoutLockingItsOwnerOut) {
  const auto try_login = [&](const std::string& password) {
    const auto response =
        fetch(port(), "POST", "/api/login", R"({"username":"li","password":")" + password + R"("})",
              {{"Content-Type", "application/json"}});
    EXPECT_TRUE(response);
    return response ? *response : ClientResponse{};
  };
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(try_login("guess-" + std::to_string(i)).status, 401);
  }
  // The fourth failure costs a second: even the right password waits it out.
  const auto limited = try_login("password-of-li");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("Retry-After").value_or(""), "1");
  // Each further failure doubles the wait, up to 30 seconds.
  std::vector<std::string> waits;
  for (int i = 0; i < 7; ++i) {
    clock_->advance_ms(30 * 1000);
    EXPECT_EQ(try_login("guess").status, 401);
    waits.emplace_back(try_login("guess").header("Retry-After").value_or(""));
  }
  EXPECT_EQ(waits, (std::vector<std::string>{"2", "4", "8", "16", "30", "30", "30"}));
  // The owner gets in once the wait is over.
  clock_->advance_ms(30 * 1000);
  EXPECT_EQ(try_login("password-of-li").status, 200);
}

// Login CSRF: another site's page cannot log a browser in, by form or by script.
TEST_F(ApiTest, LoginTakesOnlyJsonFromOurOwnPages) {
  const std::string body = R"({"username":"li","password":"password-of-li"})";
  const auto form = fetch(port(), "POST", "/api/login", body, {{"Content-Type", "text/plain"}});
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415) << form->body;
  EXPECT_FALSE(form->header("Set-Cookie"));
  const auto untyped = fetch(port(), "POST", "/api/login", body);
  ASSERT_TRUE(untyped);
  EXPECT_EQ(untyped->status, 415);
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"Origin", "https://evil.example"},
                                                        {"Origin", "null"},
                                                        {"Origin", "http://127.0.0.1:1"},
                                                        {"Sec-Fetch-Site", "cross-site"}}) {
    const auto refused = fetch(port(), "POST", "/api/login", body,
                               {{"Content-Type", "application/json"}, {name, value}});
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403) << name << ": " << value;
    EXPECT_NE(refused->body.find("cross_origin"), std::string::npos) << refused->body;
    EXPECT_FALSE(refused->header("Set-Cookie"));
  }
  // Our own page (Origin matching Host, the client's default) logs in.
  const auto own = fetch(port(), "POST", "/api/login", body,
                         {{"Content-Type", "application/json"},
                          {"Origin", "http://127.0.0.1"},
                          {"Sec-Fetch-Site", "same-origin"}});
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200) << own->body;
}

// A cookie-authenticated write from another site's page is refused before its CSRF token is
// even looked at; a bearer token (a script) is not a browser and is not asked.
TEST_F(ApiTest, CookieWritesFromAnotherSitesPageAreRefused) {
  const Login zhang = login("zhang");
  const std::string body = R"({"workflow":"qingyuan-investment","fields":{"name":"x"}})";
  const auto cross = fetch(port(), "POST", "/api/projects", body,
                           {{"Cookie", zhang.cookie},
                            {"X-CSRF-Token", zhang.csrf_token},
                            {"Content-Type", "application/json"},
                            {"Origin", "https://evil.example"}});
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 403);
  EXPECT_NE(cross->body.find("cross_origin"), std::string::npos) << cross->body;
  // Reads are not writes.
  EXPECT_EQ(fetch(port(), "GET", "/api/projects", {},
                  {{"Cookie", zhang.cookie}, {"Origin", "https://evil.example"}})
                ->status,
            200);
  const auto same = fetch(port(), "POST", "/api/projects", body,
                          {{"Cookie", zhang.cookie},
                           {"X-CSRF-Token", zhang.csrf_token},
                           {"Content-Type", "application/json"},
                           {"Origin", "http://127.0.0.1"}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 201) << same->body;
}

TEST_F(ApiTest, StaleIfMatchIs412AndTheRightOneWrites) {
  const std::string id = create_lead();
  const std::string path = "/api/projects/" + id;
  const auto project = call_as("zhang", "GET", path);
  ASSERT_EQ(project.header("ETag").value_or(""), "\"1\"");
  const std::string edit = R"({"fields":{"land_area": 10}})";
  const auto stale = call_as("zhang", "PATCH", path, edit, {{"If-Match", "\"7\""}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(parse(stale).at("code").as_string(), "precondition_failed");
  const auto fresh = call_as("zhang", "PATCH", path, edit, {{"If-Match", "\"1\""}});
  EXPECT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_EQ(fresh.header("ETag").value_or(""), "\"2\"");
  EXPECT_EQ(call_as("zhang", "PATCH", path, edit, {{"If-Match", "soon"}}).status, 400);
  // The version in the body instead of If-Match: a stale one is a 409 conflict.
  const auto conflict =
      call_as("zhang", "PATCH", path, R"({"version": 1, "fields": {"land_area": 12}})");
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_EQ(parse(conflict).at("code").as_string(), "stale_version");
  EXPECT_EQ(conflict.header("ETag").value_or(""), "\"2\"");
  EXPECT_EQ(call_as("zhang", "PATCH", path, R"({"version": "two", "fields": {}})").status, 400);
}

// GET /api/projects/{id} is answered from memory on the I/O thread once the token has been
// checked and the project is cached: the same bytes and ETag as from the database, 304 for
// a known version, the new version right after a write, and a cookie session still works.
TEST_F(ApiTest, ProjectReadsFromMemoryMatchTheDatabase) {
  if (on_postgres()) {
    GTEST_SKIP() << "the project JSON kept in memory is the SQLite store's: on PostgreSQL "
                    "another server may have written since";
  }
  const std::string id = create_lead();
  const std::string path = "/api/projects/" + id;
  const auto first = call_as("zhang", "GET", path);  // checks the token, fills the cache
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_NE(store_->cached_project_json(id), nullptr);
  const auto again = call_as("zhang", "GET", path);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("ETag"), first.header("ETag"));
  // The kept JSON with the read-time light (issue 17) added before its closing brace.
  const std::string kept = store_->cached_project_json(id)->body;
  EXPECT_EQ(again.body.substr(0, kept.size() - 1), kept.substr(0, kept.size() - 1));
  EXPECT_NE(again.body.find(R"("light":"yellow"})"), std::string::npos) << again.body;
  EXPECT_EQ(call_as("zhang", "GET", path, "", {{"If-None-Match", "\"1\""}}).status, 304);

  ASSERT_EQ(call_as("zhang", "PATCH", path, R"({"fields":{"land_area": 10}})").status, 200);
  const auto edited = call_as("zhang", "GET", path);
  EXPECT_EQ(edited.header("ETag").value_or(""), "\"2\"");
  EXPECT_NE(edited.body.find("land_area"), std::string::npos);

  EXPECT_EQ(call(login("zhang"), "GET", path).body, edited.body);

  // The fast path itself: it answers a checked token for a cached project, in memory, and
  // leaves everything else (a session cookie, an unknown token, a project not cached) to
  // the full handler.
  ApiContext context(*store_, *auth_);
  RouteParams params;
  params.add("id", id);
  Request by_token;
  by_token.headers.add("Authorization", "Bearer " + tokens_.at("zhang"));
  // Checked just now: the fast path trusts a token for a second (a loaded machine may have
  // taken longer than that since the requests above).
  ASSERT_TRUE(auth_->token_user(tokens_.at("zhang")));
  const auto fast = api::get_project_from_memory(context, by_token, params);
  ASSERT_TRUE(fast);
  EXPECT_EQ(fast->status, 200);
  EXPECT_EQ(fast->headers.get("ETag").value_or(""), "\"2\"");
  Request by_cookie;
  by_cookie.headers.add("Cookie", login("zhang").cookie);
  EXPECT_FALSE(api::get_project_from_memory(context, by_cookie, params));
  Request by_stranger;
  by_stranger.headers.add("Authorization", "Bearer " + std::string(64, 'a'));
  EXPECT_FALSE(api::get_project_from_memory(context, by_stranger, params));
  RouteParams missing;
  missing.add("id", "P-NOT-CACHED");
  EXPECT_FALSE(api::get_project_from_memory(context, by_token, missing));
  // A wrong token is refused whatever is cached.
  auto stranger =
      fetch(port(), "GET", path, "", {{"Authorization", "Bearer " + std::string(64, 'a')}});
  ASSERT_TRUE(stranger);
  EXPECT_EQ(stranger->status, 401);
  EXPECT_EQ(call_as("zhang", "GET", "/api/projects/P-NOPE").status, 404);
}

TEST_F(ApiTest, RepeatedIdempotencyKeyReturnsTheFirstResponse) {
  const std::string body = R"({"workflow":"qingyuan-investment","fields":{"name":"重复提交"}})";
  const auto first = call_as("zhang", "POST", "/api/projects", body, {{"Idempotency-Key", "k-1"}});
  const auto second = call_as("zhang", "POST", "/api/projects", body, {{"Idempotency-Key", "k-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(second.status, 201);
  EXPECT_EQ(second.body, first.body);
  const auto all = parse(call_as("zhang", "GET", "/api/projects"));
  EXPECT_EQ(all.at("projects").as_array().size(), 1u);

  // A transition repeated with its key is taken once.
  const std::string path =
      "/api/projects/" + std::string(parse(first).at("project_id").as_string());
  const std::string edit = R"({"fields":{"investor":"某公司"}})";
  const auto edit1 = call_as("zhang", "PATCH", path, edit, {{"Idempotency-Key", "k-2"}});
  const auto edit2 = call_as("zhang", "PATCH", path, edit, {{"Idempotency-Key", "k-2"}});
  EXPECT_EQ(edit1.status, 200);
  EXPECT_EQ(edit2.body, edit1.body);
  EXPECT_EQ(parse(call_as("zhang", "GET", path)).at("version").as_int64(), 2);
}

TEST_F(ApiTest, MalformedBodiesAre400NamingTheField) {
  const std::string id = create_lead();
  const std::string path = "/api/projects/" + id;
  const auto broken = call_as("zhang", "PATCH", path, R"({"fields": {)");
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(parse(broken).at("code").as_string(), "malformed_json");
  EXPECT_EQ(call_as("zhang", "PATCH", path, "[1,2]").status, 400);

  const auto wrong_type =
      call_as("zhang", "PATCH", path, R"({"fields":{"total_investment":"lots"}})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(parse(wrong_type).at("errors").as_array()[0].at("field").as_string(),
            "total_investment");
  const auto bad_date =
      call_as("zhang", "PATCH", path, R"({"fields":{"review_meeting_on":"soon"}})");
  EXPECT_EQ(bad_date.status, 400);
  const auto no_transition = call_as("zhang", "POST", path + "/transitions", R"({"comment":"x"})");
  EXPECT_EQ(no_transition.status, 400);
  EXPECT_EQ(parse(no_transition).at("errors").as_array()[0].at("field").as_string(), "transition");
  const auto bad_vote = call_as("r1", "POST", path + "/votes", R"({"choice":"maybe"})");
  EXPECT_EQ(bad_vote.status, 400);
}

TEST_F(ApiTest, RuleViolationsListEveryReason) {
  const auto created =
      call_as("zhang", "POST", "/api/projects",
              R"({"workflow":"qingyuan-investment","fields":{"name":"缺字段项目"}})");
  ASSERT_EQ(created.status, 201);
  const std::string path =
      "/api/projects/" + std::string(parse(created).at("project_id").as_string());
  const auto refused =
      call_as("zhang", "POST", path + "/transitions", R"({"transition":"accept_lead"})");
  ASSERT_EQ(refused.status, 422) << refused.body;
  // A refusal describes this request only, as every other problem does.
  EXPECT_EQ(refused.header("Cache-Control").value_or(""), "no-store");
  const auto problem = parse(refused);
  EXPECT_EQ(problem.at("code").as_string(), "rule_violation");
  // investor, contact, industry, total_investment, promoting_unit are all missing.
  EXPECT_EQ(problem.at("errors").as_array().size(), 5u) << refused.body;
  for (const auto& error : problem.at("errors").as_array()) {
    EXPECT_EQ(error.at("code").as_string(), "missing_field");
    EXPECT_FALSE(error.at("field").as_string().empty());
  }
  // Milestones and follow-up visits go through the engine too.
  const auto milestone = call_as("zhang", "POST", path + "/milestones",
                                 R"({"milestone":"no_such","done_on":"2026-03-02"})");
  EXPECT_EQ(milestone.status, 422) << milestone.body;
  EXPECT_EQ(parse(milestone).at("code").as_string(), "unknown_milestone");
  const auto visit = call_as("zhang", "POST", path + "/followups",
                             R"({"on":"2026-03-02","summary":"走访","issues":["用电"]})");
  EXPECT_EQ(visit.status, 422) << visit.body;
  EXPECT_EQ(parse(visit).at("code").as_string(), "not_in_followup");
  EXPECT_EQ(
      call_as("zhang", "POST", path + "/followups", R"({"on":"someday","summary":"x"})").status,
      400);
  EXPECT_EQ(call_as("zhang", "GET", "/api/projects/NOPE").status, 404);
  EXPECT_EQ(
      call_as("zhang", "POST", "/api/projects/NOPE/transitions", R"({"transition":"accept_lead"})")
          .status,
      404);
}

// Every role against every route: reads are open to every signed-in role; writes are
// allowed or refused with 403 exactly as the workflow's roles say.
TEST_F(ApiTest, RoleMatrix) {
  for (const std::string& role : kRoles) {
    SCOPED_TRACE(role);
    const std::string user = user_with(role);
    const std::string lead = create_lead();
    const std::string path = "/api/projects/" + lead;
    for (const std::string& target :
         {std::string("/api/me"), std::string("/api/workflows"),
          std::string("/api/workflows/qingyuan-investment"), std::string("/api/projects"), path,
          path + "/transitions", path + "/history"}) {
      EXPECT_EQ(call_as(user, "GET", target).status, 200) << target;
    }
    const auto users = call_as(user, "GET", "/api/users");
    EXPECT_EQ(users.status, role == "admin" ? 200 : 403) << users.body;
    const bool may_create = workflow_->role_acts_in(role, workflow_->initial);
    const auto created = call_as(user, "POST", "/api/projects",
                                 R"({"workflow":"qingyuan-investment","fields":{"name":"角色"}})");
    EXPECT_EQ(created.status, may_create ? 201 : 403) << created.body;

    const auto* accept = workflow_->find_transition("accept_lead");
    const bool may_accept =
        std::find(accept->roles.begin(), accept->roles.end(), role) != accept->roles.end();
    const auto taken =
        call_as(user, "POST", path + "/transitions", R"({"transition":"accept_lead"})");
    EXPECT_EQ(taken.status, may_accept ? 200 : 403) << taken.body;

    // Votes belong to the reviewers; in screening there is no review open for anyone.
    const auto vote = call_as(user, "POST", path + "/votes", R"({"choice":"approve"})");
    EXPECT_TRUE(vote.status == 403 || vote.status == 422) << vote.status << " " << vote.body;
  }
}

}  // namespace
}  // namespace investflow::web::testing
