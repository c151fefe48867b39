#include "app/commands_storage.hpp"

#include <cctype>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "app/progress.hpp"
#include "storage/deployed_calendars.hpp"
#include "storage/deployed_workflows.hpp"
#include "storage/import_export.hpp"
#include "storage/operations.hpp"
#include "storage/schema.hpp"
#include "storage/seed.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/system_clock.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;
using storage::Store;

std::optional<storage::Synchronous> parse_synchronous(const std::string& text, Io& io) {
  if (auto synchronous = engine::value_named(storage::kSynchronousNames, text)) return synchronous;
  io.err << "investflow: --synchronous takes full, normal or off, not '" << text << "'\n";
  return std::nullopt;
}

void print_diagnostics(const std::vector<workflows::Diagnostic>& diagnostics, Io& io) {
  for (const auto& diagnostic : diagnostics)
    io.err << diagnostic.to_string() << "\n";
}

// Makes the shipped definitions and every version stored in the database available to the
// store, as the server does at start. A conflict is a warning here: the command may not
// need that workflow.
void load_workflows(Store& store, Io& io) {
  const fs::path definitions = workflows::shipped_workflows_directory() / "definitions";
  workflows::CalendarRegistry calendars;
  print_diagnostics(workflows::load_calendar_directory(
                        workflows::calendars_directory_for(definitions / "x.yaml"), calendars),
                    io);
  std::error_code error;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(definitions, error)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  for (auto& load : workflows::load_workflow_set(files, calendars)) {
    if (!load.workflow) {
      print_diagnostics(load.diagnostics, io);
      continue;
    }
    auto registered = store.register_workflow(load.workflow, load.source);
    if (!registered) io.err << "investflow: warning: " << registered.error().message << "\n";
  }
  // Versions that no longer load (e.g. their calendar is gone) are skipped: their projects
  // stay readable.
  std::set<std::pair<std::string, std::int64_t>> failed;
  (void)take_deployed_workflows(store, calendars, failed);
  // Deadlines count on the calendars deployed into the database, as the server's do.
  std::map<std::string, std::string> seen;
  for (const std::string& problem : take_deployed_calendars(store, seen).problems)
    io.err << "investflow: warning: " << problem << "\n";
}

std::unique_ptr<Store> open_store(const std::string& db, Io& io,
                                  storage::Synchronous synchronous = storage::Synchronous::full) {
  storage::SqliteOptions options;
  options.synchronous = synchronous;
  auto store = storage::open_sqlite_store(db, options);
  if (!store) {
    io.err << "investflow: " << db << ": " << store.error().message << "\n";
    return nullptr;
  }
  load_workflows(**store, io);
  return std::move(*store);
}

// A workflow by id (latest version known to the store), or from a YAML file.
std::shared_ptr<const engine::Workflow> find_workflow(Store& store, const std::string& name,
                                                      Io& io) {
  if (fs::path(name).extension() == ".yaml" && fs::exists(name)) {
    workflows::CalendarRegistry calendars;
    print_diagnostics(
        workflows::load_calendar_directory(workflows::calendars_directory_for(name), calendars),
        io);
    auto load = workflows::load_workflow_file(name, calendars);
    print_diagnostics(load.diagnostics, io);
    if (!load.workflow) return nullptr;
    auto registered = store.register_workflow(load.workflow, load.source);
    if (!registered) {
      io.err << "investflow: " << registered.error().message << "\n";
      return nullptr;
    }
    return load.workflow;
  }
  auto workflow = store.workflow(name);
  if (!workflow) io.err << "investflow: no workflow '" << name << "'\n";
  return workflow;
}

std::string state_label(const engine::Workflow& workflow, const std::string& state) {
  const engine::StateDef* def = workflow.find_state(state);
  return def == nullptr || def->label.zh.empty() ? state : def->label.zh;
}

}  // namespace

