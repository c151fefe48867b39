// Reads: GET /api/projects (filters, sort, search, cursor), /api/projects/{id} (ETag),
// /api/projects/{id}/history (with hash-chain status), /api/projects/{id}/transitions.
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>

#include "storage/codec.hpp"
#include "storage/figures.hpp"
#include "storage/hash_chain.hpp"
#include "storage/reports.hpp"
#include "storage/wire_json.hpp"
#include "web/api_handlers.hpp"
#include "web/api_review.hpp"
#include "web/api_supervise.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace json = boost::json;

Parsed<storage::ProjectQuery> project_query(ApiContext& context, const Request& request,
                                            engine::Date today) {
  storage::ProjectQuery query;
  const auto text = [&](std::string_view name) {
    return std::string(request.query_param(name).value_or(""));
  };
  query.workflow = text("workflow");
  query.state = text("state");
  query.industry = text("industry");
  query.owner = text("owner");
  query.parent = text("parent");
  // problems (issue 17): the service desk's ledger filters, by report tags.
  query.responsible_unit = text("responsible_unit");
  query.problem_category = text("problem_category");
  query.parent_promoting_unit = text("parent_promoting_unit");
  if (!query.workflow.empty()) {
    const auto workflow = context.store.workflow(query.workflow);
    query.items = workflow != nullptr && workflow->parent.has_value();
  }
  query.text = text("q");
  query.cursor = text("cursor");
  // kpis (issue 16): the projects a report figure counts.
  query.figure = text("figure");
  if (!query.figure.empty()) {
    if (!storage::is_figure(query.figure)) {
      return engine::fail(
          bad_request({"“" + query.figure + "”不是报表口径",
                       "figure '" + query.figure + "' is not a report figure"},
                      {FieldError{"figure", {"未知的统计口径", "unknown figure"}}}));
    }
    for (const auto& [name, day] :
         {std::pair{"from", &query.figure_from}, std::pair{"to", &query.figure_to}}) {
      const std::string value = text(name);
      if (value.empty()) continue;
      const auto parsed = engine::Date::parse(value);
      if (!parsed) {
        return engine::fail(
            bad_request({std::string(name) + " 应为日期 YYYY-MM-DD",
                         std::string(name) + " takes a date YYYY-MM-DD"},
                        {FieldError{name, {"应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD"}}}));
      }
      *day = *parsed;
    }
    query.figure_promoting_unit = text("promoting_unit");
    query.figure_today = today;
  } else {
    query.promoting_unit = text("promoting_unit");
  }
  if (const auto overdue = request.query_param("overdue")) {
    if (*overdue == "true" || *overdue == "1") {
      query.overdue_on = today;
    } else if (auto day = engine::Date::parse(*overdue)) {
      query.overdue_on = *day;
    } else if (*overdue != "false" && *overdue != "0") {
      return engine::fail(bad_request(
          {"overdue 取值为 true、false 或日期 YYYY-MM-DD",
           "overdue takes true, false or a date YYYY-MM-DD"},
          {FieldError{"overdue", {"应为 true、false 或日期", "expected true, false or a date"}}}));
    }
  }
  if (auto sort = request.query_param("sort"); sort && !sort->empty()) {
    // "-updated": descending (the default for every key); "updated" or "+updated": ascending.
    std::string_view name = *sort;
    query.descending = name.front() == '-';
    if (name.front() == '-' || name.front() == '+') name.remove_prefix(1);
    const auto key = storage::parse_sort_key(name);
    if (!key) {
      return engine::fail(bad_request(
          {"sort 取值为 updated、created、name、investment 或 due（前加 - 表示降序）",
           "sort takes updated, created, name, investment or due (prefix - for descending)"},
          {FieldError{"sort", {"未知的排序键", "unknown sort key"}}}));
    }
    query.sort = *key;
  }
  if (const auto limit = request.query_param("limit")) {
    int value = 0;
    const auto [end, error] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (error != std::errc() || end != limit->data() + limit->size() || value < 1 || value > 500) {
      return engine::fail(
          bad_request({"limit 取值为 1 到 500", "limit takes 1 to 500"},
                      {FieldError{"limit", {"应为 1 到 500", "expected 1 to 500"}}}));
    }
    query.limit = value;
  }
  return query;
}

