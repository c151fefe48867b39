#include "app/commands_storage.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "app/commands_audit.hpp"
#include "app/progress.hpp"
#include "engine/typed_text.hpp"
#include "storage/anchor.hpp"
#include "storage/auth.hpp"
#include "storage/deployed_calendars.hpp"
#include "storage/deployed_workflows.hpp"
#include "storage/import_export.hpp"
#include "storage/open_store.hpp"
#include "storage/operations.hpp"
#include "storage/pg_connection.hpp"
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
  auto store = storage::open_store_at(db, options);
  if (!store) {
    io.err << "investflow: " << storage::redact_uri(db) << ": " << store.error().message << "\n";
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
  spec.positional("DB", "the SQLite database file, or a postgresql:// URI")
      .example("investflow init zone.db")
      .example(
          "investflow init 'postgresql://investflow@db1,db2/zone?target_session_attrs=read-write'");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string db = parsed.positional("DB");
  auto version = storage::init_database_at(db);
  if (!version) {
    io.err << "investflow: " << storage::redact_uri(db) << ": " << version.error().message << "\n";
    return kExitFailed;
  }
  io.out << storage::redact_uri(db) << ": schema version " << *version << "\n";
  return kExitOk;
}

int run_verify(std::span<const std::string> args, Io& io) {
  ArgSpec spec("verify",
               "Check a database's integrity: walk every project's hash chain and replay its\n"
               "events through the engine, comparing with the stored projection and its\n"
               "columns; check every attached file (DB.files/) against its SHA-256, the log\n"
               "chain over all events, the audit log's chain, the report summaries (rebuilt\n"
               "from the events) and SQLite's own integrity_check. With --digest, also prove\n"
               "that nothing the signed digest covers was changed, removed or reordered since\n"
               "(appends are fine). Prints each problem; exits 1 if there is any. Safe while a\n"
               "server writes.");
  spec.positional("DB",
                  "the SQLite database file, or a postgresql:// URI (all but the attached "
                  "files, the report summaries and integrity_check)")
      .option("digest", "FILE", "a digest signed earlier (investflow digest, serve --digest-dir)")
      .option("public-key", "KEY.pub", "the public key the digest must be signed with")
      .example("investflow verify zone.db")
      .example("investflow verify zone.db --digest zone-digest.json --public-key digest.key.pub");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  if (parsed.has("digest") != parsed.has("public-key")) {
    io.err << "investflow verify: --digest and --public-key go together: a digest is only as good "
              "as the key it is checked with\n";
    return kExitUsage;
  }
  const std::string db = parsed.positional("DB");
  if (!database_exists(db, io)) return kExitFailed;
  std::optional<storage::Digest> digest;
  if (parsed.has("digest")) {
    auto key = storage::read_public_key(parsed.value("public-key"));
    auto read = storage::read_digest_file(parsed.value("digest"));
    if (!key || !read) {
      io.err << "investflow verify: " << (key ? read.error() : key.error()).message << "\n";
      return kExitFailed;
    }
    if (read->public_key != *key) {
      io.err << "investflow verify: " << parsed.value("digest")
             << " was signed with another key (public key "
             << storage::hex_of(read->public_key.data(), read->public_key.size()) << ")\n";
      return kExitFailed;
    }
    if (!storage::digest_signature_valid(*read)) {
      io.err << "investflow verify: " << parsed.value("digest")
             << ": the signature does not match: the digest was altered after signing\n";
      return kExitFailed;
    }
    digest = std::move(*read);
  }
  Progress progress(io, "verifying");
  const std::optional<storage::LogHeads> anchored =
      digest ? std::optional<storage::LogHeads>(digest->heads) : std::nullopt;
  auto report = storage::is_postgres_uri(db)
                    ? storage::verify_pg_database(db, progress.callback(), anchored)
                    : storage::verify_database(db, progress.callback(), anchored);
  progress.finish();
  if (!report) {
    io.err << "investflow: " << storage::redact_uri(db) << ": " << report.error().message << "\n";
    return kExitFailed;
  }
  for (const auto& problem : report->problems) {
    if (!problem.project_id.empty()) {
      io.out << problem.project_id;
      if (problem.seq > 0) io.out << " event " << problem.seq;
      io.out << ": ";
    }
    io.out << storage::verify_problem_name(problem.kind) << ": " << problem.message << "\n";
  }
  io.out << storage::redact_uri(db) << ": " << report->projects << " projects, " << report->events
         << " events";
  if (report->files > 0) io.out << ", " << report->files << " attached files";
  if (report->audit_entries > 0) io.out << ", " << report->audit_entries << " audit entries";
  if (digest) {
    io.out << "; the digest of " << digest->at << " covers " << digest->heads.events.size
           << " events and " << digest->heads.audit.size << " audit entries";
  }
  io.out << ": " << (report->ok() ? "ok" : std::to_string(report->problems.size()) + " problems")
         << "\n";
  return report->ok() ? kExitOk : kExitFailed;
}

