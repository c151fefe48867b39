#include "storage/reassign.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <set>

#include "engine/supervision.hpp"

namespace investflow::storage {
namespace {

struct Holding {
  std::string project;
  std::string name;
  std::string holder;
};

bool is_open(const engine::Workflow& workflow, const engine::Project& project) {
  const engine::StateDef* state = workflow.find_state(project.state);
  return state == nullptr || !state->terminal;
}

std::string name_of(const engine::Workflow& workflow, const engine::Project& project) {
  const engine::FieldDef* field = workflow.tagged(engine::FieldTag::name);
  if (field == nullptr) return {};
  const engine::Value value = project.field(field->name);
  const std::string* text = value.as_text();
  return text != nullptr ? *text : std::string();
}

// The holders to look at: the ones asked for, else owner and every user field of the
// workflows in question (latest versions), in name order.
Outcome<std::vector<std::string>> holders_of(Store& store, const BulkReassign& bulk) {
  if (!bulk.holders.empty()) return bulk.holders;
  if (!bulk.projects.empty()) return std::vector<std::string>{std::string(engine::kOwnerHolder)};
  std::set<std::string> fields;
  auto stored = store.stored_workflows();
  if (!stored) return engine::fail(stored.error());
  for (const StoredWorkflow& version : *stored) {
    if (!bulk.workflow.empty() && version.id != bulk.workflow) continue;
    const auto workflow = store.workflow(version.id, version.version);
    if (workflow == nullptr) continue;
    for (const engine::FieldDef& field : workflow->fields) {
      if (field.type == engine::FieldType::user) fields.insert(field.name);
    }
  }
  std::vector<std::string> holders{std::string(engine::kOwnerHolder)};
  holders.insert(holders.end(), fields.begin(), fields.end());
  return holders;
}

Outcome<std::vector<Holding>> find_holdings(Store& store, const BulkReassign& bulk,
                                            const std::vector<std::string>& holders) {
  std::vector<Holding> found;
  for (const std::string& holder : holders) {
    ProjectQuery query;
    query.workflow = bulk.workflow;
    query.scope = bulk.scope;
    query.sort = SortKey::created;
    query.descending = false;
    query.limit = 500;
    if (holder == engine::kOwnerHolder) {
      query.owner = bulk.from;
    } else {
      query.holder_field = holder;
      query.holder = bulk.from;
    }
    while (true) {
      auto page = store.list_projects(query);
      if (!page) return engine::fail(page.error());
      for (const engine::Project& project : page->projects) {
        const auto workflow = store.workflow(project.workflow, project.workflow_version);
        if (workflow == nullptr || !is_open(*workflow, project)) continue;
        // A field of that name that is no user field in this workflow is not a holding.
        if (holder != engine::kOwnerHolder) {
          const engine::FieldDef* field = workflow->find_field(holder);
          if (field == nullptr || field->type != engine::FieldType::user) continue;
        }
        found.push_back(Holding{project.id, name_of(*workflow, project), holder});
      }
      if (page->next_cursor.empty()) break;
      query.cursor = page->next_cursor;
    }
  }
  return found;
}

std::string held_by(const engine::Workflow& workflow, const engine::Project& project,
                    const std::string& holder) {
  if (holder == engine::kOwnerHolder) return project.owner;
  const engine::FieldDef* field = workflow.find_field(holder);
  if (field == nullptr || field->type != engine::FieldType::user) return {};
  const engine::Value value = project.field(holder);
  const std::string* user = value.as_text();
  return user != nullptr ? *user : std::string();
}

// The chosen projects' holdings, in the order given. A project that does not exist is
// still a holding: the engine refuses it, and the results say so.
Outcome<std::vector<Holding>> chosen_holdings(Store& store, const BulkReassign& bulk,
                                              const std::vector<std::string>& holders) {
  std::vector<Holding> found;
  for (const std::string& id : bulk.projects) {
    auto project = store.project_seen(id, bulk.scope.get());  // unseen: as if none
    if (!project) return engine::fail(project.error());
    const auto workflow =
        *project ? store.workflow((*project)->workflow, (*project)->workflow_version) : nullptr;
    for (const std::string& holder : holders) {
      if (workflow != nullptr && !bulk.from.empty() &&
          held_by(*workflow, **project, holder) != bulk.from) {
        continue;
      }
      found.push_back(
          Holding{id, workflow != nullptr ? name_of(*workflow, **project) : std::string(), holder});
    }
  }
  return found;
}

std::string batch_id() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return "reassign:" +
         std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

}  // namespace

Outcome<std::vector<ReassignOutcome>> bulk_reassign(
    Store& store, const BulkReassign& bulk, const engine::Actor& actor,
    const std::function<void(std::size_t, std::size_t)>& progress) {
  auto holders = holders_of(store, bulk);
  if (!holders) return engine::fail(holders.error());
  auto holdings = bulk.projects.empty() ? find_holdings(store, bulk, *holders)
                                        : chosen_holdings(store, bulk, *holders);
  if (!holdings) return engine::fail(holdings.error());
  const std::size_t total = holdings->size();
  if (progress) progress(0, total);
  const std::string batch = batch_id();
  // Many in flight at once (the writer commits them in few transactions); two holdings of
  // one project are decided one after the other, each on the project as it then is.
  constexpr std::size_t kWindow = 1024;
  std::vector<ReassignOutcome> outcomes;
  outcomes.reserve(total);
  std::vector<std::future<WriteResult>> pending;
  std::size_t noted = 0;
  for (std::size_t i = 0; i < total; ++i) {
    const Holding& holding = (*holdings)[i];
    WriteRequest request;
    request.command.project_id = holding.project;
    request.command.body = engine::Reassign{holding.holder, bulk.to, bulk.reason};
    request.actor = actor;
    request.batch = batch;
    if (!bulk.idempotency_key.empty()) {
      request.idempotency_key =
          bulk.idempotency_key + "\n" + holding.project + "\n" + holding.holder;
    }
    pending.push_back(store.write(std::move(request)));
    if (pending.size() - noted >= kWindow || i + 1 == total) {
      for (; noted < pending.size(); ++noted) {
        const Holding& done = (*holdings)[noted];
        outcomes.push_back(
            ReassignOutcome{done.project, done.name, done.holder, pending[noted].get()});
      }
      if (progress) progress(noted, total);
    }
  }
  return outcomes;
}

}  // namespace investflow::storage
