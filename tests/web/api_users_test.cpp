// Accounts and API tokens over HTTP (admins only): creating, changing, disabling, deleting
// users, setting passwords, making and revoking tokens; the refusals (not an admin, weak
// password, unknown role, the last admin) in the caller's language; sessions and tokens that
// stop; and an audit entry for every change, with the admin as actor.

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/web/api_test_support.hpp"

namespace investflow::web::testing {
namespace {

using Entries = std::vector<storage::AuditEntry>;

const storage::AuditEntry* find(const Entries& entries, std::string_view action,
                                std::string_view target) {
  const auto found = std::find_if(entries.begin(), entries.end(), [&](const auto& entry) {
    return entry.action == action && entry.target == target;
  });
  return found == entries.end() ? nullptr : &*found;
}

class UsersApiTest : public ApiTest {
 protected:
  ClientResponse me_with_token(const std::string& secret) {
    auto response = fetch(port(), "GET", "/api/me", {}, {{"Authorization", "Bearer " + secret}});
    EXPECT_TRUE(response);
    return response.value_or(ClientResponse{});
  }
  ClientResponse me_with(const Login& session) { return call(session, "GET", "/api/me"); }
  ClientResponse create(const std::string& body, Headers headers = {}) {
    return call_as("root", "POST", "/api/users", body, std::move(headers));
  }
  static const Headers& zh() {
    static const Headers headers = {{"Accept-Language", "zh-CN"}};
    return headers;
  }
};

TEST_F(UsersApiTest, AnAdminAddsAUserWhoLogsInAndIsAudited) {
  const auto added = create(
      R"({"id":"zhou","display_name":"周敏","roles":["staff","reviewer"],"password":"zhou-secret-2026"})");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.header("Location").value_or(""), "/api/users/zhou");
  const auto user = parse(added);
  EXPECT_EQ(user.at("display_name").as_string(), "周敏");
  EXPECT_EQ(user.at("roles").as_array().size(), 2U);
  EXPECT_FALSE(user.at("disabled").as_bool());

  const auto login_response =
      fetch(port(), "POST", "/api/login", R"({"username":"zhou","password":"zhou-secret-2026"})",
            {{"Content-Type", "application/json"}});
  ASSERT_TRUE(login_response);
  EXPECT_EQ(login_response->status, 200) << login_response->body;

  const auto list = parse(call_as("root", "GET", "/api/users"));
  const auto& users = list.at("users").as_array();
  EXPECT_TRUE(std::any_of(users.begin(), users.end(),
                          [](const auto& each) { return each.at("id").as_string() == "zhou"; }));
  // The roles a user may hold: the workflow's.
  const auto& roles = list.at("roles").as_array();
  EXPECT_EQ(roles.size(), kRoles.size());

