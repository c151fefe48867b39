#include "web/api_mywork.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "engine/decide.hpp"
#include "notify/notify_store.hpp"
#include "storage/projection_columns.hpp"
#include "storage/wire_json.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace json = boost::json;

namespace {

// How far each list reads. Every read is an indexed range of at most this many projects
// (the caller's own by due date; one review state's by last change), so the answer takes
// the same time at 1,000 projects as at 1,000,000 (bench/storage_bench "my work").
constexpr int kScan = 100;
constexpr std::size_t kShown = 50;

using Workflows = std::map<std::string, std::shared_ptr<const engine::Workflow>>;

// The latest version of every workflow.
Workflows latest_workflows(ApiContext& context) {
  Workflows latest;
  auto stored = context.store.stored_workflows();
  if (!stored) return latest;
  std::map<std::string, std::int64_t> versions;
  for (const auto& workflow : *stored)
    versions[workflow.id] = std::max(versions[workflow.id], workflow.version);
  for (const auto& [id, version] : versions) {
    if (auto workflow = context.store.workflow(id, version)) latest.emplace(id, workflow);
  }
  return latest;
}

json::object project_ref(const engine::Workflow& workflow, const engine::Project& project,
                         std::string_view lang) {
  const engine::StateDef* state = workflow.find_state(project.state);
  return json::object{{"project_id", project.id},
                      {"name", storage::projection_columns(workflow, project).name},
                      {"workflow", project.workflow},
                      {"state", project.state},
                      {"state_label", state != nullptr ? state->label.in(lang) : project.state}};
}

class WorkList {
 public:
  WorkList(ApiContext& context, const Caller& caller, std::string_view lang)
      : context_(context),
        caller_(caller),
        lang_(lang),
        today_(engine::local_date(context.clock->now())) {}

  // The caller's open projects, soonest deadline first: what they may do now, and what is
  // due within its warning period or overdue.
  void own_projects() {
    storage::ProjectQuery query;
    query.scope = caller_.scope;
    query.owner = caller_.user.id;
    query.sort = storage::SortKey::due;
    query.descending = false;
    query.limit = kScan;
    auto page = context_.store.list_projects(query);
    if (!page) return;
    for (const engine::Project& project : page->projects) {
      const auto workflow = context_.store.workflow(project.workflow, project.workflow_version);
      if (!workflow || terminal(*workflow, project.state) || project.parent.size() > 0) continue;
      next_actions(*workflow, project);
      for (const engine::DueItem& due : engine::due_items(*workflow, project, today_)) {
        if (due.status == engine::DueItem::Status::pending || deadlines_.size() >= kShown) continue;
        json::object item = project_ref(*workflow, project, lang_);
        item["kind"] = engine::due_kind_name(due.kind);
        item["deadline"] = due.name;
        item["due_on"] = due.due_on.to_string();
        item["status"] = engine::due_status_name(due.status);
        item["working_days_left"] = due.working_days_left;
        deadlines_.push_back(std::move(item));
      }
    }
  }

  // Open reviews whose voters' role the caller holds and where they have not voted.
  void owed_votes(const Workflows& workflows) {
    for (const auto& [id, workflow] : workflows) {
      for (const engine::StateDef& state : workflow->states) {
        if (!state.review || !caller_.actor.has_role(state.review->voters)) continue;
        storage::ProjectQuery query;
        query.scope = caller_.scope;
        query.workflow = id;
        query.state = state.id;
        query.limit = kScan;
        auto page = context_.store.list_projects(query);
        if (!page) continue;
        for (const engine::Project& project : page->projects) {
          const bool voted =
              std::any_of(project.votes.begin(), project.votes.end(),
                          [&](const engine::Vote& vote) { return vote.voter == caller_.user.id; });
          if (voted || votes_.size() >= kShown) continue;
          json::object item = project_ref(*workflow, project, lang_);
          item["votes_cast"] = static_cast<std::int64_t>(project.votes.size());
          votes_.push_back(std::move(item));
        }
      }
    }
  }

