#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <map>
#include <optional>
#include <set>
#include <utility>

#include "engine/decide.hpp"
#include "engine/names.hpp"
#include "engine/visibility.hpp"
#include "storage/anchor.hpp"
#include "storage/attachment_files.hpp"
#include "storage/audit.hpp"
#include "storage/codec.hpp"
#include "storage/hash_chain.hpp"
#include "storage/operations.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_store.hpp"
#include "storage/projection_columns.hpp"
#include "storage/reports_ledger.hpp"
#include "workflows/loader.hpp"

namespace investflow::storage {
namespace {

using Kind = VerifyProblem::Kind;

// One stored event row as verify reads it.
struct EventRow {
  std::string project_id;
  std::int64_t seq = 0;
  std::string type;
  std::string actor;
  std::int64_t at = 0;
  std::string payload;
  std::optional<Hash> previous_hash;
  std::optional<Hash> hash;
};

std::optional<Hash> blob_hash(const SQLite::Column& column) {
  return hash_from_bytes(column.getBlob(), static_cast<std::size_t>(column.getBytes()));
}

// Reads events in (project, seq) order, one project at a time.
class EventCursor {
 public:
  explicit EventCursor(SQLite::Database& db)
      : select_(db,
                "SELECT project_id, seq, type, actor, at, payload, prev_hash, hash FROM events "
                "ORDER BY project_id, seq") {
    advance();
  }
  bool done() const { return !current_; }
  const std::string& project_id() const { return current_->project_id; }
  EventRow take() {
    EventRow row = std::move(*current_);
    advance();
    return row;
  }

 private:
  void advance() {
    if (!select_.executeStep()) {
      current_.reset();
      return;
    }
    current_ = EventRow{select_.getColumn(0).getString(), select_.getColumn(1).getInt64(),
                        select_.getColumn(2).getString(), select_.getColumn(3).getString(),
                        select_.getColumn(4).getInt64(),  select_.getColumn(5).getString(),
                        blob_hash(select_.getColumn(6)),  blob_hash(select_.getColumn(7))};
  }
  SQLite::Statement select_;
  std::optional<EventRow> current_;
};

struct ProjectRow {
  std::string id;
  std::string body;
  std::optional<Hash> head_hash;
  ProjectionRow columns;                      // the indexed columns as stored
  std::vector<std::string> access_keys = {};  // project_access, sorted
};

// What differs between the stored projection and the replayed one, for the report.
std::string describe_difference(const engine::Project& stored, const engine::Project& replayed) {
  std::vector<std::string> parts;
  auto compare = [&parts](const char* name, const auto& a, const auto& b) {
    if (!(a == b)) parts.emplace_back(name);
  };
  compare("state", stored.state, replayed.state);
  compare("version", stored.version, replayed.version);
  compare("owner", stored.owner, replayed.owner);
  compare("workflow", stored.workflow, replayed.workflow);
  compare("workflow_version", stored.workflow_version, replayed.workflow_version);
  compare("timestamps", std::tie(stored.created_at, stored.updated_at, stored.state_entered_at),
          std::tie(replayed.created_at, replayed.updated_at, replayed.state_entered_at));
  compare("votes", stored.votes, replayed.votes);
  compare("milestones", stored.milestones, replayed.milestones);
  compare("visits", stored.visits, replayed.visits);
  compare("deadlines", std::tie(stored.sla_due_on, stored.followup_due_on),
          std::tie(replayed.sla_due_on, replayed.followup_due_on));
  for (const auto& [name, value] : stored.fields) {
    if (replayed.field(name) != value) parts.push_back("field " + name);
  }
  for (const auto& [name, value] : replayed.fields) {
    if (!stored.fields.contains(name)) parts.push_back("field " + name);
  }
  std::string text;
  for (const auto& part : parts)
    text += (text.empty() ? "" : ", ") + part;
  return text.empty() ? "encoding differs" : text;
}

// The workflow versions stored in the database: what each part of a history was decided
// under (its creation's version, then each migration's target) must be one of them. Each
// one that loads, for the projection columns its tags give (null: it does not load).
using StoredVersions =
    std::map<std::pair<std::string, std::int64_t>, std::shared_ptr<const engine::Workflow>>;

class Verifier {
 public:
  // `files`: where attached files are (empty: the store keeps none, so none is checked).
  // `access`: whether the store keeps lookup keys (project_access) to compare.
  Verifier(VerifyReport& report, StoredVersions versions, std::filesystem::path files,
           bool access = true)
      : report_(report),
        versions_(std::move(versions)),
        files_(std::move(files)),
        access_(access) {}

