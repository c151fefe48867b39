#pragma once
// The API tests' world: a temporary SQLite database (or, with INVESTFLOW_TEST_STORE=postgresql,
// a PostgreSQL one) with the shipped qingyuan-investment workflow, a fixed clock (Monday
// 2026-03-02, 09:00 in China), one user per role, and the real server on 127.0.0.1 port 0.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/date.hpp"
#include "storage/attachment_files.hpp"
#include "storage/audit.hpp"
#include "storage/auth.hpp"
#include "storage/open_store.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/pg_server.hpp"
#include "tests/web/contract.hpp"
#include "tests/web/http_client.hpp"
#include "tests/web/test_server.hpp"
#include "web/api.hpp"
#include "workflows/loader.hpp"

namespace investflow::web::testing {

inline const std::vector<std::string> kRoles = {"staff",  "secretariat", "reviewer", "manager",
                                                "leader", "auditor",     "admin"};

struct Login {
  std::string cookie;  // "investflow_session=..."
  std::string csrf_token;
};

class ApiTest : public ::testing::Test {
 protected:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("investflow-api-" + std::to_string(std::random_device()()) + "-" +
            std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    clock_ = std::make_shared<engine::FixedClock>(
        engine::start_of_day(*engine::Date::parse("2026-03-02")) + 9 * 3600 * 1000);

    // INVESTFLOW_TEST_STORE=postgresql runs the suite on a PostgreSQL database of its own
    // per test (ctest's web_tests_on_postgresql), else on a SQLite file.
    const char* kind = std::getenv("INVESTFLOW_TEST_STORE");
    on_postgres_ = kind != nullptr && std::string_view(kind) == "postgresql";
    if (on_postgres_) {
      database_ = investflow::testing::fresh_pg_database("web");
      if (database_.empty()) GTEST_SKIP() << investflow::testing::pg_skip_reason();
    } else {
      database_ = (dir_ / "api.db").string();
    }
    const std::string& db = database_;
    auto store = storage::open_store_at(db, store_options(), pg_options());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    const std::filesystem::path definitions =
        std::filesystem::path(INVESTFLOW_SOURCE_DIR) / "workflows" / "definitions";
    workflows::CalendarRegistry calendars;
    (void)workflows::load_calendar_directory(
        workflows::calendars_directory_for(definitions / "x.yaml"), calendars);
    auto load = workflows::load_workflow_file(definitions / "qingyuan-investment.yaml", calendars);
    ASSERT_TRUE(load.workflow);
    workflow_ = load.workflow;
    ASSERT_TRUE(store_->register_workflow(load.workflow, load.source));

    auto auth =
        storage::AuthStore::open(db, storage::AuthOptions{std::chrono::hours(8), 10000, clock_});
    ASSERT_TRUE(auth) << auth.error().message;
    auth_ = std::move(*auth);
    for (const auto& [name, role] : users()) {
      ASSERT_TRUE(auth_->add_user(name, {role}, password(name)));
      auto token = auth_->issue_token(name, "test");
      ASSERT_TRUE(token);
      tokens_[name] = *token;
    }
    Router router;
    context_ = std::make_shared<ApiContext>(*store_, *auth_, clock_);
    context_->audit = std::make_shared<storage::AuditLog>(db);
    add_api_routes(router, context_);
    ServerOptions server_options = test_options();
    server_options.audit = access_auditor(context_);
    // Some API tests send bodies of about a megabyte (an import file, a huge login name):
    // test_options()' 400 ms to read a body, there for the tests of the cut-off itself, is
    // too short for a sanitizer build on a busy machine. The server's default is 30 s.
    server_options.body_timeout = std::chrono::seconds(20);
    server_ = std::make_unique<RunningServer>(std::move(router), std::move(server_options));
  }

  storage::SqliteOptions store_options() const {
    storage::SqliteOptions options;
    options.clock = clock_;
    options.synchronous = storage::Synchronous::normal;
    return options;
  }
  storage::PgOptions pg_options() const {
    storage::PgOptions options;
    options.clock = clock_;
    return options;
  }
  // Where attachments are kept: beside a SQLite file, in the test's directory on PostgreSQL.
  std::filesystem::path files_dir() const {
    return on_postgres_ ? dir_ / "files" : storage::files_dir_of(dir_ / "api.db");
  }
  // For a test of what only one store has (its file read with SQLite, say).
  bool on_postgres() const { return on_postgres_; }

  // The security audit log's entries, newest first, once what was recorded is written.
  std::vector<storage::AuditEntry> audit_entries() {
    context_->audit->flush();
    storage::AuditQuery all;
    all.limit = 1000;
    return context_->audit->list(all);
  }

