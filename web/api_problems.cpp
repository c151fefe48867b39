// The service desk (issue 17, docs/service-desk.md): the ledger's export (the filtered list
// of one workflow as a sheet) and a follow-up visit that raises problems, each a new item of
// a child workflow (language v1.1 `parent:`), written with the visit all or nothing.
#include <boost/json.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "storage/auth.hpp"
#include "storage/import_export.hpp"
#include "storage/sheet_output.hpp"
#include "storage/wire_json.hpp"
#include "web/api_handlers.hpp"
#include "web/api_support.hpp"
#include "web/headers.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

// A visit raises a handful of problems; a body with more is a mistake, not a visit.
constexpr std::size_t kMostProblems = 50;

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The latest version of every stored workflow whose items may belong to a project of
// `parent_workflow` and that has a state tagged resolved (a problem's workflow).
std::vector<std::shared_ptr<const engine::Workflow>> problem_workflows_for(
    ApiContext& context, const std::string& parent_workflow) {
  std::vector<std::shared_ptr<const engine::Workflow>> found;
  auto stored = context.store.stored_workflows();
  if (!stored) return found;
  for (const auto& each : *stored) {
    const bool listed = std::any_of(found.begin(), found.end(),
                                    [&](const auto& known) { return known->id == each.id; });
    if (listed) continue;
    auto workflow = context.store.workflow(each.id, 0);
    if (workflow && workflow->accepts_parent(parent_workflow) &&
        workflow->tagged(engine::StateTag::resolved) != nullptr) {
      found.push_back(std::move(workflow));
    }
  }
  return found;
}

Parsed<std::shared_ptr<const engine::Workflow>> problem_workflow(ApiContext& context,
                                                                 const json::object& body,
                                                                 const engine::Project& parent) {
  auto named = string_member(body, "problem_workflow");
  if (!named) return engine::fail(named.error());
  if (!named->empty()) {
    auto workflow = context.store.workflow(*named, 0);
    if (!workflow) {
      return engine::fail(
          unprocessable({"没有流程“" + *named + "”", "no workflow '" + *named + "'"},
                        {FieldError{"problem_workflow", {"未知的流程", "unknown workflow"}}},
                        "no_such_workflow"));
    }
    return workflow;
  }
  auto candidates = problem_workflows_for(context, parent.workflow);
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty()) {
    return engine::fail(unprocessable(
        {"没有流程接收此项目的问题（没有问题台账流程在 parent: 中指定“" + parent.workflow + "”）",
         "no workflow takes problems of a project of '" + parent.workflow + "'"},
        {FieldError{"problems",
                    {"该项目的流程没有问题台账流程", "no problem workflow names it in parent:"}}},
        "no_problem_workflow"));
  }
  return engine::fail(bad_request(
      {"有多个流程可以接收此处的问题：请在 problem_workflow 中指定一个",
       "several workflows take problems here: name one in problem_workflow"},
      {FieldError{"problem_workflow", {"此处必填", "required here"}}}, "missing_member"));
}

// A new item's id: from the Idempotency-Key when there is one (a repeat is the same item),
// random otherwise, as POST /api/projects does.
std::string problem_id(const Request& request, const Caller& caller, std::size_t index) {
  const auto key = request.header("Idempotency-Key");
  const std::string seed = key ? storage::sha256_hex(caller.user.id + '\n' + std::string(*key) +
                                                     "\nproblem " + std::to_string(index))
                               : storage::random_secret();
  std::string id = "P-" + seed.substr(0, 12);
  for (char& c : id)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return id;
}

// The requests: the visit first, then one CreateProject per problem.
Parsed<std::vector<storage::WriteRequest>> followup_requests(
    ApiContext& context, const Request& request, const Caller& caller, engine::Command followup,
    const json::object& body, const engine::Project& parent) {
  const json::value* raw = body.if_contains("problems");
  const json::array* problems = raw != nullptr ? raw->if_array() : nullptr;
  if (problems == nullptr)
    return engine::fail(type_error("problems", {"对象数组", "an array of objects"}));
  if (problems->size() > kMostProblems) {
    const std::string most = std::to_string(kMostProblems);
    return engine::fail(bad_request(
        {"一次走访最多登记 " + most + " 个问题", "a visit raises at most " + most + " problems"},
        {FieldError{"problems", {"最多 " + most + " 个", "at most " + most}}}, "too_many"));
  }
  auto workflow = problem_workflow(context, body, parent);
  if (!workflow) return engine::fail(workflow.error());
  const std::string key(request.header("Idempotency-Key").value_or(""));
  std::vector<storage::WriteRequest> requests;
  storage::WriteRequest visit;
  visit.command = std::move(followup);
  visit.actor = caller.actor;
  visit.idempotency_key = key;
  requests.push_back(std::move(visit));
  for (std::size_t i = 0; i < problems->size(); ++i) {
    const std::string where = "problems[" + std::to_string(i) + "]";
    if (!(*problems)[i].is_object())
      return engine::fail(type_error(where, {"字段组成的对象", "an object of fields"}));
    auto fields = field_values(**workflow, (*problems)[i], where);
    if (!fields) return engine::fail(fields.error());
    storage::WriteRequest create;
    create.command.project_id = problem_id(request, caller, i);
    create.command.body = engine::CreateProject{"", std::move(*fields), parent.id};
    create.actor = caller.actor;
    create.workflow = (*workflow)->id;
    if (!key.empty()) create.idempotency_key = key + "\nproblem " + std::to_string(i);
    requests.push_back(std::move(create));
  }
  return requests;
}