  // Checks one project's chain and replay. `project` is null when only events exist.
  void check(const std::string& id, const ProjectRow* project, std::vector<EventRow> events) {
    if (project == nullptr) {
      problem(Kind::missing_projection, id, 0,
              std::to_string(events.size()) + " events but no project row");
    } else if (events.empty()) {
      problem(Kind::missing_events, id, 0, "a project row without any event");
    }
    engine::Project replayed;
    Hash previous = kGenesisHash;
    bool replayable = true;
    std::int64_t expected_seq = 1;
    for (const EventRow& row : events) {
      ++report_.events;
      if (row.seq != expected_seq) {
        problem(Kind::missing_event, id, expected_seq,
                "event " + std::to_string(expected_seq) + " is missing (next stored is " +
                    std::to_string(row.seq) + ")");
        replayable = false;
      }
      expected_seq = row.seq + 1;
      if (!row.previous_hash || *row.previous_hash != previous) {
        problem(Kind::broken_chain, id, row.seq,
                "previous hash does not match the hash of the event before it");
      }
      const Hash computed = chain_hash(row.previous_hash.value_or(previous), row.payload);
      if (!row.hash || *row.hash != computed) {
        problem(Kind::bad_hash, id, row.seq, "hash does not match the event's content");
      }
      previous = row.hash.value_or(computed);

      auto event = decode_event(row.payload);
      if (!event) {
        problem(Kind::unreadable_event, id, row.seq, event.error().to_string());
        replayable = false;
        continue;
      }
      if (event->project_id != id || event->version != row.seq ||
          engine::event_type(*event) != row.type || event->actor != row.actor ||
          event->at != row.at) {
        problem(Kind::unreadable_event, id, row.seq, "columns disagree with the payload");
      }
      if (const auto* attached = std::get_if<engine::FileAttached>(&event->body);
          attached != nullptr && !files_.empty()) {
        check_file(id, row.seq, *attached);
      }
      if (replayable) check_version(id, row.seq, *event, replayed);
      if (replayable && event->version == replayed.version + 1) {
        replayed = engine::apply(std::move(replayed), *event);
      } else {
        replayable = false;
      }
    }
    if (project == nullptr || events.empty()) return;
    compare_projection(*project, replayed, replayable, previous);
  }

 private:
  void compare_projection(const ProjectRow& project, const engine::Project& replayed,
                          bool replayable, const Hash& last_hash) {
    if (!project.head_hash || *project.head_hash != last_hash) {
      problem(Kind::projection_differs, project.id, 0,
              "the projection's head hash is not the hash of the last event");
    }
    auto stored = decode_project(project.body);
    if (!stored) {
      problem(Kind::projection_differs, project.id, 0,
              "stored projection unreadable: " + stored.error().to_string());
      return;
    }
    if (replayable && *stored != replayed) {
      problem(Kind::projection_differs, project.id, 0,
              "replaying the events gives another projection (" +
                  describe_difference(*stored, replayed) + ")");
    }
    const auto workflow = versions_.find({replayed.workflow, replayed.workflow_version});
    if (!replayable || workflow == versions_.end() || !workflow->second) return;
    if (access_ && project.access_keys != engine::lookup_keys(*workflow->second, replayed)) {
      problem(Kind::access_differs, project.id, 0,
              "the lookup keys stored for the project (data scope, holders) are not those its "
              "workflow version gives");
    }
    if (const unsigned changed =
            changed_columns(project.columns, projection_row(*workflow->second, replayed))) {
      std::string names;
      for (std::size_t i = 0; i < std::size(kProjectionRowColumns); ++i) {
        if ((changed & (1U << i)) == 0) continue;
        names += names.empty() ? "" : ", ";
        names += kProjectionRowColumns[i];
      }
      problem(Kind::columns_differ, project.id, 0,
              "the projects row's columns disagree with the projection (" + names + ")");
    }
  }