  const Entries entries = audit_entries();
  const auto* created = find(entries, "user_created", "zhou");
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(created->actor, "root");
  EXPECT_EQ(created->address, "127.0.0.1");
  EXPECT_EQ(created->detail, R"({"display_name":"周敏","roles":["staff","reviewer"]})");
}

TEST_F(UsersApiTest, OnlyAdminsManageUsersAndTokens) {
  for (const std::string& role : kRoles) {
    if (role == "admin") continue;
    const std::string who = user_with(role);
    const auto refused =
        call_as(who, "POST", "/api/users",
                R"({"id":"x1","roles":["staff"],"password":"long-enough-pass"})", zh());
    EXPECT_EQ(refused.status, 403) << role;
    EXPECT_NE(refused.body.find("只有管理员可以管理用户和 API 令牌"), std::string::npos)
        << refused.body;
    EXPECT_EQ(call_as(who, "GET", "/api/users").status, 403) << role;
    EXPECT_EQ(call_as(who, "PATCH", "/api/users/zhang", R"({"disabled":true})").status, 403);
    EXPECT_EQ(call_as(who, "POST", "/api/users/zhang/password", R"({"password":"x"})").status, 403);
    EXPECT_EQ(call_as(who, "DELETE", "/api/users/zhang").status, 403);
    EXPECT_EQ(call_as(who, "GET", "/api/tokens").status, 403);
    EXPECT_EQ(call_as(who, "POST", "/api/tokens", R"({"user":"zhang","name":"x"})").status, 403);
  }
  const auto tokens = auth_->tokens("zhang");
  ASSERT_TRUE(tokens);
  EXPECT_EQ(call_as("zhang", "DELETE", "/api/tokens/" + tokens->front().id).status, 403);
  const auto english = call_as("li", "DELETE", "/api/users/zhang", {}, {{"Accept-Language", "en"}});
  EXPECT_NE(english.body.find("only an admin may manage users and API tokens"), std::string::npos);
  // Nothing changed.
  EXPECT_TRUE(*auth_->user("zhang"));
  EXPECT_FALSE(*auth_->user("x1"));
  // A session needs its CSRF token on writes.
  const Login root = login("root");
  auto no_csrf = fetch(port(), "DELETE", "/api/users/zhang", {}, {{"Cookie", root.cookie}});
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  EXPECT_TRUE(*auth_->user("zhang"));
  EXPECT_EQ(call(root, "DELETE", "/api/users/zhang").status, 204);
}

TEST_F(UsersApiTest, WeakPasswordsUnknownRolesAndBadNamesAreRefusedInChinese) {
  const auto weak = create(R"({"id":"zhou","roles":["staff"],"password":"short"})", zh());
  EXPECT_EQ(weak.status, 422) << weak.body;
  const auto weak_body = parse(weak);
  EXPECT_EQ(weak_body.at("code").as_string(), "weak_password");
  EXPECT_EQ(weak_body.at("errors").as_array().front().at("field").as_string(), "password");
  EXPECT_NE(weak.body.find("密码至少 12 个字符"), std::string::npos) << weak.body;
  const auto common = create(R"({"id":"zhou","roles":["staff"],"password":"password1234"})", zh());
  EXPECT_EQ(common.status, 422);
  EXPECT_NE(common.body.find("常见密码"), std::string::npos) << common.body;

  const auto role =
      create(R"({"id":"zhou","roles":["staff","boss"],"password":"zhou-secret-2026"})", zh());
  EXPECT_EQ(role.status, 422) << role.body;
  EXPECT_EQ(parse(role).at("code").as_string(), "unknown_role");
  EXPECT_NE(role.body.find("没有哪个流程使用角色“boss”"), std::string::npos) << role.body;
  const auto none = create(R"({"id":"zhou","roles":[],"password":"zhou-secret-2026"})", zh());
  EXPECT_EQ(none.status, 422);
  EXPECT_EQ(parse(none).at("code").as_string(), "roles_required");
  const auto typed = create(R"({"id":"zhou","roles":"staff","password":"zhou-secret-2026"})");
  EXPECT_EQ(typed.status, 400);

  const auto name =
      create(R"({"id":"Zhou Min","roles":["staff"],"password":"zhou-secret-2026"})", zh());
  EXPECT_EQ(name.status, 422);
  EXPECT_EQ(parse(name).at("code").as_string(), "invalid_user_name");
  const auto taken =
      create(R"({"id":"zhang","roles":["staff"],"password":"zhou-secret-2026"})", zh());
  EXPECT_EQ(taken.status, 409);
  EXPECT_NE(taken.body.find("登录名“zhang”已被使用"), std::string::npos) << taken.body;
  EXPECT_FALSE(*auth_->user("zhou"));

  // PATCH checks roles the same way.
  const auto patched = call_as("root", "PATCH", "/api/users/zhang", R"({"roles":["bos"]})", zh());
  EXPECT_EQ(patched.status, 422);
  EXPECT_EQ(parse(patched).at("code").as_string(), "unknown_role");
  EXPECT_EQ((*auth_->user("zhang"))->roles, std::vector<std::string>{"staff"});
}

TEST_F(UsersApiTest, ChangingNameAndRolesTakesEffectAndIsAudited) {
  const auto changed = call_as("root", "PATCH", "/api/users/zhang",
                               R"({"display_name":" 张伟 ","roles":["staff","manager"]})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(parse(changed).at("display_name").as_string(), "张伟");
  // The token of zhang carries the new roles at once.
  const auto me = parse(call_as("zhang", "GET", "/api/me"));
  EXPECT_EQ(me.at("roles").as_array().size(), 2U);
  EXPECT_EQ(call_as("root", "PATCH", "/api/users/nobody", R"({"disabled":true})").status, 404);
  EXPECT_EQ(call_as("root", "PATCH", "/api/users/zhang", "{}").status, 400);
  const Entries entries = audit_entries();
  const auto* entry = find(entries, "user_changed", "zhang");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->actor, "root");
  EXPECT_EQ(entry->detail, R"({"display_name":"张伟","roles":["staff","manager"]})");
}

TEST_F(UsersApiTest, ADisabledUsersSessionAndTokenStopUntilEnabled) {
  const Login session = login("zhang");
  ASSERT_EQ(me_with(session).status, 200);
  ASSERT_EQ(me_with_token(tokens_.at("zhang")).status, 200);

  const auto disabled = call_as("root", "PATCH", "/api/users/zhang", R"({"disabled":true})");
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_TRUE(parse(disabled).at("disabled").as_bool());
  EXPECT_EQ(me_with(session).status, 401);
  EXPECT_EQ(me_with_token(tokens_.at("zhang")).status, 401);
  const auto refused = fetch(port(), "POST", "/api/login",
                             R"({"username":"zhang","password":")" + password("zhang") + R"("})",
                             {{"Content-Type", "application/json"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);

  ASSERT_EQ(call_as("root", "PATCH", "/api/users/zhang", R"({"disabled":false})").status, 200);
  EXPECT_EQ(me_with_token(tokens_.at("zhang")).status, 200);
  EXPECT_EQ(me_with(session).status, 401);  // sessions ended for good

  const Entries entries = audit_entries();
  ASSERT_NE(find(entries, "user_disabled", "zhang"), nullptr);
  EXPECT_EQ(find(entries, "user_disabled", "zhang")->actor, "root");
  ASSERT_NE(find(entries, "user_enabled", "zhang"), nullptr);
  EXPECT_EQ(find(entries, "user_changed", "zhang"), nullptr);  // only the state changed
}

TEST_F(UsersApiTest, ThePasswordAnAdminSetsEndsSessionsAndMayRevokeTokens) {
  const Login session = login("zhang");
  const auto weak = call_as("root", "POST", "/api/users/zhang/password",
                            R"({"password":"aaaaaaaaaaaaaa"})", zh());
  EXPECT_EQ(weak.status, 422);
  EXPECT_NE(weak.body.find("同一字符重复"), std::string::npos) << weak.body;
  EXPECT_EQ(me_with(session).status, 200);  // nothing changed

  const auto set =
      call_as("root", "POST", "/api/users/zhang/password", R"({"password":"zhang-new-password"})");
  ASSERT_EQ(set.status, 204) << set.body;
  EXPECT_EQ(me_with(session).status, 401);
  EXPECT_EQ(me_with_token(tokens_.at("zhang")).status, 200);  // tokens kept
  EXPECT_TRUE(auth_->check_password("zhang", "zhang-new-password")->has_value());

  ASSERT_EQ(call_as("root", "POST", "/api/users/zhang/password",
                    R"({"password":"zhang-third-password","revoke_tokens":true})")
                .status,
            204);
  EXPECT_EQ(me_with_token(tokens_.at("zhang")).status, 401);
  EXPECT_EQ(call_as("root", "POST", "/api/users/nobody/password",
                    R"({"password":"zhang-third-password"})")
                .status,
            404);
  const Entries entries = audit_entries();
  const auto* entry = find(entries, "password_changed", "zhang");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->actor, "root");
  EXPECT_EQ(entry->detail, R"({"tokens_revoked":true})");  // the newest
}

TEST_F(UsersApiTest, DeletingRemovesSessionsAndTokensButNotHistory) {
  const std::string project = create_lead("zhang");
  const Login session = login("zhang");
  const auto deleted = call_as("root", "DELETE", "/api/users/zhang");
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_FALSE(*auth_->user("zhang"));
  EXPECT_EQ(me_with(session).status, 401);
  EXPECT_EQ(me_with_token(tokens_.at("zhang")).status, 401);
  EXPECT_TRUE(auth_->tokens("zhang")->empty());
  // The project and its history keep the login name.
  const auto history = call_as("li", "GET", "/api/projects/" + project + "/history");
  ASSERT_EQ(history.status, 200);
  EXPECT_NE(history.body.find("\"zhang\""), std::string::npos);
  EXPECT_EQ(parse(call_as("li", "GET", "/api/projects/" + project)).at("owner").as_string(),
            "zhang");

  const auto again = call_as("root", "DELETE", "/api/users/zhang", {}, zh());
  EXPECT_EQ(again.status, 404);
  EXPECT_NE(again.body.find("没有用户“zhang”"), std::string::npos) << again.body;
  const Entries entries = audit_entries();
  const auto* entry = find(entries, "user_deleted", "zhang");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->actor, "root");
}

TEST_F(UsersApiTest, TheLastEnabledAdminIsKept) {
  const auto deleted = call_as("root", "DELETE", "/api/users/root", {}, zh());
  EXPECT_EQ(deleted.status, 409) << deleted.body;
  EXPECT_EQ(parse(deleted).at("code").as_string(), "last_admin");
  EXPECT_NE(deleted.body.find("最后一个启用的管理员"), std::string::npos) << deleted.body;
  EXPECT_EQ(call_as("root", "PATCH", "/api/users/root", R"({"disabled":true})").status, 409);
  EXPECT_EQ(call_as("root", "PATCH", "/api/users/root", R"({"roles":["staff"]})").status, 409);
  EXPECT_EQ((*auth_->user("root"))->roles, std::vector<std::string>{"admin"});
  EXPECT_FALSE((*auth_->user("root"))->disabled);

  // With a second admin, the first may go; a disabled admin does not count.
  ASSERT_EQ(create(R"({"id":"root2","roles":["admin"],"password":"second-admin-pass"})").status,
            201);
  ASSERT_EQ(call_as("root", "PATCH", "/api/users/root2", R"({"disabled":true})").status, 200);
  EXPECT_EQ(call_as("root", "DELETE", "/api/users/root").status, 409);
  ASSERT_EQ(call_as("root", "PATCH", "/api/users/root2", R"({"disabled":false})").status, 200);
  EXPECT_EQ(call_as("root", "DELETE", "/api/users/root").status, 204);
  EXPECT_EQ(call_as("root", "GET", "/api/users").status, 401);  // its token went with it
}

TEST_F(UsersApiTest, TokensAreMadeShownOnceListedWithoutSecretsAndRevoked) {
  const auto made = call_as("root", "POST", "/api/tokens",
                            R"({"user":"zhang","name":"数据同步","expires_in_days":30})");
  ASSERT_EQ(made.status, 201) << made.body;
  const auto token = parse(made);
  const std::string secret(token.at("secret").as_string());
  const std::string id(token.at("id").as_string());
  EXPECT_EQ(secret.size(), 64U);
  EXPECT_EQ(made.header("Location").value_or(""), "/api/tokens/" + id);
  EXPECT_EQ(token.at("state").as_string(), "active");
  EXPECT_EQ(token.at("expires_at").as_string(), "2026-04-01T09:00:00.000+08:00");
  EXPECT_EQ(parse(me_with_token(secret)).at("id").as_string(), "zhang");

  const auto never = call_as("root", "POST", "/api/tokens",
                             R"({"user":"zhang","name":"长期","expires_in_days":null})");
  ASSERT_EQ(never.status, 201);
  EXPECT_TRUE(parse(never).at("expires_at").is_null());

  const auto listed = call_as("root", "GET", "/api/tokens?user=zhang");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find(secret), std::string::npos);  // never the secret
  EXPECT_EQ(listed.body.find("secret"), std::string::npos);
  EXPECT_EQ(parse(listed).at("items").as_array().size(), 3U);  // with the fixture's
  const auto all = parse(call_as("root", "GET", "/api/tokens"));
  EXPECT_EQ(all.at("items").as_array().size(), users().size() + 2);