// Every reason of the batch, a problem's under "problems[i].FIELD"; the batch_aborted
// placeholders of the commands that were fine are left out.
engine::Rejection batch_rejection(const std::vector<storage::WriteResult>& results) {
  engine::Rejection all;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!results[i].rejected()) continue;
    for (engine::Reason reason : results[i].rejection.reasons) {
      if (reason.code == storage::reason::kBatchAborted) continue;
      if (i > 0) {
        const std::string where = "problems[" + std::to_string(i - 1) + "]";
        reason.field = reason.field.empty() ? where : where + "." + reason.field;
      }
      all.reasons.push_back(std::move(reason));
    }
    if (i == 0) all.current_version = results[i].rejection.current_version;
  }
  return all;
}

Response followup_answer(const std::vector<storage::WriteResult>& results, std::string_view lang,
                         const std::string& request_id, bool if_match_given) {
  const bool accepted = std::all_of(results.begin(), results.end(),
                                    [](const storage::WriteResult& r) { return r.accepted(); });
  if (accepted) {
    json::value body = storage::write_result_to_wire(results.front());
    json::array problems;
    for (std::size_t i = 1; i < results.size(); ++i) {
      const auto& events = results[i].events;
      problems.push_back(
          json::object{{"project_id", events.empty() ? "" : events.front().project_id},
                       {"version", results[i].version}});
    }
    body.as_object()["problems"] = std::move(problems);
    Response response = json_body(200, body);
    response.headers.set("ETag", "\"" + std::to_string(results.front().version) + "\"");
    return response;
  }
  const bool failed = std::any_of(results.begin(), results.end(), [](const auto& result) {
    return !result.accepted() && !result.rejected();
  });
  if (failed) return to_response(internal_error(request_id), lang);
  const engine::Rejection all = batch_rejection(results);
  if (if_match_given && all.has(engine::reason::kStaleVersion)) {
    return version_mismatch(all.current_version, lang);
  }
  return rejection(all, lang);
}

}  // namespace

void submit_followup_with_problems(ApiContext& context, const Request& request,
                                   const Caller& caller, engine::Command followup,
                                   const json::object& body, Reply reply) {
  auto parent = context.store.project(followup.project_id);
  if (!parent) return reply(storage_failure(parent.error(), request));
  if (!*parent) {
    return reply(problem(request, no_such_project(followup.project_id)));
  }
  auto requests = followup_requests(context, request, caller, std::move(followup), body, **parent);
  if (!requests) return reply(problem(request, requests.error()));
  context.store.submit_atomic(
      std::move(*requests),
      [reply = std::move(reply), feed = context.feed, lang = std::string(language(request)),
       request_id = request.request_id, if_match_given = request.header("If-Match").has_value()](
          std::vector<storage::WriteResult> results) {
        const bool accepted = !results.empty() && results.front().accepted();
        if (accepted) feed->wake();
        reply(followup_answer(results, lang, request_id, if_match_given));
      });
}

Response export_project_list(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string format_name(request.query_param("format").value_or("xlsx"));
  const auto format = engine::value_named(storage::kExportFormatNames, format_name);
  if (!format) {
    return problem(
        request, bad_request({"format 取值为 xlsx 或 csv", "format takes xlsx or csv"},
                             {FieldError{"format", {"应为 xlsx 或 csv", "expected xlsx or csv"}}}));
  }
  const engine::Date today = engine::local_date(context.clock->now());
  auto query = project_query(context, request, today);
  if (!query) return problem(request, query.error());
  query->scope = caller->scope;
  if (query->workflow.empty()) {
    return problem(request,
                   bad_request({"请指定流程：表格的列即其字段",
                                "workflow is required: the sheet's columns are its fields"},
                               {FieldError{"workflow", {"流程编号", "a workflow id"}}}));
  }
  auto workflow = context.store.workflow(query->workflow);
  if (!workflow) {
    return problem(request, no_such_workflow(query->workflow));
  }
  std::random_device random;
  const fs::path file =
      fs::temp_directory_path() / ("investflow-export-" + std::to_string(random()) + "-" +
                                   std::to_string(random()) + "." + format_name);
  auto written = storage::export_project_list(context.store, *workflow, *query, *format, file);
  std::string bytes = written ? read_bytes(file) : std::string();
  std::error_code ignored;
  fs::remove(file, ignored);
  if (!written) return storage_failure(written.error(), request);
  const bool xlsx = *format == storage::ExportFormat::xlsx;
  Response response = text_response(200, std::move(bytes),
                                    xlsx ? kXlsxType : std::string_view("text/csv; charset=utf-8"));
  response.headers.set("Content-Disposition",
                       attachment_disposition(storage::export_file_name(*workflow, today, *format),
                                              storage::download_file_name("export", workflow->id,
                                                                          today, format_name)));
  return response;
}

}  // namespace investflow::web::api
