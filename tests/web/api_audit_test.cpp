// The security audit log over HTTP: what the server records (logins and failures with the
// client's address, logouts, refused requests, downloads, deploys) and GET /api/audit.

#include <gtest/gtest.h>

#include <algorithm>

#include "storage/reports.hpp"
#include "tests/web/api_test_support.hpp"

namespace investflow::web::testing {
namespace {

using Entries = std::vector<storage::AuditEntry>;

const storage::AuditEntry* find(const Entries& entries, std::string_view action,
                                std::string_view target = {}) {
  const auto found = std::find_if(entries.begin(), entries.end(), [&](const auto& entry) {
    return entry.action == action && (target.empty() || entry.target == target);
  });
  return found == entries.end() ? nullptr : &*found;
}

class AuditApiTest : public ApiTest {};

TEST_F(AuditApiTest, LoginsFailuresAndLogoutsAreRecordedWithTheClientsAddress) {
  const auto wrong =
      fetch(port(), "POST", "/api/login", R"({"username":"zhang","password":"not-the-password"})",
            {{"Content-Type", "application/json"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  const Login session = login("zhang");
  EXPECT_EQ(call(session, "POST", "/api/logout").status, 204);

  const Entries entries = audit_entries();
  const auto* failed = find(entries, "login_failed", "zhang");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->actor, "");
  EXPECT_EQ(failed->address, "127.0.0.1");
  EXPECT_EQ(failed->detail, R"({"reason":"invalid_credentials"})");
  EXPECT_FALSE(failed->request_id.empty());
  const auto* in = find(entries, "login", "zhang");
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->actor, "zhang");
  const auto* out = find(entries, "logout", "zhang");
  ASSERT_NE(out, nullptr);
  EXPECT_GT(out->id, in->id);
  EXPECT_GT(in->id, failed->id);
}

TEST_F(AuditApiTest, RefusedRequestsAndDownloadsAreRecorded) {
  context_->reports = std::make_shared<storage::ReportReader>(database_);
  EXPECT_EQ(call_as("zhang", "GET", "/api/users").status, 403);
  create_lead();
  const auto exported =
      call_as("li", "GET", "/api/projects/export?format=csv&workflow=qingyuan-investment");
  EXPECT_EQ(exported.status, 200) << exported.body;
  const auto report =
      call_as("li", "GET", "/api/reports/pipeline?workflow=qingyuan-investment&format=csv");
  EXPECT_EQ(report.status, 200) << report.body;
  EXPECT_EQ(call_as("li", "GET", "/api/reports/pipeline?workflow=qingyuan-investment").status,
            200);  // shown, not downloaded: not recorded

  const Entries entries = audit_entries();
  const auto* denied = find(entries, "denied");
  ASSERT_NE(denied, nullptr);
  EXPECT_EQ(denied->actor, "zhang");
  EXPECT_EQ(denied->target, "GET /api/users");
  const auto* export_entry = find(entries, "export");
  ASSERT_NE(export_entry, nullptr);
  EXPECT_EQ(export_entry->actor, "li");
  EXPECT_EQ(export_entry->target, "GET /api/projects/export");
  const auto downloads = std::count_if(entries.begin(), entries.end(), [](const auto& entry) {
    return entry.action == "report_download";
  });
  EXPECT_EQ(downloads, 1);
}

TEST_F(AuditApiTest, AuditorsAndAdminsReadTheLogWithFiltersAndPages) {
  for (int i = 0; i < 3; ++i)
    login("zhang");
  EXPECT_EQ(call_as("zhang", "GET", "/api/audit").status, 403);
  (void)audit_entries();  // the refusal is written before the reads below

  const auto all = call_as("audit", "GET", "/api/audit");
  ASSERT_EQ(all.status, 200) << all.body;
  const auto items = parse(all).at("items").as_array();
  ASSERT_GE(items.size(), 4U);
  EXPECT_EQ(items.front().at("action").as_string(), "denied");  // newest first

  const auto first = call_as("root", "GET", "/api/audit?action=login&limit=2");
  ASSERT_EQ(first.status, 200) << first.body;
  const auto page = parse(first);
  ASSERT_EQ(page.at("items").as_array().size(), 2U);
  ASSERT_TRUE(page.at("next_cursor").is_string());
  const auto rest = parse(call_as(
      "root", "GET",
      "/api/audit?action=login&limit=2&cursor=" + std::string(page.at("next_cursor").as_string())));
  ASSERT_EQ(rest.at("items").as_array().size(), 1U);
  EXPECT_TRUE(rest.at("next_cursor").is_null());
  EXPECT_EQ(rest.at("items").as_array().front().at("address").as_string(), "127.0.0.1");

  const auto by_actor = parse(call_as("audit", "GET", "/api/audit?actor=zhang&action=denied"));
  EXPECT_EQ(by_actor.at("items").as_array().size(), 1U);
  const auto future = parse(call_as("audit", "GET", "/api/audit?from=2030-01-01"));
  EXPECT_TRUE(future.at("items").as_array().empty());
  const auto that_day = parse(call_as("audit", "GET", "/api/audit?to=2026-03-02&action=login"));
  EXPECT_EQ(that_day.at("items").as_array().size(), 3U);  // the test clock's day, all of it

  const auto unknown =
      call_as("audit", "GET", "/api/audit?action=dance", {}, {{"Accept-Language", "zh-CN"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("action 取值为"), std::string::npos) << unknown.body;
  EXPECT_EQ(call_as("audit", "GET", "/api/audit?from=yesterday").status, 400);
}

}  // namespace
}  // namespace investflow::web::testing
