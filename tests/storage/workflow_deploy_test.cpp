// Deploying workflow versions (issue 15): the version rule, all or nothing, two deploys at
// once, and servers taking versions another process stored.
#include <gtest/gtest.h>

#include <barrier>
#include <thread>

#include "storage/deployed_workflows.hpp"
#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

using testing::create_request;
using testing::kMiniWorkflow;
using testing::open_test_store;
using testing::TempDir;
using testing::test_calendars;

// The mini workflow at `version`, with `note` as a comment (other text, same meaning).
std::string mini_text(int version, const std::string& note = "") {
  std::string text = kMiniWorkflow;
  const std::string from = "version: 1";
  text.replace(text.find(from), from.size(), "version: " + std::to_string(version));
  return note.empty() ? text : text + "\n# " + note + "\n";
}

WorkflowDeployment deployment(const std::string& text) {
  auto load = workflows::load_workflow_text(text, "mini.yaml", test_calendars());
  for (const auto& diagnostic : load.diagnostics)
    ADD_FAILURE() << diagnostic.to_string();
  return WorkflowDeployment{load.workflow, text};
}

class WorkflowDeployTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open_test_store(dir_.file("deploy.db")); }
  Outcome<std::vector<DeployResult>> deploy(const std::vector<std::string>& texts) {
    std::vector<WorkflowDeployment> deployments;
    for (const std::string& text : texts)
      deployments.push_back(deployment(text));
    return store_->deploy_workflows(deployments);
  }
  std::int64_t newest() const { return store_->workflow("mini")->version; }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(WorkflowDeployTest, ANewerVersionIsStoredAndNewProjectsStartOnIt) {
  ASSERT_TRUE(store_->write(create_request("P-1", "项目一")).get().accepted());
  auto deployed = deploy({mini_text(2)});
  ASSERT_TRUE(deployed) << deployed.error().message;
  ASSERT_EQ(deployed->size(), 1u);
  EXPECT_TRUE(deployed->front().stored);
  EXPECT_EQ(deployed->front().deployed_at, testing::kMonday);
  EXPECT_EQ(newest(), 2);
  ASSERT_TRUE(store_->write(create_request("P-2", "项目二")).get().accepted());
  EXPECT_EQ(store_->project("P-1")->value().workflow_version, 1);
  EXPECT_EQ(store_->project("P-2")->value().workflow_version, 2);
  auto counts = store_->projects_by_version("");
  ASSERT_TRUE(counts);
  ASSERT_EQ(counts->size(), 2u);
  auto of_mini = store_->projects_by_version("mini");
  ASSERT_TRUE(of_mini);
  EXPECT_EQ(of_mini->size(), 2u);
  auto of_other = store_->projects_by_version("other");
  ASSERT_TRUE(of_other);
  EXPECT_TRUE(of_other->empty());
  EXPECT_EQ((*counts)[0].version, 1);
  EXPECT_EQ((*counts)[0].state, "lead");
  EXPECT_EQ((*counts)[0].count, 1);
  EXPECT_EQ((*counts)[1].version, 2);

  // The same text again changes nothing.
  auto again = deploy({mini_text(2)});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->front().stored);
  EXPECT_EQ(store_->stored_workflows()->size(), 2u);
}

TEST_F(WorkflowDeployTest, AVersionNotAboveTheNewestOrWithOtherTextIsRefused) {
  ASSERT_TRUE(deploy({mini_text(3)}));
  auto older = deploy({mini_text(2)});
  ASSERT_FALSE(older);
  EXPECT_EQ(older.error().kind, Error::Kind::invalid_request);
  EXPECT_NE(older.error().message.find("workflow mini version 2 is older than the newest stored, "
                                       "version 3"),
            std::string::npos)
      << older.error().message;
  auto other_text = deploy({mini_text(3, "changed")});
  ASSERT_FALSE(other_text);
  EXPECT_NE(other_text.error().message.find("already stored with a different definition"),
            std::string::npos)
      << other_text.error().message;
  EXPECT_EQ(store_->stored_workflows()->size(), 2u);
  EXPECT_EQ(newest(), 3);
}