  EXPECT_EQ(call_as("root", "POST", "/api/tokens", R"({"user":"nobody","name":"x"})").status, 422);
  EXPECT_EQ(call_as("root", "POST", "/api/tokens", R"({"user":"zhang","name":"  "})").status, 422);
  EXPECT_EQ(
      call_as("root", "POST", "/api/tokens", R"({"user":"zhang","name":"x","expires_in_days":0})")
          .status,
      400);

  ASSERT_EQ(call_as("root", "DELETE", "/api/tokens/" + id).status, 204);
  EXPECT_EQ(me_with_token(secret).status, 401);
  const auto again = call_as("root", "DELETE", "/api/tokens/" + id, {}, zh());
  EXPECT_EQ(again.status, 404);
  EXPECT_NE(again.body.find("没有这个令牌"), std::string::npos);
  const auto after = parse(call_as("root", "GET", "/api/tokens?user=zhang"));
  const auto& items = after.at("items").as_array();
  const auto revoked = std::find_if(items.begin(), items.end(), [&](const auto& each) {
    return each.at("id").as_string() == id;
  });
  ASSERT_NE(revoked, items.end());
  EXPECT_EQ(revoked->at("state").as_string(), "revoked");
  EXPECT_TRUE(revoked->at("revoked_at").is_string());

  const Entries entries = audit_entries();
  const auto* created = find(entries, "token_created", id);
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(created->actor, "root");
  EXPECT_EQ(created->detail,
            R"({"expires_at":"2026-04-01T09:00:00.000+08:00","name":"数据同步","user":"zhang"})");
  const auto* gone = find(entries, "token_revoked", id);
  ASSERT_NE(gone, nullptr);
  EXPECT_EQ(gone->actor, "root");
}

}  // namespace
}  // namespace investflow::web::testing