namespace {

// The project, or the response that says why not.
engine::Result<engine::Project, Response> find_project(ApiContext& context, const Request& request,
                                                       const std::string& id) {
  auto project = context.store.project(id);
  if (!project) return engine::fail(storage_failure(project.error(), request));
  if (!*project) {
    return engine::fail(problem(request, no_such_project(id)));
  }
  return std::move(**project);
}

json::array reasons_json(const std::vector<engine::Reason>& reasons, std::string_view lang) {
  json::array array;
  for (const auto& reason : reasons) {
    array.push_back(json::object{
        {"code", reason.code}, {"field", reason.field}, {"message", reason.message.in(lang)}});
  }
  return array;
}

// What the transition form can supply of a blocked transition (issue 22 item 1): the
// required fields still empty (and a comment). A guard, a review, the state or a role it
// cannot: those keep the transition blocked.
struct FormFix {
  json::array fields;
  bool enough = true;  // filling `fields` (and a comment) is all that is missing
};

FormFix form_fix(const engine::Workflow& workflow, const std::vector<engine::Reason>& blocked_by) {
  FormFix fix;
  for (const engine::Reason& reason : blocked_by) {
    if (reason.code == engine::reason::kCommentRequired) continue;  // the form asks for it
    if (reason.code != engine::reason::kMissingField ||
        workflow.find_field(reason.field) == nullptr) {
      fix.enough = false;
      continue;
    }
    if (std::find(fix.fields.begin(), fix.fields.end(), json::value(reason.field)) ==
        fix.fields.end()) {
      fix.fields.emplace_back(reason.field);
    }
  }
  return fix;
}

// What else the caller may do to the project (issue 22 item 5), decided by the engine as
// the command itself would be: the console shows only the controls that would be taken.
json::object permissions(const engine::Workflow& workflow, const engine::Project& project,
                         const engine::Actor& actor, const engine::Clock& clock,
                         const engine::Relations& relations) {
  const auto allowed = [&](engine::Command command) {
    command.project_id = project.id;
    const engine::Decision decision =
        engine::decide(workflow, project, command, actor, clock, relations);
    if (decision) return true;
    const engine::Rejection& rejection = decision.error();
    return !rejection.has(engine::reason::kRoleNotAllowed) &&
           !rejection.has(engine::reason::kTerminalState) &&
           !rejection.has(engine::reason::kNotInFollowup);
  };
  engine::Command edit;
  edit.body = engine::EditFields{};  // refused as nothing_to_do when allowed
  engine::Command visit;
  visit.body = engine::RecordFollowup{engine::local_date(clock.now()), "-", {}};
  return json::object{{"edit", allowed(std::move(edit))}, {"followup", allowed(std::move(visit))}};
}

}  // namespace

Response list_projects(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  auto query = project_query(context, request, engine::local_date(context.clock->now()));
  if (!query) return problem(request, query.error());
  query->scope = caller->scope;
  auto page = context.store.list_projects(*query);
  if (!page) return storage_failure(page.error(), request);
  json::array projects;
  Lights lights(context);  // issue 17: read-time light per item
  for (const auto& project : page->projects) {
    json::value wire = storage::project_to_wire(project);
    lights.add_to(wire.as_object(), project);
    hide_ballots(context, wire.as_object(), project, caller->user.id);  // blind reviews
    projects.push_back(std::move(wire));
  }
  json::object body{{"projects", std::move(projects)}};
  body["next_cursor"] =
      page->next_cursor.empty() ? json::value(nullptr) : json::value(page->next_cursor);
  return json_body(200, body);
}

