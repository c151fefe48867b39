#include "web/api_funds.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <sstream>

#include "storage/funds_report.hpp"
#include "storage/reports.hpp"
#include "storage/reports_output.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;

bool has_any(const engine::Actor& actor, std::initializer_list<std::string_view> roles) {
  for (std::string_view role : roles) {
    if (actor.has_role(role)) return true;
  }
  return false;
}

// The latest version of every stored workflow.
Parsed<storage::FundsWorkflows> latest_workflows(ApiContext& context) {
  auto stored = context.store.stored_workflows();
  if (!stored) return engine::fail(internal_error(""));
  storage::FundsWorkflows workflows;
  for (const auto& each : *stored) {
    const bool listed = std::any_of(workflows.begin(), workflows.end(),
                                    [&](const auto& known) { return known->id == each.id; });
    if (listed) continue;
    if (auto workflow = context.store.workflow(each.id, 0))
      workflows.push_back(std::move(workflow));
  }
  return workflows;
}

Parsed<std::string> format_param(const Request& request) {
  const std::string format(request.query_param("format").value_or("json"));
  if (format != "json" && format != "csv" && format != "xlsx") {
    return engine::fail(bad_request(
        {"format 取值为 json、csv 或 xlsx", "format takes json, csv or xlsx"},
        {FieldError{"format", {"应为 json、csv 或 xlsx", "expected json, csv or xlsx"}}}));
  }
  return format;
}

Parsed<int> year_param(const Request& request, engine::Date today) {
  const auto text = request.query_param("year");
  if (!text || text->empty()) return today.year();
  int year = 0;
  for (char c : *text) {
    if (c < '0' || c > '9' || year > 10000) {
      year = -1;
      break;
    }
    year = year * 10 + (c - '0');
  }
  if (year < 2000 || year > 2100) {
    return engine::fail(bad_request(
        {"year 应为 2000 到 2100 之间的年份", "year takes a year 2000 to 2100"},
        {FieldError{"year", {"应为 2000 到 2100 之间的年份", "expected a year 2000 to 2100"}}}));
  }
  return year;
}

Response download(std::string body, std::string_view content_type, const std::string& title,
                  const std::string& ascii, engine::Date day, std::string_view extension) {
  Response response = text_response(200, std::move(body), content_type);
  response.headers.set(
      "Content-Disposition",
      attachment_disposition(storage::download_file_name(title, "", day, extension),
                             storage::download_file_name(ascii, "", day, extension)));
  return response;
}

Response sheets_answer(const std::vector<storage::Sheet>& sheets, const std::string& format,
                       const std::string& title, const std::string& ascii, engine::Date day,
                       const Request& request) {
  if (format == "csv") {
    std::ostringstream csv;
    storage::write_report_csv(csv, sheets);
    return download(csv.str(), "text/csv; charset=utf-8", title, ascii, day, "csv");
  }
  auto bytes = storage::xlsx_bytes(sheets);
  if (!bytes) return storage_failure(bytes.error(), request);
  return download(std::move(*bytes), kXlsxType, title, ascii, day, "xlsx");
}

const json::value& member(const json::object& body, std::string_view name) {
  static const json::value kNull;
  const json::value* found = body.if_contains(name);
  return found == nullptr ? kNull : *found;
}

}  // namespace

