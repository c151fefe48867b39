// Workflow files: read, parse, check, and hand out the model only when nothing is wrong.

#include "workflows/loader.hpp"

#include <cstdlib>
#include <exception>
#include <system_error>

#include "workflows/workflow_parser.hpp"
#include "workflows/yaml_document.hpp"

namespace investflow::workflows {

namespace {

void load_into(WorkflowLoad& load, const std::string& file_name, const CalendarRegistry& calendars,
               const WorkflowSet* loaded_with) {
  detail::Reporter reporter(file_name, load.source);
  if (const std::optional<YAML::Node> root = detail::parse_document(load.source, reporter)) {
    detail::ParsedWorkflow parsed = detail::parse_workflow(*root, calendars, reporter);
    std::shared_ptr<const engine::Workflow> workflow =
        detail::check_workflow(parsed, reporter, loaded_with);
    if (!reporter.has_errors()) load.workflow = std::move(workflow);
  }
  load.diagnostics = std::move(reporter).finish();
}

}  // namespace

WorkflowLoad load_workflow_text(std::string_view yaml, const std::string& file_name,
                                const CalendarRegistry& calendars, const WorkflowSet* loaded_with) {
  WorkflowLoad load;
  // yaml-cpp and the standard library may still throw (bad_alloc); nothing escapes.
  try {
    load.source = std::string(yaml);
    load_into(load, file_name, calendars, loaded_with);
  } catch (const std::exception& error) {
    load.workflow.reset();
    load.diagnostics.push_back(Diagnostic{file_name, 1, 1, Diagnostic::Severity::error,
                                          std::string("internal error: ") + error.what()});
  }
  return load;
}

WorkflowLoad load_workflow_file(const std::filesystem::path& file,
                                const CalendarRegistry& calendars) {
  std::string text;
  if (std::optional<Diagnostic> problem = detail::read_file_text(file, text)) {
    WorkflowLoad load;
    load.diagnostics.push_back(std::move(*problem));
    return load;
  }
  return load_workflow_text(text, file.string(), calendars);
}

namespace {

// The second pass of a set: each workflow with parent links (or that failed alone) again,
// checked against every other that loaded and `others`.
void check_as_set(std::vector<WorkflowLoad>& loads, const std::vector<std::string>& names,
                  const CalendarRegistry& calendars, const WorkflowSet& others) {
  WorkflowSet loaded = others;
  for (const WorkflowLoad& load : loads) {
    if (load.workflow) loaded.push_back(load.workflow);
  }
  for (std::size_t i = 0; i < loads.size(); ++i) {
    const std::shared_ptr<const engine::Workflow>& workflow = loads[i].workflow;
    if (workflow && !workflow->parent && workflow->counted_children().empty()) continue;
    if (!workflow && loads[i].source.empty()) continue;  // unreadable: nothing to check
    loads[i] = load_workflow_text(loads[i].source, names[i], calendars, &loaded);
  }
}

}  // namespace

std::vector<WorkflowLoad> load_workflow_set(const std::vector<std::filesystem::path>& files,
                                            const CalendarRegistry& calendars,
                                            const WorkflowSet& others) {
  std::vector<WorkflowLoad> loads;
  std::vector<std::string> names;
  loads.reserve(files.size());
  for (const std::filesystem::path& file : files) {
    loads.push_back(load_workflow_file(file, calendars));
    names.push_back(file.string());
  }
  check_as_set(loads, names, calendars, others);
  return loads;
}

std::vector<WorkflowLoad> load_workflow_texts(const std::vector<std::string>& texts,
                                              const std::vector<std::string>& names,
                                              const CalendarRegistry& calendars,
                                              const WorkflowSet& others) {
  std::vector<WorkflowLoad> loads;
  loads.reserve(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i)
    loads.push_back(load_workflow_text(texts[i], names[i], calendars));
  check_as_set(loads, names, calendars, others);
  return loads;
}

std::filesystem::path calendars_directory_for(const std::filesystem::path& workflow_file) {
  std::error_code error;
  const std::filesystem::path directory =
      workflow_file.has_parent_path() ? workflow_file.parent_path() : ".";
  const std::filesystem::path beside = (directory / ".." / "calendars").lexically_normal();
  if (std::filesystem::is_directory(beside, error)) return beside;
  return shipped_workflows_directory() / "calendars";
}

std::filesystem::path share_directory() {
  // INVESTFLOW_SHARE_DIR wins (a package laid out differently, a test); else the share
  // directory beside the binary's bin/: /usr/bin/investflow -> /usr/share/investflow. The
  // build tree mirrors that layout (build/dev/share/investflow, see CMakeLists.txt).
  if (const char* override_dir = std::getenv("INVESTFLOW_SHARE_DIR");
      override_dir != nullptr && *override_dir != '\0') {
    return std::filesystem::path(override_dir);
  }
  std::error_code error;
  const std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return std::filesystem::path("/usr/share/investflow");
  return (binary.parent_path() / ".." / "share" / "investflow").lexically_normal();
}

std::filesystem::path shipped_workflows_directory() {
  return share_directory() / "workflows";
}

}  // namespace investflow::workflows
