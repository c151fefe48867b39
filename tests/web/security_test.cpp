// Security checks of issue 8 against the real server in-process, beyond what the other web
// tests already cover (api_errors_test: per-user login limit, CSRF, a role matrix of reads,
// creation, accept_lead and votes; server_test: traversal on static files;
// server_limits_test: body/header limits and slow clients). Here: every write route for
// every role, credentials that must not work, traversal through the API's own paths,
// header injection, oversized and deeply nested bodies, login throttling per address, and
// SQL-looking input stored as text.
#include <set>

#include "tests/web/api_test_support.hpp"
#include "web/static_files.hpp"

namespace investflow::web::testing {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The write routes of a project in `lead`, with a body each route parses.
struct WriteRoute {
  std::string method;
  std::string suffix;  // after /api/projects/{id}
  std::string body;
};
std::vector<WriteRoute> write_routes() {
  return {
      {"PATCH", "", R"({"fields":{"contact":"周经理 139-0000-0003"}})"},
      {"POST", "/transitions", R"({"transition":"accept_lead"})"},
      {"POST", "/transitions", R"({"transition":"decline_lead","comment":"不在范围内"})"},
      {"POST", "/transitions", R"({"transition":"withdraw","comment":"投资方撤回"})"},
      {"POST", "/votes", R"({"choice":"approve"})"},
      {"POST", "/milestones", R"({"milestone":"pay_bond","done_on":"2026-03-02"})"},
      {"POST", "/followups", R"({"on":"2026-03-02","summary":"走访"})"},
      // issue 17: 转交 is for managers and admins; the shipped workflow has no 督办 levels.
      {"POST", "/reassignments", R"({"holder":"service_officer","to":"zhang","reason":"调岗"})"},
      {"POST", "/supervisions", R"({"level":"yellow_card","due_on":"2026-03-09","reason":"逾期"})"},
  };
}

bool holds(const std::vector<std::string>& roles, const std::string& role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

// Every role against every write route on a fresh lead: a transition is allowed exactly
// for its roles (403 otherwise, never a 5xx); a refused write changes nothing; the auditor
// can write nothing at all.
TEST_F(ApiTest, EveryRoleAgainstEveryWriteRoute) {
  for (const std::string& role : kRoles) {
    for (const WriteRoute& route : write_routes()) {
      SCOPED_TRACE(role + " " + route.method + " " + route.suffix + " " + route.body);
      const std::string lead = create_lead();
      const std::string path = "/api/projects/" + lead;
      const auto before = parse(call_as("zhang", "GET", path)).at("version").as_int64();
      const auto answer = call_as(user_with(role), route.method, path + route.suffix, route.body);
      EXPECT_LT(answer.status, 500) << answer.body;
      EXPECT_NE(answer.status, 401) << answer.body;
      const bool accepted = answer.status == 200 || answer.status == 201;
      const auto after = parse(call_as("zhang", "GET", path)).at("version").as_int64();
      EXPECT_EQ(after, accepted ? before + 1 : before) << answer.body;
      if (role == "auditor") {
        EXPECT_FALSE(accepted) << answer.body;
      }
      if (route.suffix == "/transitions") {
        const auto body = boost::json::parse(route.body).as_object();
        const auto* transition =
            workflow_->find_transition(std::string(body.at("transition").as_string()));
        ASSERT_NE(transition, nullptr);
        EXPECT_EQ(accepted, holds(transition->roles, role)) << answer.body;
        if (!accepted) {
          EXPECT_EQ(answer.status, 403) << answer.body;
        }
      }
      if (route.suffix == "/reassignments") {
        EXPECT_EQ(accepted, role == "manager" || role == "admin") << answer.body;
        if (!accepted) {
          EXPECT_EQ(answer.status, 403) << answer.body;
        }
      }
      if (route.suffix == "/supervisions") {
        EXPECT_FALSE(accepted) << answer.body;
      }
      if (route.suffix == "/votes") {
        // A lead has no open review: nobody votes, reviewers included.
        EXPECT_FALSE(accepted) << answer.body;
      }
    }
  }
}

// Every route, read or write, refuses callers without valid credentials with a 401
// problem: none, a made-up bearer token, a token of the wrong shape, a forged cookie.
TEST_F(ApiTest, EveryRouteRefusesMissingOrForgedCredentials) {
  const std::string lead = create_lead();
  const std::string path = "/api/projects/" + lead;
  const std::vector<std::pair<std::string, std::string>> targets = {
      {"GET", "/api/me"},
      {"GET", "/api/users"},
      {"GET", "/api/workflows"},
      {"GET", "/api/workflows/qingyuan-investment"},
      {"GET", "/api/projects"},
      {"POST", "/api/projects"},
      {"GET", path},
      {"PATCH", path},
      {"GET", path + "/transitions"},
      {"POST", path + "/transitions"},
      {"POST", path + "/votes"},
      {"POST", path + "/milestones"},
      {"POST", path + "/followups"},
      {"POST", path + "/supervisions"},
      {"POST", path + "/reassignments"},
      {"POST", "/api/reassignments"},
      {"GET", path + "/history"},
      {"GET", "/api/stream"},
      {"POST", "/api/logout"},
  };
  const std::vector<Headers> forged = {
      {},
      {{"Authorization", "Bearer " + std::string(64, '0')}},
      {{"Authorization", "Bearer " + tokens_.at("root") + "x"}},
      {{"Authorization", "Basic cm9vdDpwYXNzd29yZC1yb290"}},
      {{"Authorization", "Bearer"}},
      {{"Cookie", std::string("investflow_session=") + std::string(64, 'f')}},
      {{"Cookie", std::string("investflow_session=' OR '1'='1")}},
  };
  for (const auto& [method, target] : targets) {
    for (const Headers& headers : forged) {
      SCOPED_TRACE(method + " " + target + " " +
                   (headers.empty() ? "no credentials" : headers[0].second));
      auto with_type = headers;
      with_type.emplace_back("Content-Type", "application/json");
      const auto response = fetch(port(), method, target, "{}", with_type);
      ASSERT_TRUE(response);
      EXPECT_EQ(response->status, 401) << response->body;
      EXPECT_EQ(response->header("Content-Type").value_or(""), "application/problem+json");
    }
  }
  // Nothing was written by any of them.
  EXPECT_EQ(parse(call_as("zhang", "GET", path)).at("version").as_int64(), 1);
}

// The project and workflow ids come from the path: no spelling of a climb reaches anything,
// and none is a 5xx. (Static files: server_test's PathTraversalAttemptsAreAllRefused.)
TEST_F(ApiTest, TraversalThroughApiPathsIsRefused) {
  const std::string lead = create_lead();
  const std::vector<std::string> attempts = {
      "/api/projects/../users",
      "/api/projects/%2e%2e/users",
      "/api/projects/%2E%2E%2Fusers",
      "/api/projects/..%2fusers",
      "/api/projects/..%5cusers",
      "/api/projects/..\\users",
      "/api/projects/%252e%252e%252fusers",
      "/api/projects/" + lead + "/..",
      "/api/projects/" + lead + "/%2e%2e/history",
      "/api/workflows/..%2f..%2f..%2fetc%2fpasswd",
      "/api/workflows/%2e%2e%2f%2e%2e%2fworkflows%2fdefinitions%2fqingyuan-investment.yaml",
      "/api/workflows/..%c0%af..%c0%afetc%c0%afpasswd",
      "/api/./users",
      "/api//users",
      "http://localhost/api/projects/../users",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/..%2f..%2fetc%2fpasswd",
      "/assets/..%252f..%252fetc%252fpasswd",
  };
  for (const std::string& target : attempts) {
    SCOPED_TRACE(target);
    HttpClient client;
    ASSERT_TRUE(client.connect(port()));
    ASSERT_TRUE(client.send_raw("GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                tokens_.at("zhang") + "\r\n\r\n"));
    const auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_TRUE(response->status == 400 || response->status == 404) << response->status;
    EXPECT_EQ(response->body.find("root:"), std::string::npos);
    EXPECT_EQ(response->body.find("\"users\""), std::string::npos);
  }
}

// Client text that reaches a response header cannot add a header or split the response:
// CR/LF in a created project's id (echoed in Location) or in X-Request-Id (echoed when
// well formed); raw CR/LF tricks in request headers are refused as malformed.
TEST_F(ApiTest, ClientTextCannotInjectResponseHeaders) {
  const std::string injected = "\r\nSet-Cookie: investflow_session=stolen\r\nX-Injected: 1";
  const std::string encoded_json = R"(\r\nSet-Cookie: investflow_session=stolen\r\nX-Injected: 1)";
  const auto created = call_as("zhang", "POST", "/api/projects",
                               R"({"workflow":"qingyuan-investment","id":"P-1)" + encoded_json +
                                   R"(","fields":{"name":"注入"}})");
  // Refused: a project id is one addressable path segment (web/api_commands.cpp).
  EXPECT_EQ(created.status, 400) << created.body;
  EXPECT_FALSE(created.header("X-Injected")) << created.body;
  EXPECT_FALSE(created.header("Set-Cookie")) << created.body;
  for (const auto& [name, value] : created.headers) {
    EXPECT_EQ(value.find_first_of("\r\n"), std::string::npos) << name;
  }

  for (const std::string& id : {std::string("a/b"), std::string(".."), std::string("a b"),
                                std::string("x%0d%0a"), std::string(65, 'a')}) {
    const auto refused = call_as("zhang", "POST", "/api/projects",
                                 boost::json::serialize(boost::json::object{
                                     {"workflow", "qingyuan-investment"},
                                     {"id", id},
                                     {"fields", boost::json::object{{"name", "n"}}}}));
    EXPECT_EQ(refused.status, 400) << id << " " << refused.body;
  }
  const auto chosen = call_as("zhang", "POST", "/api/projects",
                              R"({"workflow":"qingyuan-investment","id":"QY-2026.07_a",)"
                              R"("fields":{"name":"n"}})");
  EXPECT_EQ(chosen.status, 201) << chosen.body;
  EXPECT_EQ(chosen.header("Location").value_or(""), "/api/projects/QY-2026.07_a");

  // Percent-encoded CR/LF in the request id.
  const auto request_id =
      call_as("zhang", "GET", "/api/me", {}, {{"X-Request-Id", "abc%0d%0aX-Injected:%201"}});
  EXPECT_EQ(request_id.status, 200);
  EXPECT_FALSE(request_id.header("X-Injected"));
  EXPECT_EQ(request_id.header("X-Request-Id").value_or("").find('%'), std::string::npos);

  // Raw bytes: a bare CR or LF, or an obsolete line folding, inside a header value.
  const std::vector<std::string> raw = {
      "GET /api/me HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\rX-Injected: 1\r\n\r\n",
      "GET /api/me HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\nX-Injected: 1\r\n\r\n",
      "GET /api/me HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\r\n X-Injected: 1\r\n\r\n",
      "GET /api/me?x=" + injected + " HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /api/me%0d%0aX-Injected:%201 HTTP/1.1\r\nHost: x\r\n\r\n",
  };
  for (const std::string& bytes : raw) {
    SCOPED_TRACE(bytes);
    HttpClient client;
    ASSERT_TRUE(client.connect(port()));
    ASSERT_TRUE(client.send_raw(bytes));
    const auto response = client.read_response();
    if (!response) continue;  // closed without an answer: nothing injected either
    EXPECT_LT(response->status, 500);
    EXPECT_FALSE(response->header("X-Injected"));
    EXPECT_FALSE(response->header("Set-Cookie"));
  }
  // The server is still answering normally.
  EXPECT_EQ(call_as("zhang", "GET", "/api/me").status, 200);
}

// Bodies built to exhaust the parser or the store are client mistakes (4xx), never a crash
// or a 5xx, and the server keeps serving.
TEST_F(ApiTest, HostileBodiesAreClientErrors) {
  const std::string lead = create_lead();
  const std::string path = "/api/projects/" + lead;
  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"deep arrays", std::string(200000, '[') + std::string(200000, ']')},
      {"deep objects",
       [] {
         std::string body;
         for (int i = 0; i < 50000; ++i)
           body += R"({"a":)";
         body += "1";
         body += std::string(50000, '}');
         return body;
       }()},
      {"deep fields", R"({"fields":)" + std::string(10000, '[') + std::string(10000, ']') + "}"},
      {"a field 100 000 long", R"({"fields":{"contact":")" + std::string(100000, 'x') + "\"}}"},
      {"many unknown fields",
       [] {
         std::string body = R"({"fields":{)";
         for (int i = 0; i < 20000; ++i)
           body += (i ? ",\"f" : "\"f") + std::to_string(i) + "\":1";
         return body + "}}";
       }()},
      {"a huge number", R"({"fields":{"total_investment":1e999999}})"},
      {"NaN", R"({"fields":{"total_investment":NaN}})"},
      {"invalid UTF-8", "{\"fields\":{\"contact\":\"\xff\xfe\xc0\xaf\"}}"},
      {"a NUL", std::string("{\"fields\":{\"contact\":\"a\0b\"}}", 28)},
      {"duplicate keys", R"({"fields":{"contact":"a"},"fields":{"contact":"b"}})"},
  };
  for (const auto& [what, body] : bodies) {
    SCOPED_TRACE(what);
    const auto answer = call_as("zhang", "PATCH", path, body);
    EXPECT_GE(answer.status, 200) << answer.body.substr(0, 300);
    EXPECT_LT(answer.status, 500) << answer.body.substr(0, 300);
  }
  // A URL longer than the header limit is 413 (or a refused connection), not a crash.
  HttpClient client;
  ASSERT_TRUE(client.connect(port()));
  ASSERT_TRUE(client.send_raw("GET /api/projects?q=" + std::string(64 * 1024, 'a') +
                              " HTTP/1.1\r\nHost: x\r\n\r\n"));
  if (const auto response = client.read_response()) {
    EXPECT_EQ(response->status, 413);
  }
  EXPECT_EQ(call_as("zhang", "GET", path).status, 200);
}