TEST_F(WorkflowDeployTest, AllOrNothing) {
  auto mixed = deploy({mini_text(2), mini_text(1, "changed")});
  ASSERT_FALSE(mixed);
  EXPECT_NE(mixed.error().message.find("version 1 is already stored"), std::string::npos);
  EXPECT_NE(mixed.error().message.find("nothing was stored"), std::string::npos);
  EXPECT_EQ(store_->stored_workflows()->size(), 1u);
  EXPECT_EQ(newest(), 1);
}

TEST_F(WorkflowDeployTest, OfTwoDeploysAtOnceOneWinsAndTheOtherIsTold) {
  // Two stores on one database, as two processes would be; each round both deploy the same
  // version with different texts at the same moment.
  auto other = open_test_store(dir_.file("deploy.db"));
  ASSERT_NE(other, nullptr);
  for (int version = 2; version <= 6; ++version) {
    const WorkflowDeployment first = deployment(mini_text(version, "first"));
    const WorkflowDeployment second = deployment(mini_text(version, "second"));
    std::barrier start(2);
    Outcome<std::vector<DeployResult>> a = engine::fail(Error{});
    Outcome<std::vector<DeployResult>> b = engine::fail(Error{});
    std::thread one([&] {
      start.arrive_and_wait();
      a = store_->deploy_workflows({first});
    });
    std::thread two([&] {
      start.arrive_and_wait();
      b = other->deploy_workflows({second});
    });
    one.join();
    two.join();
    ASSERT_NE(static_cast<bool>(a), static_cast<bool>(b)) << "version " << version;
    const auto& lost = a ? b : a;
    EXPECT_EQ(lost.error().kind, Error::Kind::invalid_request);
    EXPECT_NE(lost.error().message.find("version " + std::to_string(version) +
                                        " is already stored with a different definition"),
              std::string::npos)
        << lost.error().message;
  }
  EXPECT_EQ(store_->stored_workflows()->size(), 6u);
}

TEST_F(WorkflowDeployTest, AnInvalidTextStoresNothingAndSaysWhere) {
  const WorkflowDeploy deploy =
      deploy_workflow_texts(*store_, {mini_text(2), "workflow: mini\nversion: [\n"},
                            {"a.yaml", "b.yaml"}, test_calendars());
  EXPECT_FALSE(deploy.valid);
  ASSERT_EQ(deploy.loads.size(), 2u);
  EXPECT_TRUE(deploy.loads[0].workflow);
  ASSERT_FALSE(deploy.loads[1].diagnostics.empty());
  EXPECT_EQ(deploy.loads[1].diagnostics.front().file, "b.yaml");
  EXPECT_GT(deploy.loads[1].diagnostics.front().line, 1);
  EXPECT_TRUE(deploy.results.empty());
  EXPECT_EQ(store_->stored_workflows()->size(), 1u);
}

TEST_F(WorkflowDeployTest, AnotherStoreOnTheDatabaseTakesTheNewVersion) {
  auto server = open_test_store(dir_.file("deploy.db"));
  ASSERT_NE(server, nullptr);
  const WorkflowDeploy deploy =
      deploy_workflow_texts(*store_, {mini_text(2)}, {"mini.yaml"}, test_calendars());
  ASSERT_TRUE(deploy.valid);
  ASSERT_EQ(deploy.results.size(), 1u) << deploy.refused << deploy.failed;
  EXPECT_EQ(server->workflow("mini")->version, 1);
  std::set<std::pair<std::string, std::int64_t>> failed;
  const TakenWorkflows taken = take_deployed_workflows(*server, test_calendars(), failed);
  ASSERT_EQ(taken.taken.size(), 1u);
  EXPECT_EQ(taken.taken.front(), std::make_pair(std::string("mini"), std::int64_t{2}));
  EXPECT_EQ(server->workflow("mini")->version, 2);
  // Once taken, a pass finds nothing new.
  EXPECT_TRUE(take_deployed_workflows(*server, test_calendars(), failed).taken.empty());
}

}  // namespace
}  // namespace investflow::storage