int run_backup(std::span<const std::string> args, Io& io) {
  ArgSpec spec("backup",
               "Copy a database with SQLite's online backup API, safe while a server writes.\n"
               "The copy is one consistent snapshot in a standalone file; FILE must not exist.\n"
               "The attached files (DB.files/) are copied to FILE.files/.");
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
  audit_cli(db, "backup", fs::absolute(file).string(), {}, io);
  io.out << "backed up " << db << " to " << file << " (" << fs::file_size(file) / 1024 << " KiB)\n";
  return kExitOk;
}

int run_import(std::span<const std::string> args, Io& io) {
  ArgSpec spec(
      "import",
      "Create projects from a CSV (UTF-8, UTF-8 with BOM, GB18030/GBK) or XLSX file, one per\n"
      "row, in the workflow's initial state; with --key, rows matching a stored project\n"
      "update it instead (through the engine, with history). Headers name fields by id or\n"
      "label (with or without the unit, or a former label); optional columns 项目编号/id and\n"
      "负责人/owner (an existing user); 序号 and columns without a header are left out. If\n"
      "any row is refused nothing is written and every problem is listed (row and column),\n"
      "unless --partial. Messages in Chinese, or English with --lang en.");
  spec.positional("DB", "the SQLite database file, or a postgresql:// URI")
      .positional("FILE", "the CSV or XLSX file (told apart by content)")
      .option("workflow", "ID", "the workflow the projects follow (an id, or a YAML file)")
      .flag("partial", "import the good rows even when some are refused")
      .flag("dry-run", "check every row and print the report; write nothing")
      .option("key", "COLUMN",
              "the column that identifies a project (e.g. 项目编号 or 项目名称): matching rows "
              "update it")
      .option("ignore-columns", "A,B", "leave these columns out (their headers, comma-separated)")
      .option("sheet", "NAME", "XLSX: the sheet to read (default: the first)")
      .option("encoding", "E", "CSV: utf-8 or gb18030 (default: detected)")
      .option("lang", "LANG", "message language: zh-CN or en", "zh-CN")
      .option("actor", "NAME", "who is recorded as creating the projects", "import")
      .option("owner", "NAME", "owner of rows without an owner (a user; default: the actor)")
      .example("investflow import zone.db leads.xlsx --workflow qingyuan-investment --dry-run")
      .example("investflow import zone.db leads.csv --workflow qingyuan-investment --key 项目编号");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string lang = parsed.value("lang");
  if (lang != "zh-CN" && lang != "en") {
    io.err << "investflow: --lang takes zh-CN or en, not '" << lang << "'\n";
    return kExitUsage;
  }
  const bool english = lang == "en";
  if (!parsed.has("workflow")) {
    io.err << "investflow import: --workflow is required\n";
    return kExitUsage;
  }
  const std::string path = parsed.positional("FILE");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  if (!in || !(bytes << in.rdbuf())) {
    io.err << "investflow: " << (english ? "cannot read " : "无法读取文件 ") << path << "\n";
    return kExitFailed;
  }
  auto store = open_store(parsed.positional("DB"), io);
  if (!store) return kExitFailed;
  auto workflow = find_workflow(*store, parsed.value("workflow"), io);
  if (!workflow) return kExitFailed;
  auto auth = storage::AuthStore::open(parsed.positional("DB"));
  if (!auth) {
    io.err << "investflow: " << parsed.positional("DB") << ": " << auth.error().message << "\n";
    return kExitFailed;
  }
  auto users = (*auth)->users();
  if (!users) {
    io.err << "investflow: " << parsed.positional("DB") << ": " << users.error().message << "\n";
    return kExitFailed;
  }

  storage::ImportOptions options;
  options.partial = parsed.flag("partial");
  options.dry_run = parsed.flag("dry-run");
  options.actor = engine::Actor{parsed.value("actor"), workflow->roles};
  options.key = parsed.has("key") ? parsed.value("key") : "";
  const std::string ignore = parsed.value("ignore-columns");
  for (const auto column : engine::split_list(ignore))
    options.ignore_columns.emplace_back(column);
  options.sheet = parsed.has("sheet") ? parsed.value("sheet") : "";
  options.encoding = parsed.has("encoding") ? parsed.value("encoding") : "";
  options.file_name = path;
  options.users = std::move(*users);
  options.owner = parsed.value("actor");
  if (parsed.has("owner")) {
    const std::string owner = parsed.value("owner");
    const auto found = std::find_if(
        options.users->begin(), options.users->end(),
        [&](const storage::User& user) { return user.id == owner || user.display_name == owner; });
    if (found == options.users->end() || found->disabled) {
      io.err << "investflow: --owner " << owner
             << (english ? ": no such user (enabled)" : "：没有这个用户（或已停用）") << "\n";
      return kExitFailed;
    }
    options.owner = found->id;
  }
  Progress progress(io, english ? "importing" : "导入中");
  const storage::ImportReport report =
      storage::import_projects(*store, *workflow, bytes.str(), options, progress.callback());
  progress.finish();
  if (report.file_error) {
    io.err << path << ": " << report.file_error->in(lang) << "\n";
    return kExitFailed;
  }
  for (const auto& row : report.rows) {
    for (const auto& problem : row.problems)
      io.err << path << ": " << storage::import_problem_text(row, problem, lang) << "\n";
  }
  if (!report.ignored_columns.empty()) {
    io.out << (english ? "columns left out: " : "未导入的列：");
    for (std::size_t i = 0; i < report.ignored_columns.size(); ++i)
      io.out << (i ? (english ? ", " : "、") : "") << report.ignored_columns[i];
    io.out << "\n";
  }
  io.out << storage::import_summary_text(report, options.dry_run, options.partial, lang) << "\n";
  return report.ok() ? kExitOk : kExitFailed;
}

