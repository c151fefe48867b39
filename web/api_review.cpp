#include "web/api_review.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace investflow::web::api {
namespace json = boost::json;

namespace {

bool blind_review(ApiContext& context, const std::string& workflow, std::int64_t version,
                  const std::string& state) {
  const auto definition = context.store.workflow(workflow, version);
  if (!definition) return false;
  const engine::StateDef* def = definition->find_state(state);
  return def != nullptr && def->review && def->review->blind;
}

// The events after which a state's review starts afresh.
constexpr std::string_view kStateEnteringEvents[] = {"project_created", "transition_taken",
                                                     "workflow_migrated"};

bool has_text(const json::object& object, std::string_view key, std::string_view text) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() && value->get_string() == text;
}

// Cuts `votes` (wire JSON) to the viewer's own; returns how many others there were.
std::int64_t keep_own(json::array& votes, const std::string& viewer) {
  const std::size_t before = votes.size();
  json::array own;
  for (json::value& vote : votes) {
    if (vote.is_object() && has_text(vote.as_object(), "voter", viewer)) {
      own.push_back(std::move(vote));
    }
  }
  const auto others = static_cast<std::int64_t>(before - own.size());
  votes = std::move(own);
  return others;
}

}  // namespace

bool ballots_hidden(const engine::Workflow& workflow, const std::string& state,
                    const std::vector<engine::Vote>& votes, const std::string& viewer) {
  const engine::StateDef* def = workflow.find_state(state);
  if (def == nullptr || !def->review || !def->review->blind) return false;
  return std::none_of(votes.begin(), votes.end(),
                      [&](const engine::Vote& vote) { return vote.voter == viewer; });
}

void hide_ballots(ApiContext& context, json::object& wire, const engine::Project& project,
                  const std::string& viewer) {
  if (project.votes.empty()) return;
  const auto workflow = context.store.workflow(project.workflow, project.workflow_version);
  if (!workflow || !ballots_hidden(*workflow, project.state, project.votes, viewer)) return;
  if (json::array* votes = wire["votes"].if_array()) {
    wire["votes_hidden"] = keep_own(*votes, viewer);
  }
}

std::string hide_ballots(ApiContext& context, const storage::ProjectJson& stored, std::string body,
                         const std::string& viewer) {
  // Most projects have no open ballots: look before parsing.
  if (body.find("\"votes\":[{") == std::string::npos) return body;
  if (!blind_review(context, stored.workflow, stored.workflow_version, stored.state)) return body;
  json::error_code error;
  json::value wire = json::parse(body, error);
  if (error || !wire.is_object()) return body;
  json::array* votes = wire.as_object()["votes"].if_array();
  if (votes == nullptr) return body;
  const bool voted = std::any_of(votes->begin(), votes->end(), [&](const json::value& vote) {
    return vote.is_object() && has_text(vote.as_object(), "voter", viewer);
  });
  if (voted) return body;
  wire.as_object()["votes_hidden"] = keep_own(*votes, viewer);
  return json::serialize(wire);
}

int hide_history_ballots(ApiContext& context, const engine::Project& project, json::array& events,
                         const std::string& viewer) {
  if (project.votes.empty()) return 0;
  const auto workflow = context.store.workflow(project.workflow, project.workflow_version);
  if (!workflow || !ballots_hidden(*workflow, project.state, project.votes, viewer)) return 0;
  // The open review's ballots are the vote_cast events since the state was last entered.
  std::size_t opened = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const json::object& event = events[i].as_object();
    if (std::any_of(std::begin(kStateEnteringEvents), std::end(kStateEnteringEvents),
                    [&](std::string_view type) { return has_text(event, "type", type); })) {
      opened = i + 1;
    }
  }
  int hidden = 0;
  json::array kept;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const json::object& event = events[i].as_object();
    if (i >= opened && has_text(event, "type", "vote_cast") && !has_text(event, "actor", viewer)) {
      ++hidden;
      continue;
    }
    kept.push_back(std::move(events[i]));
  }
  events = std::move(kept);
  return hidden;
}

}  // namespace investflow::web::api
