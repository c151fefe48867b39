#include "web/api_imports.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "engine/typed_text.hpp"
#include "storage/import_export.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;

// The media types a spreadsheet comes as (browsers send what the file's extension says, or
// nothing useful: application/octet-stream, or text/plain for a .csv on some systems).
bool spreadsheet_type(std::string_view content_type) {
  const std::string_view type = engine::trim(content_type.substr(0, content_type.find(';')));
  for (std::string_view accepted :
       {std::string_view("text/csv"), kXlsxType, std::string_view("application/vnd.ms-excel"),
        std::string_view("application/octet-stream"), std::string_view("text/plain")}) {
    if (type.size() == accepted.size() &&
        std::equal(type.begin(), type.end(), accepted.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return true;
    }
  }
  return false;
}

Parsed<bool> flag_param(const Request& request, std::string_view name, bool fallback) {
  const auto value = request.query_param(name);
  if (!value || value->empty()) return fallback;
  if (*value == "true") return true;
  if (*value == "false") return false;
  const std::string param(name);
  return engine::fail(
      bad_request({param + " 只能是 true 或 false", param + " takes true or false"},
                  {FieldError{param, {"应为 true 或 false", "expected true or false"}}}));
}

json::object text_pair(const engine::LocalizedText& column, std::string_view name,
                       const std::string& value, std::string_view lang) {
  return json::object{{"column", column.in(lang)}, {name, value}};
}

json::object report_json(const std::string& workflow, const storage::ImportReport& report,
                         const storage::ImportOptions& options, std::string_view lang) {
  json::array rows;
  for (const storage::ImportRow& row : report.rows) {
    json::array problems, values;
    for (const auto& problem : row.problems)
      problems.push_back(text_pair(problem.column, "message", problem.message.in(lang), lang));
    for (const auto& value : row.values) {
      json::object item = text_pair(value.column, "value", value.text, lang);
      item["note"] = value.how.in(lang);
      values.push_back(std::move(item));
    }
    rows.push_back(
        json::object{{"row", row.row},
                     {"action", engine::name_in(storage::kImportActionNames, row.action)},
                     {"project_id", row.project_id},
                     {"problems", std::move(problems)},
                     {"values", std::move(values)}});
  }
  json::array ignored;
  for (const auto& column : report.ignored_columns)
    ignored.emplace_back(column);
  return json::object{
      {"workflow", workflow},
      {"dry_run", options.dry_run},
      {"partial", options.partial},
      {"written", report.written},
      {"key", options.key.empty() ? json::value(nullptr) : json::value(report.key_column.in(lang))},
      {"summary", json::object{{"rows", static_cast<std::int64_t>(report.rows.size())},
                               {"created", report.created},
                               {"updated", report.updated},
                               {"unchanged", report.unchanged},
                               {"refused", report.refused}}},
      {"ignored_columns", std::move(ignored)},
      {"message", storage::import_summary_text(report, options.dry_run, options.partial, lang)},
      {"rows", std::move(rows)}};
}

}  // namespace

Response import_projects(ApiContext& context, const Request& request, const RouteParams& params) {
  const std::string_view lang = language(request);
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string& id = params.at("id");
  auto workflow = context.store.workflow(id, 0);
  if (!workflow) {
    return problem(request, no_such_workflow(id));
  }
  // Whoever may create projects of the workflow (the engine's rule for a create).
  const auto& roles = caller->actor.roles;
  if (std::none_of(roles.begin(), roles.end(), [&](const std::string& role) {
        return workflow->role_acts_in(role, workflow->initial);
      })) {
    return problem(request, forbidden({"您的角色不能登记此类项目，也就不能导入",
                                       "your roles may not register projects of this workflow"},
                                      "role_not_allowed"));
  }
  const auto content_type = request.header("Content-Type");
  if (!content_type || !spreadsheet_type(*content_type)) {
    return problem(request, unsupported_media_type(
                                {"请上传 CSV（text/csv）或 XLSX 文件作为请求体",
                                 "send the CSV (text/csv) or XLSX file as the request body"}));
  }
  if (request.body.empty()) {
    return problem(request, bad_request({"上传的文件是空的", "the file is empty"}));
  }
  storage::ImportOptions options;
  auto dry_run = flag_param(request, "dry_run", true);
  if (!dry_run) return problem(request, dry_run.error());
  auto partial = flag_param(request, "partial", false);
  if (!partial) return problem(request, partial.error());
  options.dry_run = *dry_run;
  options.partial = *partial;
  options.actor = caller->actor;
  options.owner = caller->user.id;
  options.key = std::string(request.query_param("key").value_or(""));
  options.sheet = std::string(request.query_param("sheet").value_or(""));
  options.encoding = std::string(request.query_param("encoding").value_or(""));
  for (const auto column : engine::split_list(request.query_param("ignore_columns").value_or("")))
    options.ignore_columns.emplace_back(column);
  auto users = context.auth.users();
  if (!users) return storage_failure(users.error(), request);
  options.users = std::move(*users);

  const storage::ImportReport report =
      storage::import_projects(context.store, *workflow, request.body, options);
  if (report.file_error) {
    std::vector<FieldError> errors;
    for (const auto& column : report.unknown_columns)
      errors.push_back(
          FieldError{column, {"未知列“" + column + "”", "unknown column '" + column + "'"}});
    Problem unusable = unprocessable(
        *report.file_error, std::move(errors),
        report.unknown_columns.empty() ? "import_file_invalid" : "import_unknown_columns");
    return problem(request, unusable);
  }
  return json_body(200, report_json(workflow->id, report, options, lang));
}

}  // namespace investflow::web::api
