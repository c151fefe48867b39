#include "web/api_reports.hpp"

#include <algorithm>

#include <boost/json.hpp>
#include <sstream>

#include "storage/monthly_report.hpp"
#include "storage/problem_report.hpp"
#include "storage/reports.hpp"
#include "storage/reports_output.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace {

Parsed<std::optional<engine::Date>> date_param(const Request& request, std::string_view name) {
  const auto text = request.query_param(name);
  if (!text || text->empty()) return std::optional<engine::Date>();
  const auto date = engine::Date::parse(*text);
  if (!date) {
    return engine::fail(bad_request(
        {std::string(name) + " 应为日期 YYYY-MM-DD",
         std::string(name) + " takes a date YYYY-MM-DD"},
        {FieldError{std::string(name), {"应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD"}}}));
  }
  return std::optional<engine::Date>(*date);
}

Parsed<storage::ReportPeriod> period_params(const Request& request, std::string_view from_name,
                                            std::string_view to_name) {
  auto from = date_param(request, from_name);
  if (!from) return engine::fail(from.error());
  auto to = date_param(request, to_name);
  if (!to) return engine::fail(to.error());
  storage::ReportPeriod period;
  if (*from) period.from = **from;
  if (*to) period.to = **to;
  if (period.to < period.from) {
    return engine::fail(bad_request(
        {"结束日期早于开始日期", std::string(to_name) + " is before " + std::string(from_name)},
        {FieldError{std::string(to_name), {"早于开始日期", "before " + std::string(from_name)}}}));
  }
  return period;
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

Parsed<std::shared_ptr<const engine::Workflow>> workflow_param(ApiContext& context,
                                                               const Request& request) {
  const std::string id(request.query_param("workflow").value_or(""));
  if (id.empty()) {
    return engine::fail(bad_request({"请指定流程", "workflow is required"},
                                    {FieldError{"workflow", {"流程编号", "a workflow id"}}}));
  }
  auto workflow = context.store.workflow(id, 0);
  if (!workflow) return engine::fail(no_such_workflow(id));
  return workflow;
}

// A report's file: 项目储备-qingyuan-investment-2026-12-02.xlsx, with
// pipeline-qingyuan-investment-2026-12-02.xlsx for clients that cannot read the Chinese name.
struct FileName {
  std::string report;    // pipeline, funnel, ...
  std::string workflow;  // empty for the period report
  engine::Date day;
  std::string name(std::string_view extension) const {
    return storage::download_file_name(storage::report_title(report), workflow, day, extension);
  }
  std::string ascii(std::string_view extension) const {
    return storage::download_file_name(report, workflow, day, extension);
  }
};

Response download(std::string body, std::string_view content_type, const FileName& file,
                  std::string_view extension) {
  Response response = text_response(200, std::move(body), content_type);
  response.headers.set("Content-Disposition",
                       attachment_disposition(file.name(extension), file.ascii(extension)));
  return response;
}

// The sheets as an XLSX download.
Response xlsx_download(const std::vector<storage::Sheet>& sheets, const FileName& name,
                       const Request& request) {
  auto bytes = storage::xlsx_bytes(sheets);
  if (!bytes) return storage_failure(bytes.error(), request);
  return download(std::move(*bytes), kXlsxType, name, "xlsx");
}

template <class Report>
Response answer(const storage::Outcome<Report>& report, const std::string& format,
                const FileName& name, const Request& request) {
  if (!report) return storage_failure(report.error(), request);
  if (format == "json") return json_body(200, storage::report_json(*report));
  const auto sheets = storage::report_sheets(*report);
  if (format == "xlsx") return xlsx_download(sheets, name, request);
  std::ostringstream csv;
  storage::write_report_csv(csv, sheets);
  return download(csv.str(), "text/csv; charset=utf-8", name, "csv");
}

// What every workflow report starts with: the caller, the format, the workflow.
struct WorkflowReportRequest {
  std::string format;
  std::shared_ptr<const engine::Workflow> workflow;
};

engine::Result<WorkflowReportRequest, Response> workflow_report(ApiContext& context,
                                                                const Request& request) {
  auto caller = report_reader(context, request);
  if (!caller) return engine::fail(problem(request, caller.error()));
  auto format = format_param(request);
  if (!format) return engine::fail(problem(request, format.error()));
  auto workflow = workflow_param(context, request);
  if (!workflow) return engine::fail(problem(request, workflow.error()));
  return WorkflowReportRequest{*format, *workflow};
}

// The latest version of every workflow stored, each once.
storage::Outcome<storage::Workflows> latest_workflows(ApiContext& context) {
  auto stored = context.store.stored_workflows();
  if (!stored) return engine::fail(stored.error());
  storage::Workflows workflows;
  for (const auto& each : *stored) {
    auto workflow = context.store.workflow(each.id, 0);
    const bool listed = std::any_of(workflows.begin(), workflows.end(),
                                    [&](const auto& known) { return known->id == each.id; });
    if (workflow && !listed) workflows.push_back(std::move(workflow));
  }
  return workflows;
}

FileName file_name(ApiContext& context, std::string report, const WorkflowReportRequest& asked) {
  return FileName{std::move(report), asked.workflow->id, engine::local_date(context.clock->now())};
}

}  // namespace

