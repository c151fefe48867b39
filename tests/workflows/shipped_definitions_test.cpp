// Every shipped workflow definition (workflows/definitions/*.yaml) loads without errors
// against the shipped calendars, and is named after its file.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "workflows/loader.hpp"

namespace investflow::workflows {
namespace {

std::vector<std::filesystem::path> shipped_definitions() {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (std::filesystem::directory_iterator it(shipped_workflows_directory() / "definitions", error),
       end;
       !error && it != end; it.increment(error)) {
    if (it->path().extension() == ".yaml") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(ShippedDefinitions, Exist) {
  const std::vector<std::filesystem::path> files = shipped_definitions();
  EXPECT_FALSE(files.empty()) << "no *.yaml under "
                              << shipped_workflows_directory() / "definitions";
  // The main one (docs/workflow-language.md).
  EXPECT_TRUE(std::any_of(files.begin(), files.end(), [](const std::filesystem::path& file) {
    return file.filename() == "qingyuan-investment.yaml";
  }));
}

TEST(ShippedDefinitions, EveryOneLoadsWithoutErrors) {
  CalendarRegistry calendars;
  const std::vector<Diagnostic> calendar_problems =
      load_calendar_directory(shipped_workflows_directory() / "calendars", calendars);
  for (const Diagnostic& diagnostic : calendar_problems) {
    if (diagnostic.severity == Diagnostic::Severity::error) ADD_FAILURE() << diagnostic.to_string();
  }
  for (const std::filesystem::path& file : shipped_definitions()) {
    SCOPED_TRACE(file.string());
    ASSERT_EQ(calendars_directory_for(file),
              (shipped_workflows_directory() / "calendars").lexically_normal());
    const WorkflowLoad load = load_workflow_file(file, calendars);
    for (const Diagnostic& diagnostic : load.diagnostics) {
      if (diagnostic.severity == Diagnostic::Severity::error)
        ADD_FAILURE() << diagnostic.to_string();
    }
    ASSERT_NE(load.workflow, nullptr);
    EXPECT_EQ(load.workflow->id, file.stem().string()) << "a definition is named after its file";
  }
}

// What each shipped workflow's states and fields mean to reports (language v1.1 report
// tags), as judged from what the workflow means: {workflow, state or field, tag}.
TEST(ShippedDefinitions, ReportTagsSayWhatEachWorkflowMeans) {
  CalendarRegistry calendars;
  (void)load_calendar_directory(shipped_workflows_directory() / "calendars", calendars);
  std::map<std::string, std::shared_ptr<const engine::Workflow>> loaded;
  for (const std::filesystem::path& file : shipped_definitions()) {
    WorkflowLoad load = load_workflow_file(file, calendars);
    ASSERT_NE(load.workflow, nullptr) << file;
    // Every project has a name lists and notifications show.
    EXPECT_NE(load.workflow->tagged(engine::FieldTag::name), nullptr) << file;
    loaded[load.workflow->id] = load.workflow;
  }
  auto state_of = [&](const std::string& workflow, engine::StateTag tag) -> std::string {
    const engine::StateDef* state = loaded.at(workflow)->tagged(tag);
    return state == nullptr ? "" : state->id;
  };
  auto field_of = [&](const std::string& workflow, engine::FieldTag tag) -> std::string {
    const engine::FieldDef* field = loaded.at(workflow)->tagged(tag);
    return field == nullptr ? "" : field->name;
  };
  using engine::FieldTag;
  using engine::StateTag;
  EXPECT_EQ(state_of("qingyuan-investment", StateTag::signing), "signed");
  EXPECT_EQ(state_of("qingyuan-investment", StateTag::construction_started), "under_construction");
  EXPECT_EQ(state_of("qingyuan-investment", StateTag::at_capacity), "at_capacity");
  EXPECT_EQ(field_of("qingyuan-investment", FieldTag::investment), "total_investment");
  EXPECT_EQ(field_of("qingyuan-investment", FieldTag::enterprise), "investor");
  // Technical renovation keeps its money in `investment`; implementing is its start.
  EXPECT_EQ(field_of("tech-renovation", FieldTag::investment), "investment");
  EXPECT_EQ(state_of("tech-renovation", StateTag::construction_started), "implementation");
  EXPECT_EQ(state_of("tech-renovation", StateTag::signing), "");
  // A standard factory is completed when its completion is accepted, and produces nothing.
  EXPECT_EQ(state_of("standard-factory", StateTag::completed), "operation");
  EXPECT_EQ(state_of("standard-factory", StateTag::in_production), "");
  EXPECT_EQ(field_of("standard-factory", FieldTag::floor_area), "floor_area");
  // An operating innovation platform is not in production.
  EXPECT_EQ(state_of("innovation-platform", StateTag::signing), "agreement_signed");
  EXPECT_EQ(state_of("innovation-platform", StateTag::in_production), "");
  EXPECT_EQ(field_of("admin-licence", FieldTag::enterprise), "applicant");
}

}  // namespace
}  // namespace investflow::workflows
