// Every shipped workflow definition (workflows/definitions/*.yaml) loads without errors
// against the shipped calendars, and is named after its file.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
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

}  // namespace
}  // namespace investflow::workflows