  // Each part of the history is decided under one version: the one the project was
  // created on, then each migration's target, which must follow from where it was.
  void check_version(const std::string& id, std::int64_t seq, const engine::Event& event,
                     const engine::Project& before) {
    const auto stored = [&](const std::string& workflow, std::int64_t version) {
      if (versions_.contains({workflow, version})) return;
      problem(Kind::unknown_version, id, seq,
              "decided under workflow " + workflow + " version " + std::to_string(version) +
                  ", which the database does not hold");
    };
    if (const auto* created = std::get_if<engine::ProjectCreated>(&event.body)) {
      stored(created->workflow, created->workflow_version);
    } else if (const auto* migrated = std::get_if<engine::WorkflowMigrated>(&event.body)) {
      if (migrated->workflow != before.workflow ||
          migrated->from_version != before.workflow_version ||
          migrated->from_state != before.state) {
        problem(Kind::unknown_version, id, seq,
                "a migration from " + migrated->workflow + " version " +
                    std::to_string(migrated->from_version) + " (" + migrated->from_state +
                    "), but the project was on " + before.workflow + " version " +
                    std::to_string(before.workflow_version) + " (" + before.state + ")");
      }
      stored(migrated->workflow, migrated->to_version);
    }
  }

  // Each stored file is read once, however many projects hold it.
  void check_file(const std::string& id, std::int64_t seq, const engine::FileAttached& attached) {
    auto [known, fresh] = files_checked_.try_emplace(attached.attachment_id, FileCheck::ok);
    if (fresh) {
      ++report_.files;
      known->second = engine::is_attachment_id(attached.attachment_id)
                          ? check_stored_file(files_, attached.attachment_id, attached.size)
                          : FileCheck::missing;
    }
    if (known->second == FileCheck::missing) {
      problem(Kind::missing_file, id, seq,
              "the attached file " + attached.attachment_id + " (" + attached.filename +
                  ") is missing from " + files_.string());
    } else if (known->second == FileCheck::altered) {
      problem(Kind::altered_file, id, seq,
              "the attached file " + attached.attachment_id + " (" + attached.filename +
                  ") no longer has the recorded SHA-256 and size");
    }
  }

  void problem(Kind kind, const std::string& id, std::int64_t seq, std::string message) {
    report_.problems.push_back(VerifyProblem{kind, id, seq, std::move(message)});
  }

  VerifyReport& report_;
  StoredVersions versions_;
  std::filesystem::path files_;
  bool access_;
  std::map<std::string, FileCheck, std::less<>> files_checked_;
};

// Merge join of projects and events on the project id, both in id order (byte order):
// each project checked with its events. `next_project` gives the next projects row or
// nothing; `events` has done(), project_id() and take().
template <typename NextProject, typename Events>
void check_projects(Verifier& verifier, VerifyReport& report, NextProject next_project,
                    Events& events, std::int64_t total, const ProgressFn& progress) {
  std::optional<ProjectRow> project = next_project();
  while (project || !events.done()) {
    std::string id = project && (events.done() || project->id <= events.project_id())
                         ? project->id
                         : events.project_id();
    std::vector<EventRow> rows;
    while (!events.done() && events.project_id() == id)
      rows.push_back(events.take());
    const bool has_project = project && project->id == id;
    verifier.check(id, has_project ? &*project : nullptr, std::move(rows));
    if (has_project) {
      ++report.projects;
      project = next_project();
      if (progress && (report.projects % 1000 == 0 || report.projects == total)) {
        progress(report.projects, total);
      }
    }
  }
}

}  // namespace

std::string_view verify_problem_name(VerifyProblem::Kind kind) {
  static constexpr engine::EnumName<Kind> kNames[] = {
      {Kind::unreadable_event, "unreadable_event"},
      {Kind::broken_chain, "broken_chain"},
      {Kind::bad_hash, "bad_hash"},
      {Kind::missing_event, "missing_event"},
      {Kind::projection_differs, "projection_differs"},
      {Kind::missing_projection, "missing_projection"},
      {Kind::missing_events, "missing_events"},
      {Kind::unknown_version, "unknown_version"},
      {Kind::missing_file, "missing_file"},
      {Kind::altered_file, "altered_file"},
      {Kind::broken_log, "broken_log"},
      {Kind::broken_audit, "broken_audit"},
      {Kind::digest_mismatch, "digest_mismatch"},
      {Kind::columns_differ, "columns_differ"},
      {Kind::report_differs, "report_differs"},
      {Kind::damaged_file, "damaged_file"},
      {Kind::access_differs, "access_differs"},
  };
  static_assert(engine::in_order(kNames));
  return engine::name_in(kNames, kind);
}

namespace {

void add_problem(VerifyReport& report, Kind kind, std::string message, std::string project_id = {},
                 std::int64_t seq = 0) {
  report.problems.push_back(VerifyProblem{kind, std::move(project_id), seq, std::move(message)});
}

// Where a recomputed chain stands against a digest's head after `size` links.
void check_anchor(VerifyReport& report, const char* what, const ChainHead& anchored,
                  std::int64_t links, const Hash& head_at_size) {
  if (links < anchored.size) {
    add_problem(report, Kind::digest_mismatch,
                std::string("the digest covers ") + std::to_string(anchored.size) + " " + what +
                    "; the database holds only " + std::to_string(links) + " (some were removed)");
  } else if (head_at_size != anchored.head) {
    add_problem(report, Kind::digest_mismatch,
                std::string("the ") + what + " the digest covers (the first " +
                    std::to_string(anchored.size) +
                    ") were changed, removed or reordered since it was signed");
  }
}

// The log chain over every event in id (commit) order: each stored link checked against
// the one before it, and the whole chain recomputed from the events' hashes for a digest.
class LogChainCheck {
 public:
  LogChainCheck(VerifyReport& report, const std::optional<LogHeads>& anchored)
      : report_(report), anchored_(anchored) {}
  void add(std::int64_t id, std::string_view project_id, std::int64_t seq, const Hash& hash,
           const std::optional<Hash>& stored) {
    recomputed_ = log_link(recomputed_, hash);
    if ((!stored || *stored != log_link(stored_before_, hash)) && reported_++ < 20) {
      add_problem(report_, Kind::broken_log,
                  "event id " + std::to_string(id) +
                      ": its link in the log chain is not the hash of the link before it and "
                      "the event",
                  std::string(project_id), seq);
    }
    stored_before_ = stored.value_or(kGenesisHash);
    if (++links_ == (anchored_ ? anchored_->events.size : -1)) at_size_ = recomputed_;
  }
  void finish() {
    if (anchored_) check_anchor(report_, "events", anchored_->events, links_, at_size_);
  }