Response report_pipeline(ApiContext& context, const Request& request) {
  auto asked = workflow_report(context, request);
  if (!asked) return std::move(asked).error();
  auto entered = period_params(request, "entered_from", "entered_to");
  if (!entered) return problem(request, entered.error());
  storage::PipelineFilter filter;
  const auto text = [&](std::string_view name) {
    return std::string(request.query_param(name).value_or(""));
  };
  filter.industry = text("industry");
  filter.chain_role = text("chain_role");
  filter.owner = text("owner");
  filter.promoting_unit = text("promoting_unit");
  filter.by = text("by");
  const auto& dimensions = storage::pipeline_dimensions();
  if (!filter.by.empty() &&
      std::find(dimensions.begin(), dimensions.end(), filter.by) == dimensions.end()) {
    return problem(request,
                   bad_request({"by 取值为 industry、chain_role、owner 或 promoting_unit",
                                "by takes industry, chain_role, owner or promoting_unit"},
                               {FieldError{"by",
                                           {"应为 industry、chain_role、owner 或 promoting_unit",
                                            "expected industry, chain_role, owner or "
                                            "promoting_unit"}}}));
  }
  if (request.query_param("entered_from")) filter.entered_from = entered->from;
  if (request.query_param("entered_to")) filter.entered_to = entered->to;
  auto report = context.reports->run([&](storage::SqlDatabase& connection) {
    return storage::pipeline_report(connection, *asked->workflow, filter);
  });
  return answer(report, asked->format, file_name(context, "pipeline", *asked), request);
}

Response report_funnel(ApiContext& context, const Request& request) {
  auto asked = workflow_report(context, request);
  if (!asked) return std::move(asked).error();
  auto period = period_params(request, "from", "to");
  if (!period) return problem(request, period.error());
  auto report = context.reports->run([&](storage::SqlDatabase& connection) {
    return storage::funnel_report(connection, *asked->workflow, *period);
  });
  return answer(report, asked->format, file_name(context, "funnel", *asked), request);
}

Response report_aging(ApiContext& context, const Request& request) {
  auto asked = workflow_report(context, request);
  if (!asked) return std::move(asked).error();
  auto period = period_params(request, "from", "to");
  if (!period) return problem(request, period.error());
  const engine::Date today = engine::local_date(context.clock->now());
  auto report = context.reports->run([&](storage::SqlDatabase& connection) {
    return storage::aging_report(connection, *asked->workflow, *period, today);
  });
  return answer(report, asked->format, file_name(context, "aging", *asked), request);
}

Response report_kpis(ApiContext& context, const Request& request) {
  auto asked = workflow_report(context, request);
  if (!asked) return std::move(asked).error();
  auto period = period_params(request, "from", "to");
  if (!period) return problem(request, period.error());
  const engine::Date today = engine::local_date(context.clock->now());
  auto report = context.reports->run([&](storage::SqlDatabase& connection) {
    return storage::kpi_report(connection, *asked->workflow, *period, today);
  });
  return answer(report, asked->format, file_name(context, "kpis", *asked), request);
}