  void TearDown() override {
    if (server_ == nullptr && store_ == nullptr) {  // skipped in SetUp
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
      return;
    }
    server_.reset();
    context_.reset();
    store_.reset();
    auth_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // user name -> role; the reviewers are three, as the committee's quorum needs.
  static std::vector<std::pair<std::string, std::string>> users() {
    return {{"zhang", "staff"}, {"wang", "secretariat"}, {"r1", "reviewer"},
            {"r2", "reviewer"}, {"r3", "reviewer"},      {"li", "manager"},
            {"chen", "leader"}, {"audit", "auditor"},    {"root", "admin"}};
  }
  static std::string password(const std::string& name) { return "password-of-" + name; }
  // The user holding a role, for the role matrix.
  static std::string user_with(const std::string& role) {
    for (const auto& [name, held] : users()) {
      if (held == role) return name;
    }
    return "";
  }

  std::uint16_t port() const { return server_->port(); }

  Login login(const std::string& name) {
    const auto response =
        fetch(port(), "POST", "/api/login",
              R"({"username":")" + name + R"(","password":")" + password(name) + R"("})",
              {{"Content-Type", "application/json"}});
    EXPECT_TRUE(response);
    if (!response) return {};
    EXPECT_EQ(response->status, 200) << response->body;
    const std::string set_cookie(response->header("Set-Cookie").value_or(""));
    const auto body = boost::json::parse(response->body).as_object();
    return Login{set_cookie.substr(0, set_cookie.find(';')),
                 std::string(body.at("csrf_token").as_string())};
  }

  // A request as a logged-in browser sends it: the cookie, and the CSRF token.
  ClientResponse call(const Login& session, std::string_view method, std::string_view target,
                      std::string body = {}, Headers headers = {}) {
    headers.emplace_back("Cookie", session.cookie);
    headers.emplace_back("X-CSRF-Token", session.csrf_token);
    headers.emplace_back("Content-Type", "application/json");
    auto response = fetch(port(), method, target, std::move(body), headers);
    EXPECT_TRUE(response) << method << " " << target;
    return response.value_or(ClientResponse{});
  }
  // A request with a user's bearer token.
  ClientResponse call_as(const std::string& user, std::string_view method, std::string_view target,
                         std::string body = {}, Headers headers = {}) {
    headers.emplace_back("Authorization", "Bearer " + tokens_.at(user));
    headers.emplace_back("Content-Type", "application/json");
    auto response = fetch(port(), method, target, std::move(body), headers);
    EXPECT_TRUE(response) << method << " " << target;
    return response.value_or(ClientResponse{});
  }

  static boost::json::object parse(const ClientResponse& response) {
    boost::system::error_code error;
    auto value = boost::json::parse(response.body, error);
    if (error || !value.is_object()) {
      ADD_FAILURE() << "not a JSON object: " << response.body;
      return {};
    }
    return value.as_object();
  }

  // GET `path` as `user` (200 expected): the text `key` of each item of the array `list`.
  std::vector<std::string> listed_texts(const std::string& user, const std::string& path,
                                        const std::string& list, const std::string& key) {
    const auto response = call_as(user, "GET", path);
    EXPECT_EQ(response.status, 200) << path << ": " << response.body;
    std::vector<std::string> out;
    const boost::json::object body = parse(response);
    if (const auto* items = body.if_contains(list); items != nullptr && items->is_array()) {
      for (const auto& item : items->as_array())
        out.emplace_back(item.at(key).as_string());
    }
    return out;
  }

  // Creates a lead with every field accept_lead requires; returns its id.
  std::string create_lead(const std::string& as = "zhang", double total_investment = 30000) {
    const auto response = call_as(as, "POST", "/api/projects",
                                  R"({
      "workflow": "qingyuan-investment",
      "fields": {"name": "新型显示材料项目", "investor": "广东新材科技有限公司",
                 "contact": "刘经理 138-0000-0002", "industry": "new_materials",
                 "total_investment": )" +
                                      std::to_string(total_investment) + R"(,
                 "promoting_unit": "招商一科"}})");
    EXPECT_EQ(response.status, 201) << response.body;
    return std::string(parse(response).at("project_id").as_string());
  }

  // Every response is checked against the OpenAPI document (contract.hpp).
  ContractChecks contract_checks_;
  std::filesystem::path dir_;
  std::string database_;  // a SQLite file in dir_, or a postgresql:// URI
  bool on_postgres_ = false;
  std::shared_ptr<engine::FixedClock> clock_;
  std::shared_ptr<ApiContext> context_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::AuthStore> auth_;
  std::shared_ptr<const engine::Workflow> workflow_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<RunningServer> server_;
};

}  // namespace investflow::web::testing