 private:
  VerifyReport& report_;
  const std::optional<LogHeads>& anchored_;
  Hash recomputed_ = kGenesisHash;
  Hash stored_before_ = kGenesisHash;
  Hash at_size_ = kGenesisHash;
  std::int64_t links_ = 0;
  int reported_ = 0;
};

void check_log_chain(SQLite::Database& db, VerifyReport& report,
                     const std::optional<LogHeads>& anchored) {
  SQLite::Statement events(db,
                           "SELECT id, project_id, seq, hash, log_hash FROM events ORDER BY id");
  LogChainCheck chain(report, anchored);
  while (events.executeStep()) {
    chain.add(events.getColumn(0).getInt64(), events.getColumn(1).getString(),
              events.getColumn(2).getInt64(), blob_hash(events.getColumn(3)).value_or(kGenesisHash),
              blob_hash(events.getColumn(4)));
  }
  chain.finish();
}

// The audit log's chain: each entry's hash over its content and the entry before it,
// and the chain recomputed from the entries for a digest.
class AuditChainCheck {
 public:
  AuditChainCheck(VerifyReport& report, const std::optional<LogHeads>& anchored)
      : report_(report), anchored_(anchored) {}
  void add(const AuditEntry& entry, const std::optional<Hash>& stored_previous,
           const std::optional<Hash>& stored) {
    const std::string canonical = audit_canonical(entry);
    recomputed_ = chain_hash(recomputed_, canonical);
    if ((!stored_previous || *stored_previous != previous_ || !stored ||
         *stored != chain_hash(previous_, canonical)) &&
        reported_++ < 20) {
      add_problem(report_, Kind::broken_audit,
                  "audit entry " + std::to_string(entry.id) +
                      " does not follow from the entry before it (changed, removed or "
                      "reordered)");
    }
    previous_ = stored.value_or(kGenesisHash);
    ++report_.audit_entries;
    if (++links_ == (anchored_ ? anchored_->audit.size : -1)) at_size_ = recomputed_;
  }
  void finish() {
    if (anchored_) check_anchor(report_, "audit entries", anchored_->audit, links_, at_size_);
  }