int run_init(std::span<const std::string> args, Io& io) {
  ArgSpec spec("init",
               "Create a database, or bring an existing one to this version's schema.\n"
               "Safe to run again. Refuses a database written by a newer investflow.");
  spec.positional("DB", "the SQLite database file").example("investflow init zone.db");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string db = parsed.positional("DB");
  auto version = storage::init_sqlite_database(db);
  if (!version) {
    io.err << "investflow: " << db << ": " << version.error().message << "\n";
    return kExitFailed;
  }
  io.out << db << ": schema version " << *version << "\n";
  return kExitOk;
}

int run_verify(std::span<const std::string> args, Io& io) {
  ArgSpec spec("verify",
               "Check a database's integrity: walk every project's hash chain and replay its\n"
               "events through the engine, comparing with the stored projection. Prints each\n"
               "problem; exits 1 if there is any. Safe while a server writes.");
  spec.positional("DB", "the SQLite database file").example("investflow verify zone.db");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string db = parsed.positional("DB");
  if (!database_exists(db, io)) return kExitFailed;
  Progress progress(io, "verifying");
  auto report = storage::verify_database(db, progress.callback());
  progress.finish();
  if (!report) {
    io.err << "investflow: " << db << ": " << report.error().message << "\n";
    return kExitFailed;
  }
  for (const auto& problem : report->problems) {
    io.out << problem.project_id;
    if (problem.seq > 0) io.out << " event " << problem.seq;
    io.out << ": " << storage::verify_problem_name(problem.kind) << ": " << problem.message << "\n";
  }
  io.out << db << ": " << report->projects << " projects, " << report->events << " events: "
         << (report->ok() ? "ok" : std::to_string(report->problems.size()) + " problems") << "\n";
  return report->ok() ? kExitOk : kExitFailed;
}

int run_backup(std::span<const std::string> args, Io& io) {
  ArgSpec spec("backup",
               "Copy a database with SQLite's online backup API, safe while a server writes.\n"
               "The copy is one consistent snapshot in a standalone file; FILE must not exist.");
  spec.positional("DB", "the SQLite database file")
      .positional("FILE", "where to write the copy")
      .example("investflow backup zone.db backups/zone-2026-03-02.db");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string db = parsed.positional("DB");
  if (!database_exists(db, io)) return kExitFailed;
  Progress progress(io, "backing up");
  const std::string file = parsed.positional("FILE");
  auto copied = storage::backup_database(db, file, progress.callback());
  progress.finish();
  if (!copied) {
    io.err << "investflow: " << copied.error().message << "\n";
    return kExitFailed;
  }
  io.out << "backed up " << db << " to " << file << " (" << fs::file_size(file) / 1024 << " KiB)\n";
  return kExitOk;
}

int run_import(std::span<const std::string> args, Io& io) {
  ArgSpec spec("import",
               "Create projects from a UTF-8 CSV file, one per row, in the workflow's initial\n"
               "state. The header names fields by name or Chinese label (units optional);\n"
               "optional columns 项目编号/id and 负责人/owner. Every row is checked; if any is\n"
               "bad nothing is written and every bad row is listed, unless --partial.");
  spec.positional("DB", "the SQLite database file")
      .positional("FILE", "the CSV file")
      .option("workflow", "ID", "the workflow the projects follow (an id, or a YAML file)")
      .flag("partial", "import the good rows even when some are bad")
      .option("actor", "NAME", "who is recorded as creating the projects", "import")
      .option("owner", "NAME", "owner of rows without an owner column (default: the actor)")
      .example("investflow import zone.db leads.csv --workflow qingyuan-investment");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  if (!parsed.has("workflow")) {
    io.err << "investflow import: --workflow is required\n";
    return kExitUsage;
  }
  std::ifstream csv(parsed.positional("FILE"), std::ios::binary);
  if (!csv) {
    io.err << "investflow: cannot read " << parsed.positional("FILE") << "\n";
    return kExitFailed;
  }
  auto store = open_store(parsed.positional("DB"), io);
  if (!store) return kExitFailed;
  auto workflow = find_workflow(*store, parsed.value("workflow"), io);
  if (!workflow) return kExitFailed;

  storage::ImportOptions options;
  options.partial = parsed.flag("partial");
  options.actor = engine::Actor{parsed.value("actor"), workflow->roles};
  options.owner = parsed.has("owner") ? parsed.value("owner") : parsed.value("actor");
  Progress progress(io, "importing");
  const storage::ImportReport report =
      storage::import_csv(*store, *workflow, csv, options, progress.callback());
  progress.finish();
  if (!report.file_error.empty()) {
    io.err << parsed.positional("FILE") << ": " << report.file_error << "\n";
    return kExitFailed;
  }
  for (const auto& problem : report.problems) {
    for (const auto& message : problem.messages) {
      io.err << parsed.positional("FILE") << ":" << problem.line << ": " << message << "\n";
    }
  }
  io.out << report.imported << " of " << report.rows << " rows imported";
  if (!report.problems.empty()) {
    io.out << "; " << report.problems.size() << " bad rows"
           << (options.partial ? "" : ", nothing written");
  }
  io.out << "\n";
  return report.ok() ? kExitOk : kExitFailed;
}

