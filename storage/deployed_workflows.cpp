#include "storage/deployed_workflows.hpp"

#include <map>

namespace investflow::storage {

workflows::WorkflowSet registered_workflows(Store& store, const std::set<std::string>& except) {
  workflows::WorkflowSet out;
  auto stored = store.stored_workflows();
  if (!stored) return out;
  std::set<std::string> ids;
  for (const StoredWorkflow& workflow : *stored)
    ids.insert(workflow.id);
  for (const std::string& id : ids) {
    if (except.contains(id)) continue;
    if (auto workflow = store.workflow(id)) out.push_back(std::move(workflow));
  }
  return out;
}

workflows::CalendarRegistry with_calendars_in_use(const Store& store,
                                                  workflows::CalendarRegistry calendars) {
  for (const auto& calendar : store.calendars_in_use())
    calendars.add(calendar);
  return calendars;
}

WorkflowDeploy deploy_workflow_texts(Store& store, const std::vector<std::string>& texts,
                                     const std::vector<std::string>& names,
                                     const workflows::CalendarRegistry& calendars) {
  WorkflowDeploy out;
  // Parent links are checked against the stored workflows the set does not replace; the
  // ids it brings are known once each text has loaded alone.
  std::set<std::string> replaced;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto alone = workflows::load_workflow_text(texts[i], names[i], calendars);
    if (alone.workflow) replaced.insert(alone.workflow->id);
  }
  out.loads = workflows::load_workflow_texts(texts, names, calendars,
                                             registered_workflows(store, replaced));
  out.valid = !out.loads.empty();
  std::vector<WorkflowDeployment> deployments;
  for (const workflows::WorkflowLoad& load : out.loads) {
    if (!load.workflow) out.valid = false;
    if (load.workflow) deployments.push_back(WorkflowDeployment{load.workflow, load.source});
  }
  if (!out.valid) return out;
  auto results = store.deploy_workflows(deployments);
  if (results) {
    out.results = std::move(*results);
  } else if (results.error().kind == Error::Kind::invalid_request) {
    out.refused = results.error().message;
  } else {
    out.failed = results.error().message;
  }
  return out;
}

TakenWorkflows take_deployed_workflows(Store& store, const workflows::CalendarRegistry& calendars,
                                       std::set<std::pair<std::string, std::int64_t>>& failed) {
  TakenWorkflows out;
  auto stored = store.stored_workflows();
  if (!stored) {
    out.problems.push_back("reading deployed workflows failed: " + stored.error().message);
    return out;
  }
  std::vector<const StoredWorkflow*> missing;
  for (const StoredWorkflow& workflow : *stored) {
    if (store.workflow(workflow.id, workflow.version)) continue;
    if (failed.contains({workflow.id, workflow.version})) continue;
    missing.push_back(&workflow);
  }
  if (missing.empty()) return out;
  const workflows::CalendarRegistry in_use = with_calendars_in_use(store, calendars);
  for (const StoredWorkflow* workflow : missing) {
    const std::string name = workflow->id + " v" + std::to_string(workflow->version) + " (stored)";
    // Alone: it was checked with its set when deployed, and an old version must stay
    // usable for its projects whatever changed in the others since.
    auto load = workflows::load_workflow_text(workflow->source, name, in_use);
    if (!load.workflow) {
      failed.insert({workflow->id, workflow->version});
      for (const auto& diagnostic : load.diagnostics) {
        if (diagnostic.severity == workflows::Diagnostic::Severity::error)
          out.problems.push_back(diagnostic.to_string());
      }
      continue;
    }
    auto registered = store.register_workflow(load.workflow, workflow->source);
    if (!registered) {
      failed.insert({workflow->id, workflow->version});
      out.problems.push_back(name + ": " + registered.error().message);
      continue;
    }
    out.taken.emplace_back(workflow->id, workflow->version);
  }
  return out;
}

}  // namespace investflow::storage