// Guessing passwords from one address across many user names (spraying) is throttled per
// address: 429 with a Retry-After in whole seconds, for known and unknown names alike, and
// the right password does not get through while it lasts.
TEST_F(ApiTest, LoginSprayFromOneAddressIsThrottled) {
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    const std::string user = i % 2 == 0 ? "nobody-" + std::to_string(i) : user_with(kRoles[i % 7]);
    const auto failed =
        fetch(port(), "POST", "/api/login", R"({"username":")" + user + R"(","password":"guess"})",
              {{"Content-Type", "application/json"}});
    ASSERT_TRUE(failed);
    refused += failed->status == 401;
    EXPECT_TRUE(failed->status == 401 || failed->status == 429) << failed->body;
  }
  EXPECT_GT(refused, 0);
  for (const std::string& user : {std::string("nobody-else"), std::string("root")}) {
    const auto limited = fetch(port(), "POST", "/api/login",
                               R"({"username":")" + user + R"(","password":"password-of-root"})",
                               {{"Content-Type", "application/json"}});
    ASSERT_TRUE(limited);
    EXPECT_EQ(limited->status, 429) << user << " " << limited->body;
    const std::string retry(limited->header("Retry-After").value_or(""));
    ASSERT_FALSE(retry.empty());
    EXPECT_EQ(retry.find_first_not_of("0123456789"), std::string::npos) << retry;
    EXPECT_GT(std::stoll(retry), 0);
    EXPECT_EQ(limited->header("Content-Type").value_or(""), "application/problem+json");
    EXPECT_FALSE(limited->header("Set-Cookie"));
  }
  // Bearer tokens are not throttled with the logins: scripts keep working.
  EXPECT_EQ(call_as("root", "GET", "/api/me").status, 200);
}

