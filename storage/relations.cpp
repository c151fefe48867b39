#include "storage/relations.hpp"

#include <SQLiteCpp/Statement.h>

namespace investflow::storage {

std::vector<ChildRow> query_children(Connection& connection, std::string_view parent,
                                     std::string_view workflow) {
  auto select = connection.statement(
      "SELECT id, workflow_version, state FROM projects WHERE parent = ? AND workflow = ?");
  select->bind(1, std::string(parent));
  select->bind(2, std::string(workflow));
  std::vector<ChildRow> children;
  while (select->executeStep()) {
    children.push_back({select->getColumn(0).getString(), select->getColumn(1).getInt64(),
                        select->getColumn(2).getString()});
  }
  return children;
}

namespace {

bool terminal_in(const RelationSource& source, const std::string& workflow, std::int64_t version,
                 const std::string& state) {
  const std::shared_ptr<const engine::Workflow> definition = source.workflow(workflow, version);
  if (definition == nullptr) return false;
  const engine::StateDef* def = definition->find_state(state);
  return def != nullptr && def->terminal;
}

}  // namespace

bool has_relations(const engine::Workflow& workflow, const engine::Project& project,
                   const std::string& new_parent) {
  return !project.parent.empty() || !new_parent.empty() || !workflow.counted_children().empty();
}

RelationSource with_registry(RelationSource source, const WorkflowRegistry& workflows) {
  source.workflow = [&workflows](const std::string& id, std::int64_t version) {
    return workflows.find(id, version);
  };
  return source;
}

engine::Relations relations_for(const engine::Workflow& workflow, const engine::Project& project,
                                const std::string& new_parent, const RelationSource& source) {
  engine::Relations relations;
  const std::string& parent_id = project.exists() ? project.parent : new_parent;
  if (!parent_id.empty()) {
    if (const engine::Project* parent = source.project(parent_id);
        parent != nullptr && parent->exists()) {
      relations.parent = engine::ParentView{
          parent->id, parent->workflow, parent->state,
          terminal_in(source, parent->workflow, parent->workflow_version, parent->state),
          parent->fields};
    }
  }
  if (!project.exists()) return relations;  // a new project has no children yet
  for (const std::string& child_workflow : workflow.counted_children()) {
    std::int64_t open = 0;
    for (const ChildRow& child : source.children(project.id, child_workflow)) {
      if (!terminal_in(source, child_workflow, child.workflow_version, child.state)) ++open;
    }
    relations.open_children.emplace(child_workflow, open);
  }
  return relations;
}

}  // namespace investflow::storage