 private:
  VerifyReport& report_;
  const std::optional<LogHeads>& anchored_;
  Hash previous_ = kGenesisHash;
  Hash recomputed_ = kGenesisHash;
  Hash at_size_ = kGenesisHash;
  std::int64_t links_ = 0;
  int reported_ = 0;
};

void check_audit_chain(SQLite::Database& db, VerifyReport& report,
                       const std::optional<LogHeads>& anchored) {
  SQLite::Statement entries(
      db, "SELECT " + std::string(kAuditColumns) + ", prev_hash, hash FROM audit_log ORDER BY id");
  AuditChainCheck chain(report, anchored);
  while (entries.executeStep()) {
    chain.add(read_audit_entry(entries), blob_hash(entries.getColumn(8)),
              blob_hash(entries.getColumn(9)));
  }
  chain.finish();
}

void check_integrity(SQLite::Database& db, VerifyReport& report) {
  SQLite::Statement check(db, "PRAGMA integrity_check(20)");
  while (check.executeStep()) {
    const std::string line = check.getColumn(0).getString();
    if (line != "ok") add_problem(report, Kind::damaged_file, line);
  }
}

}  // namespace

Outcome<VerifyReport> verify_database(const std::filesystem::path& path, const ProgressFn& progress,
                                      const std::optional<LogHeads>& anchored) {
  if (!std::filesystem::exists(path)) {
    return engine::fail(Error{Error::Kind::invalid_request, "no database at " + path.string()});
  }
  try {
    SQLite::Database db(path, SQLite::OPEN_READONLY, 10000);
    db.exec("BEGIN");  // one snapshot for the whole walk, whatever a server writes meanwhile
    VerifyReport report;
    const std::int64_t total = db.execAndGet("SELECT count(*) FROM projects").getInt64();

    SQLite::Statement projects(db, "SELECT id, body, head_hash, " + projection_row_select() +
                                       " FROM projects ORDER BY id");
    SQLite::Statement access(db,
                             "SELECT key FROM project_access WHERE project_id = ? ORDER BY key");
    auto next_project = [&projects, &access]() -> std::optional<ProjectRow> {
      if (!projects.executeStep()) return std::nullopt;
      ProjectRow project{projects.getColumn(0).getString(), projects.getColumn(1).getString(),
                         blob_hash(projects.getColumn(2)), read_projection_row(projects, 3)};
      access.bind(1, project.id);
      while (access.executeStep())
        project.access_keys.push_back(access.getColumn(0).getString());
      access.reset();
      return project;
    };
    StoredVersions versions;
    const auto calendars = workflows::CalendarRegistry::with_stand_ins();
    SQLite::Statement stored(db, "SELECT id, version, source FROM workflows");
    while (stored.executeStep()) {
      auto load = workflows::load_workflow_text(stored.getColumn(2).getString(), "stored workflow",
                                                calendars);
      versions.emplace(std::pair{stored.getColumn(0).getString(), stored.getColumn(1).getInt64()},
                       std::move(load.workflow));
    }
    EventCursor events(db);
    Verifier verifier(report, std::move(versions), files_dir_of(path));

    check_projects(verifier, report, next_project, events, total, progress);
    check_log_chain(db, report, anchored);
    check_audit_chain(db, report, anchored);
    for (const std::string& table : ReportLedger::differences_from_log(db)) {
      add_problem(report, Kind::report_differs,
                  "the report summary " + table + " differs from what the events give");
    }
    check_integrity(db, report);
    db.exec("COMMIT");
    return report;
  } catch (const std::exception& error) {
    return engine::fail(Error{Error::Kind::storage, error.what()});
  }
}

// --- the PostgreSQL store (pg_store.hpp) ---

namespace {

std::optional<Hash> pg_hash(const PgResult& rows, int row, int column) {
  const std::string bytes = rows.bytes(row, column);
  return hash_from_bytes(bytes.data(), bytes.size());
}

// EventCursor's interface over the PostgreSQL log.
class PgEventCursor {
 public:
  explicit PgEventCursor(PgConnection& connection)
      : rows_(connection, "verify_events",
              "SELECT project_id, seq, type, actor, at, payload, prev_hash, hash FROM events "
              "ORDER BY project_id, seq") {}
  bool done() const { return rows_.done(); }
  std::string project_id() const { return std::string(rows_.rows().text(rows_.row(), 0)); }
  EventRow take() {
    const PgResult& r = rows_.rows();
    const int i = rows_.row();
    EventRow row{std::string(r.text(i, 0)), r.number(i, 1),  std::string(r.text(i, 2)),
                 std::string(r.text(i, 3)), r.number(i, 4),  std::string(r.text(i, 5)),
                 pg_hash(r, i, 6),          pg_hash(r, i, 7)};
    rows_.next();
    return row;
  }