  // Items of workflows with `parent:` (service problems) the caller holds: as their owner,
  // or named in one of their `user` fields (the handler). Which fields those are comes
  // from the workflow.
  void held_problems(const Workflows& workflows) {
    std::set<std::string> seen;
    for (const auto& [id, workflow] : workflows) {
      if (!workflow->parent) continue;
      std::vector<storage::ProjectQuery> queries;
      storage::ProjectQuery owned;
      owned.workflow = id;
      owned.items = true;
      owned.scope = caller_.scope;
      owned.owner = caller_.user.id;
      owned.sort = storage::SortKey::due;
      owned.descending = false;
      owned.limit = kScan;
      queries.push_back(owned);
      for (const engine::FieldDef& field : workflow->fields) {
        if (field.type != engine::FieldType::user) continue;
        storage::ProjectQuery held = owned;
        held.owner.clear();
        held.holder_field = field.name;
        held.holder = caller_.user.id;
        queries.push_back(std::move(held));
      }
      for (const storage::ProjectQuery& query : queries) {
        auto page = context_.store.list_projects(query);
        if (!page) continue;
        for (const engine::Project& project : page->projects) {
          const auto version = context_.store.workflow(project.workflow, project.workflow_version);
          if (!version || terminal(*version, project.state) || problems_.size() >= kShown ||
              !seen.insert(project.id).second) {
            continue;
          }
          json::object item = project_ref(*version, project, lang_);
          item["parent"] = project.parent;
          item["due_on"] = project.sla_due_on ? json::value(project.sla_due_on->to_string())
                                              : json::value(nullptr);
          problems_.push_back(std::move(item));
        }
      }
    }
  }

  void mentions() {
    if (!context_.notify) return;
    auto found = context_.notify->mentions(caller_.user.id, static_cast<int>(kShown));
    if (!found) return;
    for (const notify::Notification& item : *found) {
      mentions_.push_back(json::object{{"notification_id", item.id},
                                       {"project_id", item.project_id},
                                       {"name", item.project_name},
                                       {"title", lang_ == "en" ? item.title_en : item.title_zh},
                                       {"at", storage::wire_timestamp(item.created_at)},
                                       {"read", item.read_at.has_value()}});
    }
  }

  json::object answer() {
    const auto count = [](const json::array& items) {
      return static_cast<std::int64_t>(items.size());
    };
    json::object counts{{"actions", count(actions_)},
                        {"deadlines", count(deadlines_)},
                        {"votes", count(votes_)},
                        {"problems", count(problems_)},
                        {"mentions", count(mentions_)}};
    const std::int64_t total =
        count(actions_) + count(deadlines_) + count(votes_) + count(problems_) + count(mentions_);
    return json::object{{"user", caller_.user.id},
                        {"today", today_.to_string()},
                        {"total", total},
                        {"counts", std::move(counts)},
                        {"actions", std::move(actions_)},
                        {"deadlines", std::move(deadlines_)},
                        {"votes", std::move(votes_)},
                        {"problems", std::move(problems_)},
                        {"mentions", std::move(mentions_)}};
  }

 private:
  static bool terminal(const engine::Workflow& workflow, const std::string& state) {
    const engine::StateDef* def = workflow.find_state(state);
    return def != nullptr && def->terminal;
  }

  void next_actions(const engine::Workflow& workflow, const engine::Project& project) {
    if (actions_.size() >= kShown) return;
    auto relations = context_.store.relations(project);
    if (!relations) return;
    for (const engine::TransitionOption& option : engine::transition_options(
             workflow, project, caller_.actor, *context_.clock, *relations)) {
      if (!option.blocked_by.empty()) continue;
      json::object item = project_ref(workflow, project, lang_);
      item["transition"] = option.transition->id;
      item["label"] = option.transition->label.in(lang_);
      const engine::StateDef* to = workflow.find_state(option.transition->to);
      item["to_label"] = to != nullptr ? to->label.in(lang_) : option.transition->to;
      actions_.push_back(std::move(item));
    }
  }

  ApiContext& context_;
  const Caller& caller_;
  std::string_view lang_;
  engine::Date today_;
  json::array actions_, deadlines_, votes_, problems_, mentions_;
};

}  // namespace

Response my_work(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  const Workflows workflows = latest_workflows(context);
  WorkList work(context, *caller, language(request));
  work.own_projects();
  work.owed_votes(workflows);
  work.held_problems(workflows);
  work.mentions();
  return json_body(200, work.answer());
}

}  // namespace investflow::web::api