Response report_period(ApiContext& context, const Request& request) {
  auto caller = report_reader(context, request);
  if (!caller) return problem(request, caller.error());
  auto format = format_param(request);
  if (!format) return problem(request, format.error());
  for (std::string_view name : {"from", "to"}) {
    if (!request.query_param(name)) {
      return problem(
          request,
          bad_request(
              {"缺少 " + std::string(name) + "（日期）", std::string(name) + " is required"},
              {FieldError{std::string(name), {"日期 YYYY-MM-DD", "a date YYYY-MM-DD"}}}));
    }
  }
  auto period = period_params(request, "from", "to");
  if (!period) return problem(request, period.error());
  auto workflows = latest_workflows(context);
  if (!workflows) return storage_failure(workflows.error(), request);
  auto report = context.reports->run([&](storage::SqlDatabase& connection) {
    return storage::period_report(connection, *workflows, *period);
  });
  return answer(report, *format, FileName{"period", "", engine::local_date(context.clock->now())},
                request);
}

// kpis (issue 16): the monthly report (月报), storage/monthly_report.hpp.
Response report_monthly(ApiContext& context, const Request& request) {
  auto caller = report_reader(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string format(request.query_param("format").value_or("json"));
  if (format != "json" && format != "xlsx" && format != "text") {
    return problem(
        request,
        bad_request(
            {"format 取值为 json、xlsx 或 text", "format takes json, xlsx or text"},
            {FieldError{"format", {"应为 json、xlsx 或 text", "expected json, xlsx or text"}}}));
  }
  const auto month = storage::parse_month(request.query_param("month").value_or(""));
  if (!month) {
    return problem(
        request,
        bad_request({"月份格式应为 YYYY-MM", "month takes a month YYYY-MM"},
                    {FieldError{"month", {"应为月份 YYYY-MM", "expected a month YYYY-MM"}}}));
  }
  auto workflows = latest_workflows(context);
  if (!workflows) return storage_failure(workflows.error(), request);
  const engine::Date today = engine::local_date(context.clock->now());
  const auto attach = [&](Response response, std::string_view extension) {
    response.headers.set(
        "Content-Disposition",
        attachment_disposition(storage::monthly_file_name(*month, extension),
                               storage::monthly_file_name(*month, extension, true)));
    return response;
  };
  if (format == "xlsx") {
    // Written as it is read (storage::write_monthly_xlsx), never held as cells.
    auto bytes = context.reports->run([&](storage::SqlDatabase& connection) {
      return storage::xlsx_bytes([&](const std::filesystem::path& file) {
        return storage::write_monthly_xlsx(connection, *workflows, *month, today, file);
      });
    });
    if (!bytes) return storage_failure(bytes.error(), request);
    return attach(text_response(200, std::move(*bytes), kXlsxType), "xlsx");
  }
  auto report = context.reports->run([&](storage::SqlDatabase& connection) {
    return storage::monthly_report(connection, *workflows, *month, today);
  });
  if (!report) return storage_failure(report.error(), request);
  if (format == "json") return json_body(200, storage::report_json(*report));
  return attach(
      text_response(200, storage::monthly_text(*report, "zh"), "text/plain; charset=utf-8"), "txt");
}

// problems (issue 17): the service desk's figures over the workflows with a state tagged
// resolved (or the one named), for problems raised in the period.
Response report_problems(ApiContext& context, const Request& request) {
  auto caller = report_reader(context, request);
  if (!caller) return problem(request, caller.error());
  auto format = format_param(request);
  if (!format) return problem(request, format.error());
  auto period = period_params(request, "from", "to");
  if (!period) return problem(request, period.error());
  storage::Workflows workflows;
  const std::string named(request.query_param("workflow").value_or(""));
  if (!named.empty()) {
    auto workflow = workflow_param(context, request);
    if (!workflow) return problem(request, workflow.error());
    workflows.push_back(*workflow);
  } else {
    auto stored = context.store.stored_workflows();
    if (!stored) return storage_failure(stored.error(), request);
    for (const auto& each : *stored) {
      const bool listed = std::any_of(workflows.begin(), workflows.end(),
                                      [&](const auto& known) { return known->id == each.id; });
      if (auto workflow = context.store.workflow(each.id, 0); workflow && !listed) {
        workflows.push_back(std::move(workflow));
      }
    }
  }
  auto report = context.reports->run([&](storage::SqlDatabase& connection) {
    return storage::problem_report(connection, workflows, *period);
  });
  return answer(report, *format,
                FileName{"problems", named, engine::local_date(context.clock->now())}, request);
}

}  // namespace investflow::web::api
