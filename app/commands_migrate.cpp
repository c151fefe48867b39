#include "app/commands_migrate.hpp"

#include <map>
#include <utility>

#include "app/commands_audit.hpp"
#include "app/commands_storage.hpp"
#include "app/progress.hpp"
#include "storage/deployed_calendars.hpp"
#include "storage/migration.hpp"
#include "storage/open_store.hpp"
#include "storage/pg_connection.hpp"
#include "storage/system_clock.hpp"

namespace investflow::app {
namespace {

using storage::MigrationOutcome;

// The store with every version deployed into the database (and its deployed calendars),
// without registering the shipped definitions: a dry run writes no row.
std::unique_ptr<storage::Store> open_for_migration(const std::string& db, Io& io) {
  if (!database_exists(db, io)) return nullptr;
  auto store = storage::open_store_at(db);
  if (!store) {
    io.err << "investflow workflow migrate: " << storage::redact_uri(db) << ": "
           << store.error().message << "\n";
    return nullptr;
  }
  for (const std::string& problem : storage::take_stored_versions(**store).problems)
    io.err << "investflow: warning: " << problem << "\n";
  std::map<std::string, std::string> seen;
  for (const std::string& problem : storage::take_deployed_calendars(**store, seen).problems)
    io.err << "investflow: warning: " << problem << "\n";
  return std::move(*store);
}

std::string state_label(storage::Store& store, const std::string& workflow, std::int64_t version,
                        const std::string& state, bool en) {
  const auto definition = store.workflow(workflow, version);
  const engine::StateDef* def = definition ? definition->find_state(state) : nullptr;
  if (def == nullptr) return state;
  const std::string& label = def->label.in(en ? "en" : "zh-CN");
  return label.empty() || label == state ? state : label + " (" + state + ")";
}

std::string_view outcome_text(MigrationOutcome outcome, bool en) {
  switch (outcome) {
    case MigrationOutcome::moved:
      return en ? "moved" : "已迁移";
    case MigrationOutcome::would_move:
      return en ? "would move" : "可迁移";
    case MigrationOutcome::refused:
      return en ? "refused" : "不能迁移";
    case MigrationOutcome::already:
      return en ? "already" : "已在目标版本";
  }
  return "";
}

// One line per project (id, name, from, to, outcome), then its reasons and notes indented.
void print_report(storage::Store& store, const storage::MigrationRequest& request,
                  const storage::MigrationReport& report, bool en, Io& io) {
  for (const storage::MigrationRow& row : report.rows) {
    io.out << row.project << "\t" << (row.name.empty() ? "-" : row.name) << "\tv"
           << row.from_version << " "
           << state_label(store, request.workflow, row.from_version, row.from_state, en) << "\t→ v"
           << request.to << " "
           << (row.to_state ? state_label(store, request.workflow, request.to, *row.to_state, en)
                            : std::string("-"))
           << "\t" << outcome_text(row.outcome, en) << "\n";
    for (const engine::Reason& reason : row.reasons)
      io.out << "    ✗ " << reason.message.in(en ? "en" : "zh-CN") << "\n";
    for (const engine::MigrationNote& note : row.notes)
      io.out << "    · " << (en ? note.en : note.zh) << "\n";
  }
  const std::string moved = std::to_string(report.moved);
  const std::string refused = std::to_string(report.refused);
  const std::string unchanged = std::to_string(report.unchanged);
  const std::string terminal = std::to_string(report.terminal);
  if (en) {
    io.out << (request.dry_run ? "dry run, nothing changed: " : "") << moved
           << (request.dry_run ? " would move, " : " moved, ") << refused << " refused, "
           << unchanged << " already on version " << request.to;
    if (report.terminal > 0) io.out << ", " << terminal << " in a final state left as they are";
  } else {
    io.out << (request.dry_run ? "试运行，未做任何修改：" : "")
           << (request.dry_run ? "可迁移 " : "已迁移 ") << moved << " 个，不能迁移 " << refused
           << " 个，已在第" << request.to << "版 " << unchanged << " 个";
    if (report.terminal > 0) io.out << "，已终止的 " << terminal << " 个保持原版本";
  }
  io.out << "\n";
}

}  // namespace

int run_workflow_migrate(std::span<const std::string> args, Io& io) {
  ArgSpec spec(
      "workflow migrate",
      "Move a workflow's projects to version N. Each project's stage is mapped (same name\n"
      "unless --map renames it), its fields checked against version N, and its review,\n"
      "deadlines, milestones and follow-up carried over or recomputed (each noted). Each\n"
      "project moves in its own transaction: an interrupted run leaves every project moved\n"
      "or untouched, and running it again moves the rest. Projects that cannot move are\n"
      "listed with every reason and left alone. Projects in a final state stay unless named\n"
      "with --project. Exit 0 when every project moved (or was there already), 1 when any\n"
      "was refused.");
  spec.positional("DB", "the SQLite database file, or a postgresql:// URI")
      .option("workflow", "ID", "the workflow whose projects move")
      .option("to", "N", "the target version (deployed with `investflow workflow deploy`)")
      .option("map", "OLD:NEW", "a renamed stage: projects in OLD move to NEW (repeatable)",
              std::nullopt, true)
      .option("project", "ID", "only this project, even in a final state (repeatable)",
              std::nullopt, true)
      .flag("dry-run", "show what would happen; change nothing")
      .option("actor", "NAME", "who is recorded as moving the projects", "admin")
      .option("lang", "LANG", "message language: zh-CN or en", "zh-CN")
      .example(
          "investflow workflow migrate zone.db --workflow qingyuan-investment --to 2 \\\n"
          "      --map screening:vetting --dry-run");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string lang = parsed.value("lang");
  if (lang != "zh-CN" && lang != "en") {
    io.err << "investflow workflow migrate: --lang takes zh-CN or en, not '" << lang << "'\n";
    return kExitUsage;
  }
  const bool en = lang == "en";
  if (!parsed.has("workflow") || !parsed.has("to")) {
    io.err << "investflow workflow migrate: --workflow and --to are required\n" << spec.help_text();
    return kExitUsage;
  }
  const auto to = parse_integer_option(parsed, "to", 1, 1'000'000'000, io);
  if (!to) return kExitUsage;

  storage::MigrationRequest request;
  request.workflow = parsed.value("workflow");
  request.to = *to;
  request.projects = parsed.values("project");
  request.dry_run = parsed.flag("dry-run");
  request.actor = engine::Actor{parsed.value("actor"), {"admin"}};
  request.now = storage::SystemClock().now();
  for (const std::string& entry : parsed.values("map")) {
    const auto colon = entry.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == entry.size() ||
        entry.find(':', colon + 1) != std::string::npos) {
      io.err << "investflow workflow migrate: --map takes OLD:NEW, not '" << entry << "'\n";
      return kExitUsage;
    }
    const std::string from = entry.substr(0, colon);
    if (request.state_map.contains(from)) {
      io.err << "investflow workflow migrate: --map names '" << from << "' twice\n";
      return kExitUsage;
    }
    request.state_map.emplace(from, entry.substr(colon + 1));
  }

  auto store = open_for_migration(parsed.positional("DB"), io);
  if (!store) return kExitFailed;
  const std::vector<engine::LocalizedText> problems =
      storage::check_migration_request(*store, request);
  if (!problems.empty()) {
    for (const engine::LocalizedText& problem : problems)
      io.err << "investflow workflow migrate: " << problem.in(lang) << "\n";
    return kExitUsage;
  }
  Progress progress(io, request.dry_run ? "planning" : "migrating");
  request.progress = progress.callback();
  auto report = storage::migrate_projects(*store, request);
  progress.finish();
  if (!report) {
    io.err << "investflow workflow migrate: " << report.error().message << "\n"
           << (en ? "projects moved so far stay moved; run the command again to move the rest\n"
                  : "已迁移的项目保持迁移；再次运行本命令可继续迁移其余项目\n");
    return kExitFailed;
  }
  print_report(*store, request, *report, en, io);
  if (!request.dry_run) {
    audit_cli(parsed.positional("DB"), "projects_migrated", request.workflow,
              {{"to", request.to}, {"moved", report->moved}, {"refused", report->refused}}, io);
  }
  return report->refused == 0 ? kExitOk : kExitFailed;
}

}  // namespace investflow::app