 private:
  PgRows rows_;
};

}  // namespace

Outcome<VerifyReport> verify_pg_database(const std::string& uri, const ProgressFn& progress,
                                         const std::optional<LogHeads>& anchored) {
  try {
    PgConnection connection(uri);
    // One snapshot for the whole walk, whatever servers write meanwhile. Not READ ONLY: the
    // summaries are rebuilt into TEMP tables to be compared (nothing stored is written).
    connection.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
    VerifyReport report;
    const std::int64_t total = connection.exec("SELECT count(*) FROM projects").number(0, 0);
    StoredVersions versions;
    const auto calendars = workflows::CalendarRegistry::with_stand_ins();
    PgResult stored = connection.exec("SELECT id, version, source FROM workflows");
    for (int i = 0; i < stored.rows(); ++i) {
      auto load = workflows::load_workflow_text(std::string(stored.text(i, 2)), "stored workflow",
                                                calendars);
      versions.emplace(std::pair{std::string(stored.text(i, 0)), stored.number(i, 1)},
                       std::move(load.workflow));
    }
    // The changeable columns in kProjectionRowColumns' order, NULL read as "".
    std::string columns;
    for (const std::string_view column : kProjectionRowColumns) {
      columns += ", coalesce(" + std::string(column) + "::text, '')";
    }
    // Its project_access keys in byte order, joined by U+001F (no key holds one).
    PgRows projects(connection, "verify_projects",
                    "SELECT id, body, head_hash" + columns +
                        ", coalesce((SELECT string_agg(key, chr(31) ORDER BY key) FROM "
                        "project_access a WHERE a.project_id = projects.id), '') FROM projects "
                        "ORDER BY id");
    auto next_project = [&projects]() -> std::optional<ProjectRow> {
      if (projects.done()) return std::nullopt;
      const PgResult& r = projects.rows();
      const int i = projects.row();
      ProjectRow project{
          std::string(r.text(i, 0)), std::string(r.text(i, 1)), pg_hash(r, i, 2), {}};
      ProjectionRow& row = project.columns;
      row.state = r.text(i, 3);
      row.owner = r.text(i, 4);
      row.columns.name = r.text(i, 5);
      row.columns.investor = r.text(i, 6);
      row.columns.industry = r.text(i, 7);
      row.columns.total_investment = r.real(i, 8);
      row.updated_at = r.number(i, 9);
      row.state_entered_at = r.number(i, 10);
      row.columns.next_due_on = r.text(i, 11);
      row.workflow_version = r.number(i, 12);
      row.columns.responsible_unit = r.text(i, 13);
      row.columns.problem_category = r.text(i, 14);
      row.columns.promoting_unit = r.text(i, 15);
      row.columns.next_alert_on = r.text(i, 16);
      for (std::string_view keys = r.text(i, 17); !keys.empty();) {
        const auto end = keys.find('\x1f');
        project.access_keys.emplace_back(keys.substr(0, end));
        keys = end == std::string_view::npos ? std::string_view() : keys.substr(end + 1);
      }
      projects.next();
      return project;
    };
    static_assert(std::size(kProjectionRowColumns) == 14);
    PgEventCursor events(connection);
    Verifier verifier(report, std::move(versions), {});
    check_projects(verifier, report, next_project, events, total, progress);

    PgRows log(connection, "verify_log",
               "SELECT id, project_id, seq, hash, log_hash FROM events ORDER BY id");
    LogChainCheck chain(report, anchored);
    for (; !log.done(); log.next()) {
      const PgResult& r = log.rows();
      const int i = log.row();
      chain.add(r.number(i, 0), r.text(i, 1), r.number(i, 2),
                pg_hash(r, i, 3).value_or(kGenesisHash), pg_hash(r, i, 4));
    }
    chain.finish();

    PgRows audit(
        connection, "verify_audit",
        "SELECT " + std::string(kAuditColumns) + ", prev_hash, hash FROM audit_log ORDER BY id");
    AuditChainCheck audit_chain(report, anchored);
    for (; !audit.done(); audit.next()) {
      const PgResult& r = audit.rows();
      const int i = audit.row();
      audit_chain.add(read_audit_entry(r, i), pg_hash(r, i, 8), pg_hash(r, i, 9));
    }
    audit_chain.finish();
    for (const std::string& table : ReportLedger::differences_from_log(connection)) {
      add_problem(report, Kind::report_differs,
                  "the report summary " + table + " differs from what the events give");
    }
    connection.exec("COMMIT");
    return report;
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

}  // namespace investflow::storage
