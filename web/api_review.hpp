#pragma once
// Blind reviews (`review: {blind: true}`, issue 22): while such a review is open, a viewer
// who has not voted sees no one else's ballot, in the project, the project list and the
// history. The count of ballots cast stays visible (`votes_hidden`), and everything shows
// once the viewer has voted or the review has closed (closed_reviews). The engine decides
// as usual; only what the API answers is cut.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>

#include "engine/project.hpp"
#include "engine/workflow.hpp"
#include "storage/store.hpp"
#include "web/api.hpp"

namespace investflow::web::api {

// Whether `viewer` may not see the other ballots of the review open in `state`.
bool ballots_hidden(const engine::Workflow& workflow, const std::string& state,
                    const std::vector<engine::Vote>& votes, const std::string& viewer);

// A project's wire JSON: its `votes` cut to the viewer's own, `votes_hidden` the count of
// the others, when the open review is blind and the viewer has not voted.
void hide_ballots(ApiContext& context, boost::json::object& wire, const engine::Project& project,
                  const std::string& viewer);
// The same on a kept wire text (GET /api/projects/{id}); unchanged when nothing is hidden.
std::string hide_ballots(ApiContext& context, const storage::ProjectJson& stored, std::string body,
                         const std::string& viewer);
// The history's events (wire JSON, oldest first): the vote_cast events of the open blind
// review, other than the viewer's, are left out. Returns how many were.
int hide_history_ballots(ApiContext& context, const engine::Project& project,
                         boost::json::array& events, const std::string& viewer);

}  // namespace investflow::web::api
