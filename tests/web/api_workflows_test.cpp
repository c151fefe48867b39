// Deployed workflow versions over the API (issue 15): POST /api/workflows, a version stored
// by another process taken by the running server, GET .../versions and .../diff.
#include <fstream>
#include <sstream>

#include "api_test_support.hpp"
#include "notify/workflow_watch.hpp"
#include "storage/deployed_workflows.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;

std::string shipped_text() {
  std::ifstream in(std::filesystem::path(INVESTFLOW_SOURCE_DIR) / "workflows" / "definitions" /
                   "qingyuan-investment.yaml");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void replace(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

// The shipped version (kOld) and the next (kNew), whatever the shipped file says.
int shipped_version() {
  const std::string text = shipped_text();
  const auto at = text.find("\nversion: ");
  return at == std::string::npos ? 0 : std::stoi(text.substr(at + 10));
}
const int kOld = shipped_version();
const int kNew = kOld + 1;
std::string n(int version) {
  return std::to_string(version);
}

// The shipped workflow as `version`, with its lead state renamed and a new field.
std::string next_version(int version, const std::string& note = "") {
  std::string text = shipped_text();
  replace(text, "\nversion: " + n(kOld) + "\n", "\nversion: " + std::to_string(version) + "\n");
  replace(text, "label: {zh-CN: 线索, en: Lead}", "label: {zh-CN: 项目线索, en: Project lead}");
  replace(text, "\nfields:\n",
          "\nfields:\n  site_visit_note: {type: text, group: basic, label: {zh-CN: 考察记录, en: "
          "Site visit note}}\n");
  return note.empty() ? text : text + "\n# " + note + "\n";
}

class WorkflowVersionsApi : public ApiTest {
 protected:
  // The workflows a new qingyuan-investment is checked with: it counts the open items of
  // service-problem (open_children), which must be stored too.
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    const auto definitions =
        std::filesystem::path(INVESTFLOW_SOURCE_DIR) / "workflows" / "definitions";
    workflows::CalendarRegistry calendars;
    (void)workflows::load_calendar_directory(
        workflows::calendars_directory_for(definitions / "x.yaml"), calendars);
    problems_ = workflows::load_workflow_file(definitions / "service-problem.yaml", calendars);
    ASSERT_TRUE(problems_.workflow);
    ASSERT_TRUE(store_->register_workflow(problems_.workflow, problems_.source));
  }
  workflows::WorkflowLoad problems_;
  ClientResponse post_yaml(const std::string& user, const std::string& yaml,
                           const std::string& type = "application/yaml") {
    auto response =
        fetch(port(), "POST", "/api/workflows", yaml,
              {{"Authorization", "Bearer " + tokens_.at(user)}, {"Content-Type", type}});
    EXPECT_TRUE(response);
    return response.value_or(ClientResponse{});
  }
  std::int64_t project_version(const std::string& id) {
    return parse(call_as("zhang", "GET", "/api/projects/" + id)).at("workflow_version").as_int64();
  }
};

TEST_F(WorkflowVersionsApi, AnAdminDeploysAVersionAndNewProjectsStartOnIt) {
  const std::string old_project = create_lead();
  ClientResponse response = post_yaml("zhang", next_version(kNew));
  EXPECT_EQ(response.status, 403) << response.body;

  response = post_yaml("root", next_version(kNew));
  ASSERT_EQ(response.status, 201) << response.body;
  json::object body = parse(response);
  EXPECT_EQ(body.at("id").as_string(), "qingyuan-investment");
  EXPECT_EQ(body.at("version").as_int64(), kNew);
  EXPECT_EQ(body.at("deployed_at").as_string(), "2026-03-02T09:00:00.000+08:00");

  const std::string new_project = create_lead();
  EXPECT_EQ(project_version(old_project), kOld);
  EXPECT_EQ(project_version(new_project), kNew);
  const json::object list = parse(call_as("audit", "GET", "/api/workflows"));
  EXPECT_EQ(list.at("workflows").as_array().at(0).at("version").as_int64(), kNew);

  // The same text again changes nothing; other text for the new version, or an older one, is
  // refused.
  EXPECT_EQ(post_yaml("root", next_version(kNew), "text/yaml; charset=utf-8").status, 200);
  response = post_yaml("root", next_version(kNew, "changed"));
  EXPECT_EQ(response.status, 409) << response.body;
  EXPECT_NE(parse(response).at("detail").as_string().find("already stored with a different"),
            std::string::npos);
  response = post_yaml("root", shipped_text() + "\n# changed\n");
  EXPECT_EQ(response.status, 409) << response.body;
  response = post_yaml("root", next_version(kOld - 1));
  EXPECT_EQ(response.status, 409) << response.body;
  EXPECT_NE(parse(response).at("detail").as_string().find("older than the newest stored, version " +
                                                          n(kNew)),
            std::string::npos)
      << response.body;
  EXPECT_EQ(post_yaml("root", next_version(kNew + 1), "application/json").status, 415);
  EXPECT_EQ(post_yaml("root", " \n").status, 400);
  EXPECT_EQ(project_version(create_lead()), kNew);
}

TEST_F(WorkflowVersionsApi, AnInvalidBodyListsEveryErrorWithLineAndColumn) {
  std::string text = next_version(kNew);
  replace(text, "initial: lead", "initial: nowhere");
  replace(text, "type: money", "type: cash");
  const ClientResponse response = post_yaml("root", text);
  ASSERT_EQ(response.status, 422) << response.body;
  const json::object body = parse(response);
  EXPECT_EQ(body.at("code").as_string(), "invalid_workflow");
  const json::array& errors = body.at("errors").as_array();
  ASSERT_GE(errors.size(), 2u) << response.body;
  for (const json::value& error : errors) {
    EXPECT_GT(error.at("line").as_int64(), 1);
    EXPECT_GE(error.at("column").as_int64(), 1);
  }
  EXPECT_NE(response.body.find("nowhere"), std::string::npos);
  EXPECT_NE(response.body.find("cash"), std::string::npos);
  // Nothing stored.
  EXPECT_EQ(store_->workflow("qingyuan-investment")->version, kOld);
}

TEST_F(WorkflowVersionsApi, AVersionDeployedByAnotherProcessIsTakenWithoutARestart) {
  // The CLI's path: its own store on the same database.
  auto cli_store = storage::open_store_at(database_, store_options(), pg_options());
  ASSERT_TRUE(cli_store);
  // As the CLI has the stored workflows a new version is checked against.
  ASSERT_TRUE((*cli_store)->register_workflow(problems_.workflow, problems_.source));
  workflows::CalendarRegistry calendars;
  (void)workflows::load_calendar_directory(
      std::filesystem::path(INVESTFLOW_SOURCE_DIR) / "workflows" / "calendars", calendars);
  const storage::WorkflowDeploy deploy =
      storage::deploy_workflow_texts(**cli_store, {next_version(kNew)}, {"v4.yaml"}, calendars);
  ASSERT_TRUE(deploy.valid);
  ASSERT_EQ(deploy.results.size(), 1u) << deploy.refused << deploy.failed;
  EXPECT_EQ(project_version(create_lead()), kOld);  // not taken yet

  notify::WorkflowWatch watch(*store_, calendars);
  const storage::TakenWorkflows taken = watch.run_once();
  ASSERT_EQ(taken.taken.size(), 1u);
  EXPECT_EQ(project_version(create_lead()), kNew);
  EXPECT_TRUE(watch.run_once().taken.empty());
}

TEST_F(WorkflowVersionsApi, VersionsWithTheirProjectsAndTheDiffBetweenThem) {
  create_lead();
  ASSERT_EQ(post_yaml("root", next_version(kNew)).status, 201);
  create_lead();
  create_lead();
  json::object body = parse(call_as("zhang", "GET", "/api/workflows/qingyuan-investment/versions"));
  EXPECT_EQ(body.at("workflow").as_string(), "qingyuan-investment");
  const json::array& versions = body.at("versions").as_array();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].at("version").as_int64(), kNew);
  EXPECT_TRUE(versions[0].at("latest").as_bool());
  EXPECT_FALSE(versions[1].at("latest").as_bool());
  EXPECT_EQ(versions[0].at("projects").at("total").as_int64(), 2);
  EXPECT_EQ(versions[1].at("projects").at("total").as_int64(), 1);
  const json::value& lead = versions[0].at("projects").at("by_state").at(0);
  EXPECT_EQ(lead.at("state").as_string(), "lead");
  EXPECT_EQ(lead.at("label").as_string(), "项目线索");
  EXPECT_EQ(lead.at("count").as_int64(), 2);
  EXPECT_EQ(versions[1].at("projects").at("by_state").at(0).at("label").as_string(), "线索");
  EXPECT_EQ(call_as("zhang", "GET", "/api/workflows/nothing/versions").status, 404);

  body =
      parse(call_as("zhang", "GET",
                    "/api/workflows/qingyuan-investment/diff?from=" + n(kOld) + "&to=" + n(kNew)));
  EXPECT_EQ(body.at("from").as_int64(), kOld);
  EXPECT_EQ(body.at("to").as_int64(), kNew);
  const json::array& changes = body.at("changes").as_array();
  ASSERT_EQ(changes.size(), 2u) << body;
  EXPECT_EQ(changes[0].at("kind").as_string(), "field");
  EXPECT_EQ(changes[0].at("change").as_string(), "added");
  EXPECT_EQ(changes[0].at("id").as_string(), "site_visit_note");
  EXPECT_EQ(changes[0].at("text").as_string(), "新增字段“考察记录”（文本）。");
  EXPECT_EQ(changes[1].at("kind").as_string(), "state");
  EXPECT_EQ(changes[1].at("text").as_string(), "状态“线索”更名为“项目线索”。");
  EXPECT_EQ(changes[1].at("text_en").as_string(), "State \"Lead\" is renamed \"Project lead\".");

  EXPECT_EQ(
      call_as("zhang", "GET", "/api/workflows/qingyuan-investment/diff?from=" + n(kOld)).status,
      400);
  EXPECT_EQ(call_as("zhang", "GET", "/api/workflows/qingyuan-investment/diff?from=x&to=" + n(kNew))
                .status,
            400);
  EXPECT_EQ(
      call_as("zhang", "GET", "/api/workflows/qingyuan-investment/diff?from=" + n(kOld) + "&to=99")
          .status,
      404);
}

}  // namespace
}  // namespace investflow::web::testing
