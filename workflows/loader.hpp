#pragma once
// YAML -> engine::Workflow / engine::Calendar. Every problem is reported as a Diagnostic with
// FILE:LINE:COL, and the loader reports every problem it can find, not just the first.
// Never throws and never crashes, whatever the input.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/calendar.hpp"
#include "engine/workflow.hpp"

namespace investflow::workflows {

struct Diagnostic {
  enum class Severity { error, warning };
  std::string file;
  int line = 1;    // 1-based
  int column = 1;  // 1-based
  Severity severity = Severity::error;
  std::string message;

  // FILE:LINE:COL: error: message   (or warning:)
  std::string to_string() const;
};

bool has_errors(const std::vector<Diagnostic>& diagnostics);

// Named calendars available to workflows (`calendar: cn-mainland`).
class CalendarRegistry {
 public:
  void add(std::shared_ptr<const engine::Calendar> calendar);
  std::shared_ptr<const engine::Calendar> find(std::string_view name) const;
  std::vector<std::string> names() const;

  // A registry that answers a name it does not hold with a weekends-only calendar of that
  // name: for reading stored definitions where nothing read depends on the calendar (the
  // report summaries read their tags).
  static CalendarRegistry with_stand_ins();

 private:
  std::map<std::string, std::shared_ptr<const engine::Calendar>, std::less<>> calendars_;
  bool stand_ins_ = false;
};

struct CalendarLoad {
  std::shared_ptr<const engine::Calendar> calendar;  // null when there are errors
  std::vector<Diagnostic> diagnostics;
};
CalendarLoad load_calendar_text(std::string_view yaml, const std::string& file_name);
CalendarLoad load_calendar_file(const std::filesystem::path& file);
// Loads every *.yaml in `directory` into `registry`; returns all diagnostics.
std::vector<Diagnostic> load_calendar_directory(const std::filesystem::path& directory,
                                                CalendarRegistry& registry);

struct WorkflowLoad {
  std::shared_ptr<const engine::Workflow> workflow;  // null when there are errors
  std::vector<Diagnostic> diagnostics;               // errors and warnings
  std::string source;                                // the YAML text as read
};
// Alone (`loaded_with` null), a workflow's parent links are checked as far as the file
// goes: `parent.FIELD` may be any name and `open_children('WORKFLOW')` any workflow id.
// With `loaded_with`, they are checked against those workflows (load_workflow_set).
using WorkflowSet = std::vector<std::shared_ptr<const engine::Workflow>>;
WorkflowLoad load_workflow_text(std::string_view yaml, const std::string& file_name,
                                const CalendarRegistry& calendars,
                                const WorkflowSet* loaded_with = nullptr);
WorkflowLoad load_workflow_file(const std::filesystem::path& file,
                                const CalendarRegistry& calendars);

// Loads workflow files as one set (a directory, the shipped definitions, the files given to
// `investflow validate`): each file alone, then again, checked against the others that
// loaded (those without parent links that loaded alone are not read again) (the workflows `parent:`
// names must be in the set; `parent.FIELD` a field of each with one type;
// `open_children('WORKFLOW')` a workflow of the set whose `parent:` names this one). One load per
// file, in the order given.
// `others` (e.g. the workflows stored in a database that the set does not replace) are
// checked against too, as if loaded with the set.
std::vector<WorkflowLoad> load_workflow_set(const std::vector<std::filesystem::path>& files,
                                            const CalendarRegistry& calendars,
                                            const WorkflowSet& others = {});
// The same for texts already read (an HTTP body): `names[i]` names `texts[i]` in diagnostics.
std::vector<WorkflowLoad> load_workflow_texts(const std::vector<std::string>& texts,
                                              const std::vector<std::string>& names,
                                              const CalendarRegistry& calendars,
                                              const WorkflowSet& others = {});

// The calendars directory that goes with a workflow file: `<dir>/../calendars` if it exists,
// else the shipped one.
std::filesystem::path calendars_directory_for(const std::filesystem::path& workflow_file);
// The installed data: $INVESTFLOW_SHARE_DIR, else `<binary's dir>/../share/investflow`
// (/usr/share/investflow for /usr/bin/investflow). Nothing refers to the source tree.
std::filesystem::path share_directory();
// share_directory()/workflows: definitions/, calendars/ and scenarios/ as in the source tree.
std::filesystem::path shipped_workflows_directory();

}  // namespace investflow::workflows