int run_export(std::span<const std::string> args, Io& io) {
  ArgSpec spec("export",
               "Write the projects of a workflow as CSV or XLSX, with Chinese headers and money\n"
               "in 万元. CSV goes to stdout unless --out is given; XLSX needs --out.");
  spec.positional("DB", "the SQLite database file")
      .option("format", "FORMAT", "csv or xlsx", "csv")
      .option("out", "FILE", "the file to write")
      .option("workflow", "ID", "the workflow whose projects to export (required)")
      .example(
          "investflow export zone.db --workflow tech-renovation --format xlsx --out projects.xlsx");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  if (!parsed.has("workflow")) {
    io.err << "investflow export: --workflow ID is required\n";
    return kExitUsage;
  }
  const std::string format_name = parsed.value("format");
  const auto format = engine::value_named(storage::kExportFormatNames, format_name);
  if (!format) {
    io.err << "investflow export: --format takes csv or xlsx, not '" << format_name << "'\n";
    return kExitUsage;
  }
  if (*format == storage::ExportFormat::xlsx && !parsed.has("out")) {
    io.err << "investflow export: XLSX needs --out FILE\n";
    return kExitUsage;
  }
  const std::string db = parsed.positional("DB");
  if (!database_exists(db, io)) return kExitFailed;
  auto store = open_store(db, io);
  if (!store) return kExitFailed;
  auto workflow = find_workflow(*store, parsed.value("workflow"), io);
  if (!workflow) return kExitFailed;

  Progress progress(io, "exporting");
  auto written = parsed.has("out")
                     ? storage::export_projects(*store, *workflow, *format, parsed.value("out"),
                                                progress.callback())
                     : storage::export_projects_csv(*store, *workflow, io.out, progress.callback());
  progress.finish();
  if (!written) {
    io.err << "investflow: " << written.error().message << "\n";
    return kExitFailed;
  }
  if (parsed.has("out")) {
    io.out << *written << " projects written to " << parsed.value("out") << "\n";
  }
  return kExitOk;
}

