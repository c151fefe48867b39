#pragma once
// Parent links (workflow language v1.1 `parent:`) as the engine's decisions see them: the
// plain data of engine::Relations (decide.hpp), looked up by the writer for each decision
// and by readers for "what can I do now".

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/decide.hpp"
#include "storage/sqlite_connection.hpp"
#include "storage/workflow_registry.hpp"

namespace investflow::storage {

// One child of a project, as its row in the projects table says.
struct ChildRow {
  std::string id;
  std::int64_t workflow_version = 0;
  std::string state;
};
// The children of `parent` of one workflow, through the index projects_parent (only that
// parent's children of that workflow are read).
std::vector<ChildRow> query_children(Connection& connection, std::string_view parent,
                                     std::string_view workflow);

// Where relations_for reads: a project by id (null: none), a parent's children of one
// workflow (the writer lays its batch's uncommitted states over the rows), and a workflow
// definition by id and version (null: not registered).
struct RelationSource {
  std::function<const engine::Project*(const std::string& id)> project;
  std::function<std::vector<ChildRow>(const std::string& parent, const std::string& workflow)>
      children;
  std::function<std::shared_ptr<const engine::Workflow>(const std::string& id,
                                                        std::int64_t version)>
      workflow;
};
// A RelationSource's workflow lookup over a registry.
RelationSource with_registry(RelationSource source, const WorkflowRegistry& workflows);

// Whether relations_for would find anything: most projects have no parent and count no
// children, and need no lookup.
bool has_relations(const engine::Workflow& workflow, const engine::Project& project,
                   const std::string& new_parent);

// What a decision on `project` of `workflow` needs from outside it: its parent (or, for a
// project being created, the one named `new_parent`), and the number of its children not
// in a terminal state for each workflow the workflow counts (Workflow::counted_children).
// A child whose workflow version is not registered counts as open.
engine::Relations relations_for(const engine::Workflow& workflow, const engine::Project& project,
                                const std::string& new_parent, const RelationSource& source);

}  // namespace investflow::storage