// A user name as long as the body allows is an ordinary failed login, not a 5xx.
TEST_F(ApiTest, HugeLoginNamesAreOrdinaryFailures) {
  const auto response =
      fetch(port(), "POST", "/api/login",
            R"({"username":")" + std::string(900 * 1024, 'u') + R"(","password":"x"})",
            {{"Content-Type", "application/json"}});
  ASSERT_TRUE(response);
  EXPECT_TRUE(response->status == 401 || response->status == 400 || response->status == 429)
      << response->status;
}

// Text that looks like SQL is stored as text and comes back byte for byte; in queries it
// finds what contains it and nothing else; the tables are still there afterwards.
TEST_F(ApiTest, SqlLookingInputIsStoredAsText) {
  const std::vector<std::string> texts = {
      "'; DROP TABLE projects; --",
      "1' OR '1'='1",
      "\"; DELETE FROM events WHERE 1=1; --",
      "Robert'); UPDATE users SET roles='admin' WHERE ('1'='1",
      "%' UNION SELECT password_hash FROM users --",
      "\\'; ATTACH DATABASE '/tmp/x.db' AS x; --",
  };
  std::set<std::string> ids;
  for (const std::string& text : texts) {
    SCOPED_TRACE(text);
    boost::json::object body{
        {"workflow", "qingyuan-investment"},
        {"fields", boost::json::object{{"name", text}, {"contact", text}, {"investor", text}}}};
    const auto created = call_as("zhang", "POST", "/api/projects", boost::json::serialize(body));
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id(parse(created).at("project_id").as_string());
    ids.insert(id);
    const auto project = parse(call_as("audit", "GET", "/api/projects/" + id));
    const auto& fields = project.at("fields").as_object();
    EXPECT_EQ(fields.at("name").as_string(), text);
    EXPECT_EQ(fields.at("contact").as_string(), text);
    EXPECT_EQ(fields.at("investor").as_string(), text);
  }
  // Each text searched for finds its own project; a classic tautology finds none.
  for (const std::string& text : {std::string("DROP TABLE"), std::string("UNION SELECT")}) {
    const auto list = call_as(
        "zhang", "GET", "/api/projects?q=" + [&] {
          std::string encoded;
          for (const char c : text)
            encoded += c == ' ' ? std::string("%20") : std::string(1, c);
          return encoded;
        }());
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(parse(list).at("projects").as_array().size(), 1u) << list.body;
  }
  const auto tautology = call_as("zhang", "GET", "/api/projects?q=%27%20OR%20%271%27%3D%271");
  ASSERT_EQ(tautology.status, 200);
  EXPECT_EQ(parse(tautology).at("projects").as_array().size(), 1u)
      << tautology.body;  // "1' OR '1'='1"
  // Filters and sort keys with SQL in them are refused or match nothing; never a 5xx.
  for (const std::string& query :
       {std::string("state=lead%27%20OR%20%271%27%3D%271"),
        std::string("sort=name;DROP%20TABLE%20x"), std::string("sort=name%20DESC,%20(SELECT%201)"),
        std::string("workflow=%27%20OR%201%3D1--"), std::string("owner=x%27)%20OR%20(%271"),
        std::string("cursor=%27%20OR%201%3D1--"), std::string("limit=1;DROP%20TABLE%20projects")}) {
    SCOPED_TRACE(query);
    const auto answer = call_as("zhang", "GET", "/api/projects?" + query);
    EXPECT_TRUE(answer.status == 200 || answer.status == 400) << answer.status << answer.body;
    if (answer.status == 200) {
      EXPECT_TRUE(parse(answer).at("projects").as_array().empty());
    }
  }
  // The tables and every project are still there, and users kept their roles.
  const auto all = call_as("zhang", "GET", "/api/projects?limit=500");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(parse(all).at("projects").as_array().size(), texts.size());
  EXPECT_EQ(parse(call_as("zhang", "GET", "/api/me")).at("roles").as_array().size(), 1u);
  EXPECT_EQ(call_as("zhang", "GET", "/api/users").status, 403);
}

}  // namespace
}  // namespace investflow::web::testing