int run_seed(std::span<const std::string> args, Io& io) {
  ArgSpec spec("seed",
               "Fill a database with realistic demo projects: Chinese names, industries, sizes,\n"
               "stages spread like a real pipeline, and full histories that take the workflow's\n"
               "real transitions, all through the normal write path.");
  spec.positional("DB", "the SQLite database file (created if missing)")
      .option("projects", "N", "how many projects", "100")
      .option("seed", "S", "random seed: the same seed gives the same data", "1")
      .option("workflow", "ID",
              "only this workflow (an id, or a YAML file); default: every workflow known, the\n"
              "projects spread evenly over them")
      .option("prefix", "TEXT",
              "project ids are PREFIX-000001 ... (QY by default); over every workflow they are\n"
              "PREFIX-XY-000001 with XY the initials of the workflow's id (XY-000001 by default)")
      .option("now", "DATE", "histories end before this day (YYYY-MM-DD; default today)")
      .option("synchronous", "MODE", "full, normal or off (demo data need not be durable)",
              "normal")
      .example("investflow seed demo.db --projects 10000 --seed 42");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const auto count = parse_integer_option(parsed, "projects", 0, 100'000'000, io);
  const auto seed = parse_integer_option(parsed, "seed", 0, INT64_MAX, io);
  const auto synchronous = parse_synchronous(parsed.value("synchronous"), io);
  if (!count || !seed || !synchronous) return kExitUsage;
  storage::SeedOptions options;
  options.projects = static_cast<int>(*count);
  options.seed = static_cast<std::uint64_t>(*seed);
  options.now = storage::SystemClock().now();
  if (parsed.has("now")) {
    auto day = engine::Date::parse(parsed.value("now"));
    if (!day) {
      io.err << "investflow seed: --now takes a date YYYY-MM-DD\n";
      return kExitUsage;
    }
    options.now = engine::start_of_day(*day);
  }

  auto store = open_store(parsed.positional("DB"), io, *synchronous);
  if (!store) return kExitFailed;
  // The workflows to seed, each with its id prefix and its share of the projects.
  std::vector<std::pair<std::shared_ptr<const engine::Workflow>, std::string>> targets;
  if (parsed.has("workflow")) {
    auto workflow = find_workflow(*store, parsed.value("workflow"), io);
    if (!workflow) return kExitFailed;
    targets.emplace_back(workflow, parsed.has("prefix") ? parsed.value("prefix") : "QY");
  } else {
    auto stored = store->stored_workflows();
    if (!stored) {
      io.err << "investflow: " << stored.error().message << "\n";
      return kExitFailed;
    }
    std::set<std::string> prefixes;
    for (const auto& each : *stored) {
      auto workflow = store->workflow(each.id);
      if (!workflow || workflow->version != each.version) continue;  // not the latest
      std::string initials;
      for (std::size_t i = 0; i < each.id.size(); ++i) {
        if (i == 0 || each.id[i - 1] == '-') {
          initials += static_cast<char>(std::toupper(static_cast<unsigned char>(each.id[i])));
        }
      }
      std::string prefix = initials;
      for (int n = 2; !prefixes.insert(prefix).second; ++n)
        prefix = initials + std::to_string(n);
      targets.emplace_back(workflow,
                           parsed.has("prefix") ? parsed.value("prefix") + "-" + prefix : prefix);
    }
  }
  const auto start = std::chrono::steady_clock::now();
  storage::SeedReport total;
  std::vector<std::pair<const engine::Workflow*, storage::SeedReport>> reports;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const auto& [workflow, prefix] = targets[i];
    storage::SeedOptions each = options;
    each.id_prefix = prefix;
    const auto share = static_cast<std::size_t>(options.projects) / targets.size();
    each.projects = static_cast<int>(
        share + (i < static_cast<std::size_t>(options.projects) % targets.size() ? 1 : 0));
    Progress progress(io, "seeding " + workflow->id);
    auto report = storage::seed_projects(*store, *workflow, each, progress.callback());
    progress.finish();
    if (!report) {
      io.err << "investflow: " << report.error().message << "\n";
      return kExitFailed;
    }
    total.projects += report->projects;
    total.commands += report->commands;
    total.failed += report->failed;
    if (total.first_failure.empty()) total.first_failure = report->first_failure;
    reports.emplace_back(workflow.get(), std::move(*report));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  io.out << "seeded " << total.projects << " projects (" << total.commands << " commands) in "
         << static_cast<int>(seconds * 10) / 10.0 << " s\n";
  for (const auto& [workflow, report] : reports) {
    if (reports.size() > 1) io.out << workflow->id << ": " << report.projects << "\n";
    for (const auto& state : workflow->states) {
      const auto found = report.by_state.find(state.id);
      if (found == report.by_state.end()) continue;
      io.out << "  " << state_label(*workflow, state.id) << " (" << state.id
             << "): " << found->second << "\n";
    }
  }
  if (total.failed > 0) {
    io.err << "investflow: " << total.failed
           << " commands were not accepted; first: " << total.first_failure << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

bool database_exists(const std::string& db, Io& io) {
  if (fs::exists(db)) return true;
  io.err << "investflow: no database at " << db << " (create one with 'investflow init " << db
         << "')\n";
  return false;
}

}  // namespace investflow::app