std::filesystem::path output_file(const std::string& out, const std::string& default_name) {
  if (out.empty()) return fs::path(default_name);
  std::error_code ignored;
  if (fs::is_directory(out, ignored)) return fs::path(out) / default_name;
  return fs::path(out);
}

engine::Date today() {
  return engine::local_date(storage::SystemClock().now());
}

int run_export(std::span<const std::string> args, Io& io) {
  ArgSpec spec("export",
               "Write the projects of a workflow as CSV or XLSX, with Chinese headers and money\n"
               "in 万元. CSV goes to stdout unless --out is given. XLSX (typed cells, autofilter,\n"
               "frozen header) goes to --out; without --out, or when --out is a directory, the\n"
               "file is named <title>台账-<workflow>-<today>.xlsx (e.g.\n"
               "招商引资项目台账-qingyuan-investment-2026-12-02.xlsx) in the current directory or\n"
               "that directory.");
  spec.positional("DB", "the SQLite database file, or a postgresql:// URI")
      .option("format", "FORMAT", "csv or xlsx", "csv")
      .option("out", "FILE", "the file to write, or a directory for the default name")
      .option("workflow", "ID", "the workflow whose projects to export (required)")
      .example("investflow export zone.db --workflow tech-renovation --format xlsx --out exports/");
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
  const std::string db = parsed.positional("DB");
  if (!database_exists(db, io)) return kExitFailed;
  auto store = open_store(db, io);
  if (!store) return kExitFailed;
  auto workflow = find_workflow(*store, parsed.value("workflow"), io);
  if (!workflow) return kExitFailed;

  const bool to_file = parsed.has("out") || *format == storage::ExportFormat::xlsx;
  const fs::path file =
      output_file(parsed.value("out"), storage::export_file_name(*workflow, today(), *format));
  Progress progress(io, "exporting");
  auto written =
      to_file ? storage::export_projects(*store, *workflow, *format, file, progress.callback())
              : storage::export_projects_csv(*store, *workflow, io.out, progress.callback());
  progress.finish();
  if (!written) {
    io.err << "investflow: " << written.error().message << "\n";
    return kExitFailed;
  }
  audit_cli(db, "export", to_file ? file.string() : std::string("-"),
            {{"workflow", workflow->id}, {"projects", *written}}, io);
  if (to_file) io.out << *written << " projects written to " << file.string() << "\n";
  return kExitOk;
}