void record_funds(ApiContext& context, const Request& request, const RouteParams& params,
                  Reply reply) {
  auto caller = authenticate(context, request);
  if (!caller) return reply(problem(request, caller.error()));
  if (auto unseen = refuse_unseen(context, *caller, params.at("id"), request))
    return reply(std::move(*unseen));
  auto body = parse_object(request);
  if (!body) return reply(problem(request, body.error()));
  auto expected = if_match(request);
  if (!expected) return reply(problem(request, expected.error()));
  auto month = string_member(*body, "month", true);
  if (!month) return reply(problem(request, month.error()));
  auto source = string_member(*body, "source", true);
  if (!source) return reply(problem(request, source.error()));
  auto evidence = string_member(*body, "evidence");
  if (!evidence) return reply(problem(request, evidence.error()));
  auto comment = string_member(*body, "comment");
  if (!comment) return reply(problem(request, comment.error()));
  const json::value& amount = member(*body, "amount");
  if (!amount.is_number()) {
    return reply(
        problem(request, bad_request({"金额应为数字（万元）", "amount must be a number (万元)"},
                                     {FieldError{"amount", {"应为数字", "expected a number"}}},
                                     amount.is_null() ? "missing_member" : "invalid_type")));
  }
  engine::Command command;
  command.project_id = params.at("id");
  command.expected_version = *expected;
  command.body =
      engine::RecordFunds{*month, amount.to_number<double>(), *source, *evidence, *comment};
  submit(context, request, *caller, std::move(command), "", 200, std::move(reply));
}

Response report_funds(ApiContext& context, const Request& request) {
  auto caller = report_reader(context, request);
  if (!caller) return problem(request, caller.error());
  auto format = format_param(request);
  if (!format) return problem(request, format.error());
  const engine::Date today = engine::local_date(context.clock->now());
  const std::string month_text(request.query_param("month").value_or(""));
  std::optional<int> month = today.year() * 100 + today.ymd().month;
  if (!month_text.empty()) month = engine::parse_funds_month(month_text);
  if (!month) {
    return problem(
        request,
        bad_request({"月份格式应为 YYYY-MM，例如 2026-10", "month takes YYYY-MM, e.g. 2026-10"},
                    {FieldError{"month", {"应为 YYYY-MM", "expected YYYY-MM"}}}));
  }
  const std::string workflow(request.query_param("workflow").value_or(""));
  if (!workflow.empty() && !context.store.workflow(workflow, 0)) {
    return problem(request, no_such_workflow(workflow));
  }
  auto workflows = latest_workflows(context);
  if (!workflows) return problem(request, workflows.error());
  auto report = context.reports->run([&](storage::SqlDatabase& connection) {
    return storage::funds_report(connection, *workflows, *month, workflow);
  });
  if (!report) return storage_failure(report.error(), request);
  if (*format == "json") return json_body(200, storage::funds_report_json(*report));
  return sheets_answer(storage::funds_report_sheets(*report), *format,
                       "到位资金-" + engine::funds_month_text(*month),
                       "funds-" + engine::funds_month_text(*month), today, request);
}

Response get_targets(ApiContext& context, const Request& request) {
  auto caller = report_reader(context, request);
  if (!caller) return problem(request, caller.error());
  auto year = year_param(request, engine::local_date(context.clock->now()));
  if (!year) return problem(request, year.error());
  auto workflows = latest_workflows(context);
  if (!workflows) return problem(request, workflows.error());
  struct Answer {
    std::vector<storage::Target> targets;
    std::vector<storage::TargetChange> history;
    std::vector<storage::PromotingUnit> units;
  };
  auto answer =
      context.reports->run([&](storage::SqlDatabase& connection) -> storage::Outcome<Answer> {
        auto targets = storage::list_targets(connection, *year);
        if (!targets) return engine::fail(targets.error());
        auto history = storage::target_history(connection, *year);
        if (!history) return engine::fail(history.error());
        auto units = storage::promoting_units(connection, *workflows);
        if (!units) return engine::fail(units.error());
        return Answer{std::move(*targets), std::move(*history), std::move(*units)};
      });
  if (!answer) return storage_failure(answer.error(), request);
  json::array targets;
  for (const auto& target : answer->targets)
    targets.push_back(storage::target_json(target));
  json::array history;
  for (const auto& change : answer->history)
    history.push_back(storage::target_change_json(change));
  json::array units;
  for (const auto& unit : answer->units) {
    units.push_back(json::object{
        {"id", unit.id}, {"label", json::object{{"zh", unit.label.zh}, {"en", unit.label.en}}}});
  }
  json::array figures;
  for (const auto& figure : storage::target_figures()) {
    figures.push_back(json::object{{"id", figure.id},
                                   {"label", json::object{{"zh", figure.zh}, {"en", figure.en}}},
                                   {"unit", figure.unit}});
  }
  return json_body(200, json::object{{"year", *year},
                                     {"figures", std::move(figures)},
                                     {"units", std::move(units)},
                                     {"targets", std::move(targets)},
                                     {"history", std::move(history)}});
}