// The board (issue 22): the first cards of every open state in one answer, instead of one
// list request per column. Each column is the list's own indexed query (state, newest
// first); its count and investment come from the pipeline summaries (a few rows per state),
// so neither grows with the number of projects.
Response board(ApiContext& context, const Request& request) {
  constexpr int kDefaultCards = 30;
  constexpr int kMostCards = 100;
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string id(request.query_param("workflow").value_or(""));
  if (id.empty()) {
    return problem(request, bad_request({"缺少 workflow（流程）", "workflow is required"},
                                        {FieldError{"workflow", {"流程编号", "a workflow id"}}}));
  }
  const auto workflow = context.store.workflow(id, 0);
  if (!workflow) return problem(request, no_such_workflow(id));
  auto query = project_query(context, request, engine::local_date(context.clock->now()));
  if (!query) return problem(request, query.error());
  query->scope = caller->scope;
  if (!request.query_param("limit")) query->limit = kDefaultCards;
  if (query->limit > kMostCards) {
    const std::string most = std::to_string(kMostCards);
    return problem(
        request,
        bad_request(
            {"看板的 limit 取值为 1 到 " + most, "limit takes 1 to " + most + " on the board"},
            {FieldError{"limit", {"应为 1 到 " + most, "expected 1 to " + most}}}));
  }
  query->cursor.clear();
  // The summaries count by the board's own filters only; with others a column says how
  // many it shows and whether there are more.
  // The summaries and facets are of every project: not for a caller who sees only some.
  const bool whole = caller->scope->unrestricted();
  const bool summarised =
      whole && query->text.empty() && !query->overdue_on && query->figure.empty();
  std::optional<storage::PipelineReport> pipeline;
  json::array owners;
  json::array units;
  if (context.reports && whole) {
    storage::PipelineFilter filter;
    filter.industry = query->industry;
    filter.owner = query->owner;
    filter.promoting_unit = query->promoting_unit;
    auto read = context.reports->run([&](storage::SqlDatabase& connection) {
      return storage::pipeline_report(connection, *workflow, filter);
    });
    if (!read) return storage_failure(read.error(), request);
    if (summarised) pipeline = std::move(*read);
    auto facets = context.reports->run([&](storage::SqlDatabase& connection) {
      return storage::pipeline_facets(connection, *workflow);
    });
    if (!facets) return storage_failure(facets.error(), request);
    owners = json::array(facets->owners.begin(), facets->owners.end());
    units = json::array(facets->promoting_units.begin(), facets->promoting_units.end());
  }
  Lights lights(context);
  json::array columns;
  for (const engine::StateDef& state : workflow->states) {
    if (state.terminal) continue;
    query->state = state.id;
    auto page = context.store.list_projects(*query);
    if (!page) return storage_failure(page.error(), request);
    json::array projects;
    for (const auto& project : page->projects) {
      json::value wire = storage::project_to_wire(project);
      lights.add_to(wire.as_object(), project);
      projects.push_back(std::move(wire));
    }
    json::value count = nullptr;
    json::value investment = nullptr;
    if (pipeline) {
      for (const auto& stage : pipeline->stages) {
        if (stage.state != state.id) continue;
        count = stage.count;
        if (stage.investment) investment = *stage.investment;
      }
    }
    columns.push_back(json::object{{"state", state.id},
                                   {"count", std::move(count)},
                                   {"investment_wan", std::move(investment)},
                                   {"more", !page->next_cursor.empty()},
                                   {"projects", std::move(projects)}});
  }
  return json_body(200, json::object{{"workflow", id},
                                     {"columns", std::move(columns)},
                                     {"owners", std::move(owners)},
                                     {"promoting_units", std::move(units)}});
}

namespace {

// The kept wire JSON goes out as it is: no decode into a Project and encode back.
Response project_response(const Request& request, std::int64_t version, std::string body) {
  std::string etag = "\"" + std::to_string(version) + "\"";
  if (const auto known = request.header("If-None-Match"); known && *known == etag) {
    Response response = empty_response(304);
    response.headers.set("ETag", std::move(etag));
    return response;
  }
  Response response = json_response(200, std::move(body));
  response.headers.set("ETag", std::move(etag));
  return response;
}

}  // namespace

Response get_project(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string& id = params.at("id");
  if (auto unseen = refuse_unseen(context, *caller, id, request)) return std::move(*unseen);
  auto stored = context.store.project_json(id);
  if (!stored) return storage_failure(stored.error(), request);
  if (!*stored) return problem(request, no_such_project(id));
  return project_response(
      request, (*stored)->version,
      hide_ballots(context, **stored, Lights(context).add_to(**stored), caller->user.id));
}

