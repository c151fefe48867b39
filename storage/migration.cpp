#include "storage/migration.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "engine/migration.hpp"
#include "engine/names.hpp"
#include "storage/deployed_workflows.hpp"
#include "storage/projection_columns.hpp"
#include "workflows/loader.hpp"

namespace investflow::storage {
namespace {

constexpr engine::EnumName<MigrationOutcome> kOutcomeNames[] = {
    {MigrationOutcome::moved, "moved"},
    {MigrationOutcome::would_move, "would_move"},
    {MigrationOutcome::refused, "refused"},
    {MigrationOutcome::already, "already"},
};
static_assert(engine::in_order(kOutcomeNames));

// A stale project (changed between reading it and moving it) is read and tried again.
constexpr int kAttempts = 3;

engine::LocalizedText text(std::string zh, std::string en) {
  return {std::move(zh), std::move(en)};
}

bool terminal_in(Store& store, const engine::Project& project) {
  const auto workflow = store.workflow(project.workflow, project.workflow_version);
  const engine::StateDef* state = workflow ? workflow->find_state(project.state) : nullptr;
  return state != nullptr && state->terminal;
}

// The projects the request names, or every project of the workflow, in id order.
Outcome<std::vector<engine::Project>> chosen_projects(Store& store,
                                                      const MigrationRequest& request) {
  std::vector<engine::Project> out;
  if (!request.projects.empty()) {
    std::set<std::string> ids(request.projects.begin(), request.projects.end());
    for (const std::string& id : ids) {
      auto project = store.project(id);
      if (!project) return engine::fail(project.error());
      if (*project) out.push_back(std::move(**project));
    }
    return out;
  }
  ProjectQuery query;
  query.workflow = request.workflow;
  query.sort = SortKey::created;
  query.descending = false;
  query.limit = 500;
  for (;;) {
    auto page = store.list_projects(query);
    if (!page) return engine::fail(page.error());
    for (engine::Project& project : page->projects)
      out.push_back(std::move(project));
    if (page->next_cursor.empty()) break;
    query.cursor = page->next_cursor;
  }
  std::sort(out.begin(), out.end(),
            [](const engine::Project& a, const engine::Project& b) { return a.id < b.id; });
  return out;
}

MigrationRow row_of(Store& store, const engine::Project& project) {
  MigrationRow row;
  row.project = project.id;
  row.from_version = project.workflow_version;
  row.from_state = project.state;
  if (const auto workflow = store.workflow(project.workflow, project.workflow_version)) {
    row.name = projection_columns(*workflow, project).name;
  }
  return row;
}

void take_reasons(MigrationRow& row, std::vector<engine::Reason> reasons) {
  row.outcome = MigrationOutcome::refused;
  row.reasons = std::move(reasons);
}

// One project, moved through the store (or planned, dry).
Outcome<MigrationRow> migrate_one(Store& store, const MigrationRequest& request,
                                  const engine::Workflow& target, engine::Project project) {
  for (int attempt = 1;; ++attempt) {
    MigrationRow row = row_of(store, project);
    if (project.workflow_version == target.version) {
      row.outcome = MigrationOutcome::already;
      row.to_state = project.state;
      return row;
    }
    const auto mapped = request.state_map.find(project.state);
    const std::string to_state = mapped != request.state_map.end() ? mapped->second : project.state;
    if (target.find_state(to_state) != nullptr) row.to_state = to_state;
    const auto from = store.workflow(project.workflow, project.workflow_version);
    if (from == nullptr) {
      take_reasons(
          row,
          {engine::Reason{
              std::string(reason::kNoSuchWorkflow), "",
              text("项目所在的流程第" + std::to_string(project.workflow_version) + "版未能加载",
                   "the project's version " + std::to_string(project.workflow_version) +
                       " of the workflow is not loaded")}});
      return row;
    }
    if (request.dry_run) {
      engine::MigrationPlan plan = engine::plan_migration(*from, target, project, request.state_map,
                                                          engine::local_date(request.now));
      if (plan.ok()) {
        row.outcome = MigrationOutcome::would_move;
        row.notes = std::move(plan.migrated.notes);
      } else {
        take_reasons(row, std::move(plan.reasons));
      }
      return row;
    }
    WriteRequest write;
    write.command.project_id = project.id;
    write.command.expected_version = project.version;
    write.command.body = engine::MigrateWorkflow{target.version, request.state_map, nullptr};
    write.actor = request.actor;
    WriteResult result = store.write(std::move(write)).get();
    if (result.accepted()) {
      row.outcome = MigrationOutcome::moved;
      for (const engine::Event& event : result.events) {
        if (const auto* migrated = std::get_if<engine::WorkflowMigrated>(&event.body)) {
          row.notes = migrated->notes;
        }
      }
      return row;
    }
    if (result.status == WriteResult::Status::failed) {
      return engine::fail(Error{Error::Kind::storage, project.id + ": " + result.error});
    }
    if (result.rejection.has(engine::reason::kStaleVersion) && attempt < kAttempts) {
      auto reread = store.project(project.id);
      if (!reread) return engine::fail(reread.error());
      if (!*reread) {
        take_reasons(row, std::move(result.rejection.reasons));
        return row;
      }
      project = std::move(**reread);
      continue;
    }
    take_reasons(row, std::move(result.rejection.reasons));
    return row;
  }
}

}  // namespace

std::string_view migration_outcome_name(MigrationOutcome outcome) {
  return engine::name_in(kOutcomeNames, outcome);
}

TakenWorkflows take_stored_versions(Store& store) {
  // The shipped calendars, under those the store decides with.
  workflows::CalendarRegistry calendars;
  (void)workflows::load_calendar_directory(
      workflows::calendars_directory_for(workflows::shipped_workflows_directory() / "definitions" /
                                         "x.yaml"),
      calendars);
  std::set<std::pair<std::string, std::int64_t>> failed;
  return take_deployed_workflows(store, calendars, failed);
}

std::shared_ptr<const engine::Workflow> ensure_workflow_version(Store& store, const std::string& id,
                                                                std::int64_t version) {
  if (auto known = store.workflow(id, version)) return known;
  // Deployed since the store was opened (a server takes them every few seconds).
  (void)take_stored_versions(store);
  return store.workflow(id, version);
}

std::vector<engine::LocalizedText> check_migration_request(Store& store,
                                                           const MigrationRequest& request) {
  std::vector<engine::LocalizedText> problems;
  const std::string version = std::to_string(request.to);
  const auto target =
      request.to > 0 ? ensure_workflow_version(store, request.workflow, request.to) : nullptr;
  if (target == nullptr) {
    problems.push_back(
        text("流程“" + request.workflow + "”没有已部署的第" + version + "版",
             "workflow '" + request.workflow + "' has no deployed version " + version));
    return problems;
  }
  // A map names a state of some version of the workflow, and a state of the target.
  std::set<std::string> known;
  if (auto stored = store.stored_workflows()) {
    for (const StoredWorkflow& each : *stored) {
      if (each.id != request.workflow) continue;
      if (const auto workflow = store.workflow(each.id, each.version)) {
        for (const engine::StateDef& state : workflow->states)
          known.insert(state.id);
      }
    }
  }
  for (const auto& [from, to] : request.state_map) {
    if (!known.contains(from)) {
      problems.push_back(text("映射中的“" + from + "”不是流程“" + request.workflow + "”的阶段",
                              "the map names '" + from + "', which is no stage of workflow '" +
                                  request.workflow + "'"));
    }
    if (target->find_state(to) == nullptr) {
      problems.push_back(
          text("映射中的“" + to + "”不是第" + version + "版的阶段",
               "the map names '" + to + "', which is no stage of version " + version));
    }
  }
  for (const std::string& id : request.projects) {
    auto project = store.project(id);
    if (!project || !*project || (*project)->workflow != request.workflow) {
      problems.push_back(text("项目“" + id + "”不存在或不属于流程“" + request.workflow + "”",
                              "no project '" + id + "' of workflow '" + request.workflow + "'"));
    }
  }
  return problems;
}

Outcome<MigrationReport> migrate_projects(Store& store, const MigrationRequest& request) {
  const std::vector<engine::LocalizedText> problems = check_migration_request(store, request);
  if (!problems.empty()) {
    std::string message;
    for (const engine::LocalizedText& problem : problems)
      message += (message.empty() ? "" : "; ") + problem.en;
    return engine::fail(Error{Error::Kind::invalid_request, std::move(message)});
  }
  const auto target = store.workflow(request.workflow, request.to);
  auto projects = chosen_projects(store, request);
  if (!projects) return engine::fail(projects.error());
  MigrationReport report;
  const auto total = static_cast<std::int64_t>(projects->size());
  std::int64_t done = 0;
  for (engine::Project& project : *projects) {
    ++done;
    // A project in a final state stays where it is unless it was named.
    if (request.projects.empty() && project.workflow_version != request.to &&
        terminal_in(store, project)) {
      ++report.terminal;
    } else {
      auto row = migrate_one(store, request, *target, std::move(project));
      if (!row) return engine::fail(row.error());
      switch (row->outcome) {
        case MigrationOutcome::moved:
        case MigrationOutcome::would_move:
          ++report.moved;
          break;
        case MigrationOutcome::refused:
          ++report.refused;
          break;
        case MigrationOutcome::already:
          ++report.unchanged;
          break;
      }
      report.rows.push_back(std::move(*row));
    }
    if (request.progress) request.progress(done, total);
  }
  return report;
}

}  // namespace investflow::storage
