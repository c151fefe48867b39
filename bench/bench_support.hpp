#pragma once
// What the storage benchmarks share (storage_bench.cpp, pg_bench.cpp): the workflow they
// write, and a project made ready for the transitions they time.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "storage/store.hpp"
#include "workflows/loader.hpp"

namespace investflow::bench {

inline long env_number(const char* name, long fallback) {
  const char* text = std::getenv(name);
  return text == nullptr ? fallback : std::strtol(text, nullptr, 10);
}

inline workflows::WorkflowLoad load_qingyuan() {
  const std::filesystem::path file =
      workflows::shipped_workflows_directory() / "definitions" / "qingyuan-investment.yaml";
  workflows::CalendarRegistry calendars;
  (void)workflows::load_calendar_directory(workflows::calendars_directory_for(file), calendars);
  return workflows::load_workflow_file(file, calendars);
}

inline engine::Command command(const std::string& id, std::int64_t version,
                               engine::TakeTransition body) {
  engine::Command result;
  result.project_id = id;
  result.expected_version = version;
  result.body = std::move(body);
  return result;
}

inline storage::WriteRequest request_of(engine::Command command, engine::Actor actor) {
  storage::WriteRequest request;
  request.command = std::move(command);
  request.actor = std::move(actor);
  return request;
}

// A project in `negotiating` with a complete file (in a leased factory), so that
// submit_for_review evaluates all its guards (the realistic cost of a transition).
inline std::int64_t prepare_project(storage::Store& store, const std::string& id) {
  using engine::Value;
  storage::WriteRequest create;
  create.command.project_id = id;
  create.command.body =
      engine::CreateProject{"staff-01",
                            {{"name", Value::text("基准测试项目 " + id)},
                             {"investor", Value::text("广东华创新材料集团有限公司")},
                             {"contact", Value::text("王经理 13800138000")},
                             {"promoting_unit", Value::text("招商一科")},
                             {"industry", Value::text("new_materials")},
                             {"chain_role", Value::text("strengthen")},
                             {"project_kind", Value::text("manufacturing")},
                             {"land_type", Value::text("leased_factory")},
                             {"floor_area", Value::number(20000)},
                             {"energy_consumption", Value::number(800)},
                             {"total_investment", Value::number(30000)},
                             {"fixed_asset_investment", Value::number(25000)},
                             {"expected_output", Value::number(80000)},
                             {"expected_tax", Value::number(2500)}}};
  create.actor = {"staff-01", {"staff"}};
  create.workflow = "qingyuan-investment";
  auto created = store.write(create).get();
  const auto accept = request_of(command(id, 1, {"accept_lead", {}, ""}), {"staff-01", {"staff"}});
  auto accepted = store.write(accept).get();
  const auto screen =
      request_of(command(id, 2, {"pass_screening", {}, ""}), {"manager-01", {"manager"}});
  auto screened = store.write(screen).get();
  if (!created.accepted() || !accepted.accepted() || !screened.accepted()) {
    std::fprintf(stderr, "could not prepare %s\n", id.c_str());
    std::exit(1);
  }
  return screened.version;
}

}  // namespace investflow::bench