Response put_target(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  if (!has_any(caller->actor, {"manager", "admin"})) {
    return problem(
        request, forbidden({"目标只能由经理或管理员设定", "targets are set by managers and admins"},
                           "role_not_allowed"));
  }
  if (!context.targets)
    return problem(request,
                   service_unavailable({"此服务器未启用目标设定", "targets are not enabled"}));
  auto body = parse_object(request);
  if (!body) return problem(request, body.error());
  const json::value& year = member(*body, "year");
  if (!year.is_int64() && !year.is_uint64()) {
    return problem(request, bad_request({"year 应为整数", "year must be an integer"},
                                        {FieldError{"year", {"应为整数", "expected an integer"}}},
                                        year.is_null() ? "missing_member" : "invalid_type"));
  }
  auto unit = string_member(*body, "unit", true);
  if (!unit) return problem(request, unit.error());
  auto figure = string_member(*body, "figure", true);
  if (!figure) return problem(request, figure.error());
  const json::value& raw_value = member(*body, "value");
  if (!raw_value.is_null() && !raw_value.is_number()) {
    return problem(
        request,
        bad_request({"value 应为数字，或为 null 以删除目标",
                     "value must be a number, or null to remove the target"},
                    {FieldError{"value", {"应为数字或 null", "expected a number or null"}}},
                    "invalid_type"));
  }
  std::optional<double> value;
  if (!raw_value.is_null()) value = raw_value.to_number<double>();
  const int year_number =
      year.is_int64() ? static_cast<int>(std::clamp<std::int64_t>(year.get_int64(), -1, 100000))
                      : -1;
  const auto problems = storage::check_target(year_number, *unit, *figure, value);
  if (!problems.empty()) {
    std::vector<FieldError> errors;
    for (const auto& item : problems)
      errors.push_back({item.field, {item.zh, item.en}});
    LocalizedText detail = joined_messages(errors);
    return problem(request, unprocessable(std::move(detail), std::move(errors), "invalid_target"));
  }
  auto change = context.targets->set(year_number, *unit, *figure, value, caller->user.id,
                                     context.clock->now());
  if (!change) return storage_failure(change.error(), request);
  json::value target = nullptr;
  if (value) {
    target = storage::target_json(
        {year_number, *unit, *figure, *value, caller->user.id, context.clock->now()});
  }
  return json_body(200, json::object{{"target", std::move(target)},
                                     {"change", *change ? storage::target_change_json(**change)
                                                        : json::value(nullptr)}});
}

Response report_targets(ApiContext& context, const Request& request) {
  auto caller = report_reader(context, request);
  if (!caller) return problem(request, caller.error());
  auto format = format_param(request);
  if (!format) return problem(request, format.error());
  const engine::Date today = engine::local_date(context.clock->now());
  auto year = year_param(request, today);
  if (!year) return problem(request, year.error());
  auto workflows = latest_workflows(context);
  if (!workflows) return problem(request, workflows.error());
  auto report = context.reports->run([&](storage::SqlDatabase& connection) {
    return storage::targets_report(connection, *workflows, *year, today);
  });
  if (!report) return storage_failure(report.error(), request);
  if (*format == "json") return json_body(200, storage::targets_report_json(*report));
  return sheets_answer(storage::targets_report_sheets(*report), *format,
                       "目标进度-" + std::to_string(*year), "targets-" + std::to_string(*year),
                       today, request);
}

}  // namespace investflow::web::api