std::optional<Response> get_project_from_memory(ApiContext& context, const Request& request,
                                                const RouteParams& params) {
  // Only a bearer token checked moments ago and a project the cache holds: anything else
  // (a session cookie, a new token, a miss) takes the full path above.
  const auto authorization = request.header("Authorization");
  const auto secret = authorization ? bearer_secret(*authorization) : std::nullopt;
  const auto user = secret ? context.auth.cached_token_user(*secret) : std::nullopt;
  if (!user) return std::nullopt;
  // A user who does not see every project is checked on the full path.
  if (!scope_of(context, *user)->unrestricted()) return std::nullopt;
  const auto stored = context.store.cached_project_json(params.at("id"));
  if (!stored) return std::nullopt;
  return project_response(
      request, stored->version,
      hide_ballots(context, *stored, Lights(context).add_to(*stored), user->id));
}

Response project_history(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  if (auto unseen = refuse_unseen(context, *caller, params.at("id"), request))
    return std::move(*unseen);
  auto project = find_project(context, request, params.at("id"));
  if (!project) return project.error();
  auto history = context.store.history(params.at("id"));
  if (!history) return storage_failure(history.error(), request);
  // Re-derive every link: a stored event edited or removed behind the API shows here.
  bool chain_ok = true;
  storage::Hash previous = storage::kGenesisHash;
  json::array events;
  for (const auto& stored : *history) {
    const bool linked = stored.previous_hash == previous;
    const bool hashed = storage::chain_hash(stored.previous_hash,
                                            storage::encode_event(stored.event)) == stored.hash;
    chain_ok = chain_ok && linked && hashed;
    previous = stored.hash;
    json::object item = storage::event_to_wire(stored.event).as_object();
    item["id"] = stored.id;
    item["hash"] = storage::to_hex(stored.hash);
    item["previous_hash"] = storage::to_hex(stored.previous_hash);
    events.push_back(std::move(item));
  }
  json::object body{
      {"project_id", params.at("id")}, {"version", project->version}, {"chain_ok", chain_ok}};
  // A blind review's open ballots (api_review.hpp): left out, counted.
  if (const int hidden = hide_history_ballots(context, *project, events, caller->user.id)) {
    body["hidden_votes"] = hidden;
  }
  body["events"] = std::move(events);
  return json_body(200, body);
}

Response transition_options(ApiContext& context, const Request& request,
                            const RouteParams& params) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  if (auto unseen = refuse_unseen(context, *caller, params.at("id"), request))
    return std::move(*unseen);
  auto project = find_project(context, request, params.at("id"));
  if (!project) return project.error();
  auto workflow = context.store.workflow(project->workflow, project->workflow_version);
  if (!workflow) return problem(request, internal_error(request.request_id));
  auto relations = context.store.relations(*project);
  if (!relations) return problem(request, internal_error(request.request_id));
  const std::string_view lang = language(request);
  json::array options;
  // A fractional quorum is taken of the review panel: the users holding the voters' role.
  if (const engine::StateDef* state = workflow->find_state(project->state);
      state != nullptr && state->review && state->review->quorum_denominator > 0) {
    if (auto users = context.auth.users()) {
      project->review_panel = static_cast<int>(
          std::count_if(users->begin(), users->end(), [&](const storage::User& user) {
            return !user.disabled && std::find(user.roles.begin(), user.roles.end(),
                                               state->review->voters) != user.roles.end();
          }));
    }
  }
  for (const auto& option :
       engine::transition_options(*workflow, *project, caller->actor, *context.clock, *relations)) {
    const engine::TransitionDef& transition = *option.transition;
    json::array requires_fields;
    for (const auto& field : transition.requires_fields)
      requires_fields.emplace_back(field);
    FormFix fix = form_fix(*workflow, option.blocked_by);
    options.push_back(json::object{
        {"id", transition.id},
        {"label", transition.label.in(lang)},
        {"to", transition.to},
        {"requires", std::move(requires_fields)},
        {"comment", transition.comment == engine::CommentRule::required ? "required" : "optional"},
        {"available", option.blocked_by.empty()},
        {"blocked_by", reasons_json(option.blocked_by, lang)},
        {"fill", std::move(fix.fields)},
        {"fillable", !option.blocked_by.empty() && fix.enough}});
  }
  Response response =
      json_body(200, json::object{{"project_id", project->id},
                                  {"state", project->state},
                                  {"version", project->version},
                                  {"transitions", std::move(options)},
                                  {"may", permissions(*workflow, *project, caller->actor,
                                                      *context.clock, *relations)}});
  response.headers.set("ETag", "\"" + std::to_string(project->version) + "\"");
  return response;
}

}  // namespace investflow::web::api