int run_seed(std::span<const std::string> args, Io& io) {
  ArgSpec spec("seed",
               "Fill a database with realistic demo projects: Chinese names, industries, sizes,\n"
               "stages spread like a real pipeline, and full histories that take the workflow's\n"
               "real transitions, all through the normal write path.");
  spec.positional("DB", "the SQLite database file (created if missing), or a postgresql:// URI")
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
      .option("problems", "N",
              "also raise N items of the workflows with parent: (service problems), spread\n"
              "over them, each under a random open project of a workflow its parent: names\n"
              "(those in the database, the ones just seeded included)",
              "0")
      .example("investflow seed demo.db --projects 10000 --seed 42")
      .example("investflow seed demo.db --projects 0 --problems 100000");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const auto count = parse_integer_option(parsed, "projects", 0, 100'000'000, io);
  const auto seed = parse_integer_option(parsed, "seed", 0, INT64_MAX, io);
  const auto synchronous = parse_synchronous(parsed.value("synchronous"), io);
  const auto problems = parse_integer_option(parsed, "problems", 0, 100'000'000, io);
  if (!count || !seed || !synchronous || !problems) return kExitUsage;
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
  // The workflows to seed, each with its id prefix and its share of the projects; the
  // workflows with parent: (service problems) get the --problems items.
  struct Target {
    std::shared_ptr<const engine::Workflow> workflow;
    std::string prefix;
    int count = 0;
  };
  auto stored = store->stored_workflows();
  if (!stored) {
    io.err << "investflow: " << stored.error().message << "\n";
    return kExitFailed;
  }
  std::vector<std::shared_ptr<const engine::Workflow>> latest;
  for (const auto& each : *stored) {
    auto workflow = store->workflow(each.id);
    if (workflow && workflow->version == each.version) latest.push_back(workflow);
  }
  std::set<std::string> prefixes;
  const auto prefix_of = [&](const std::string& id) {
    std::string initials;
    for (std::size_t i = 0; i < id.size(); ++i) {
      if (i == 0 || id[i - 1] == '-') {
        initials += static_cast<char>(std::toupper(static_cast<unsigned char>(id[i])));
      }
    }
    std::string prefix = initials;
    for (int n = 2; !prefixes.insert(prefix).second; ++n)
      prefix = initials + std::to_string(n);
    return parsed.has("prefix") ? parsed.value("prefix") + "-" + prefix : prefix;
  };
  const auto spread = [](std::vector<Target>& targets, long long total) {
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const auto share = static_cast<std::size_t>(total) / targets.size();
      targets[i].count =
          static_cast<int>(share + (i < static_cast<std::size_t>(total) % targets.size() ? 1 : 0));
    }
  };
  std::vector<Target> targets;
  if (parsed.has("workflow")) {
    auto workflow = find_workflow(*store, parsed.value("workflow"), io);
    if (!workflow) return kExitFailed;
    targets.push_back({workflow, parsed.has("prefix") ? parsed.value("prefix") : "QY"});
  } else {
    // Items of a workflow with parent: belong to a project; they are seeded by --problems.
    for (const auto& workflow : latest) {
      if (!workflow->parent) targets.push_back({workflow, prefix_of(workflow->id)});
    }
  }
  if (!targets.empty()) spread(targets, *count);
  std::vector<Target> items;
  if (*problems > 0) {
    for (const auto& workflow : latest) {
      if (workflow->parent) items.push_back({workflow, prefix_of(workflow->id)});
    }
    if (items.empty()) {
      io.err << "investflow seed: --problems needs a workflow with parent: in the database\n";
      return kExitFailed;
    }
    spread(items, *problems);
  }
  const auto start = std::chrono::steady_clock::now();
  storage::SeedReport total;
  std::vector<std::pair<const engine::Workflow*, storage::SeedReport>> reports;
  const auto seed_one = [&](const Target& target, storage::SeedOptions each) {
    each.id_prefix = target.prefix;
    each.projects = target.count;
    Progress progress(io, "seeding " + target.workflow->id);
    auto report = storage::seed_projects(*store, *target.workflow, each, progress.callback());
    progress.finish();
    if (!report) {
      io.err << "investflow: " << report.error().message << "\n";
      return false;
    }
    total.projects += report->projects;
    total.commands += report->commands;
    total.failed += report->failed;
    if (total.first_failure.empty()) total.first_failure = report->first_failure;
    reports.emplace_back(target.workflow.get(), std::move(*report));
    return true;
  };
  for (const Target& target : targets) {
    if (!seed_one(target, options)) return kExitFailed;
  }
  for (const Target& target : items) {
    // The open projects of the workflows its parent: names, as many as items to raise.
    storage::SeedOptions each = options;
    each.history_days = 365;  // problems raised within the last year
    const auto& parents = target.workflow->parent->workflows;
    for (const std::string& parent : parents) {
      const auto parent_workflow = store->workflow(parent);
      if (!parent_workflow) continue;
      const auto wanted =
          each.parents.size() + static_cast<std::size_t>(target.count) / parents.size() + 1;
      storage::ProjectQuery query;
      query.workflow = parent;
      query.sort = storage::SortKey::created;
      query.descending = false;
      query.limit = 500;
      while (each.parents.size() < wanted) {
        auto page = store->list_projects(query);
        if (!page) {
          io.err << "investflow: " << page.error().message << "\n";
          return kExitFailed;
        }
        for (const auto& project : page->projects) {
          const engine::StateDef* state = parent_workflow->find_state(project.state);
          if (state != nullptr && !state->terminal && each.parents.size() < wanted) {
            each.parents.push_back(
                engine::ParentView{project.id, parent, project.state, false, {}});
          }
        }
        if (page->next_cursor.empty()) break;
        query.cursor = page->next_cursor;
      }
    }
    if (each.parents.empty()) {
      io.err << "investflow seed: no open project to raise " << target.workflow->id
             << " items under\n";
      return kExitFailed;
    }
    if (!seed_one(target, std::move(each))) return kExitFailed;
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
  // A PostgreSQL database is found (or not) when it is connected to.
  if (storage::is_postgres_uri(db) || fs::exists(db)) return true;
  io.err << "investflow: no database at " << db << " (create one with 'investflow init " << db
         << "')\n";
  return false;
}

std::unique_ptr<storage::Store> open_command_store(const std::string& db, Io& io) {
  return open_store(db, io);
}

}  // namespace investflow::app
