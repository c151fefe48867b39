#pragma once
// The storage interface the rest of investflow sees. Writes are commands: the store decides
// each one with engine::decide against the project as stored, and appends the resulting
// events, the updated projection and the outbox rows in one transaction. Reads return
// projections and histories. Nothing here names a database: sqlite_store.hpp opens the
// SQLite implementation, pg_store.hpp the PostgreSQL one (open_store.hpp: either, by the
// database argument).
//
// Thread safety: every member function may be called from any thread. Write callbacks run
// on the store's writer thread; keep them short (hand work off, or fulfil a promise).

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command.hpp"
#include "engine/decide.hpp"
#include "engine/event.hpp"
#include "engine/project.hpp"
#include "engine/result.hpp"
#include "engine/visibility.hpp"
#include "engine/workflow.hpp"
#include "storage/hash_chain.hpp"
#include "storage/storage_fault.hpp"

namespace investflow::storage {

struct Error {
  enum class Kind {
    storage,          // I/O error, corrupt row, disk full: not the caller's mistake
    invalid_request,  // a bad query (limit out of range, a cursor from another sort)
  };
  Kind kind = Kind::storage;
  std::string message;
  Fault fault = Fault::other;  // Kind::storage: what kind of failure (storage_fault.hpp)
};
// Kind::storage, its fault and message (describe_failure) from an exception.
Error storage_error(const std::exception& error, std::string_view context = "");
struct Ok {};
template <typename T>
using Outcome = engine::Result<T, Error>;

// Rejection reason codes the store adds to the engine's (engine::reason).
namespace reason {
inline constexpr std::string_view kNoSuchWorkflow = "no_such_workflow";
inline constexpr std::string_view kIdempotencyKeyReused = "idempotency_key_reused";
// An atomic batch was rolled back because another of its commands was rejected.
inline constexpr std::string_view kBatchAborted = "batch_aborted";
}  // namespace reason

struct WriteRequest {
  engine::Command command;
  engine::Actor actor;
  // The workflow a CreateProject starts on (its latest registered version). Other commands
  // use the project's own workflow and version, and ignore this.
  std::string workflow;
  // Per actor: a repeat of (actor, key) returns the first result and changes nothing.
  std::string idempotency_key;
  // Decide as of this instant instead of the store's clock: for seeding demo histories and
  // importing records. The web layer never sets it.
  std::optional<engine::Timestamp> at;
  // A bulk operation (an import, a bulk reassign) gives every write it makes one batch id,
  // unique to that run (e.g. "import:<file>:<start time>"). Each event the write appends is
  // recorded with it (table event_batches, schema migration 9), and chat robots (WeCom,
  // DingTalk) then get one digest message for the whole batch instead of a post per event
  // (notify/dispatcher.hpp). Empty: not part of a bulk operation.
  std::string batch;
};

struct WriteResult {
  enum class Status { accepted, rejected, failed };
  Status status = Status::failed;
  // accepted: the project's new version; rejected: its current version (0: no project).
  std::int64_t version = 0;
  std::vector<engine::Event> events;  // accepted: what was appended
  engine::Rejection rejection;        // rejected: every reason
  std::string error;                  // failed: what went wrong in storage
  Fault fault = Fault::other;         // failed: what kind of failure (storage_fault.hpp)
  bool replayed = false;              // a repeated idempotency key: the first result again

  bool accepted() const { return status == Status::accepted; }
  bool rejected() const { return status == Status::rejected; }
};

struct StoredEvent {
  std::int64_t id = 0;  // position in the whole log
  engine::Event event;
  Hash previous_hash{};
  Hash hash{};
};

struct StoredWorkflow {
  std::string id;
  std::int64_t version = 0;
  std::string source;       // the YAML text
  std::string source_hash;  // hex SHA-256 of source
  engine::Timestamp loaded_at = 0;
};

// A workflow version to deploy (Store::deploy_workflows), and what became of it.
struct WorkflowDeployment {
  std::shared_ptr<const engine::Workflow> workflow;
  std::string source;  // the YAML text
};
struct DeployResult {
  bool stored = false;                // false: stored already with this text (unchanged)
  engine::Timestamp deployed_at = 0;  // when stored (now, or the first time)
};

// How many projects are on one workflow version in one state.
struct VersionStateCount {
  std::string workflow;
  std::int64_t version = 0;
  std::string state;
  std::int64_t count = 0;
};

// A calendar deployed into the database (`investflow calendar deploy`).
struct StoredCalendar {
  std::string name;
  std::string source;       // the YAML text
  std::string source_hash;  // hex SHA-256 of source
  int first_year = 0;       // the years of official data
  int last_year = 0;
  engine::Timestamp deployed_at = 0;
};

// `alert` (the day the scheduler looks at a project: next_alert_on) is not offered to
// clients: parse_sort_key does not know it.
enum class SortKey { updated, created, name, investment, due, alert };
std::string_view sort_key_name(SortKey key);  // updated, created, name, investment, due
std::optional<SortKey> parse_sort_key(std::string_view name);

struct ProjectQuery {
  // Filters; an empty string matches everything.
  std::string workflow;
  std::string state;
  std::string industry;
  std::string owner;
  std::string parent;  // only this project's children
  // problems (issue 17): the service desk's ledger. Values of the fields tagged
  // responsible_unit and problem_category, and the parent's field tagged promoting_unit.
  std::string responsible_unit;
  std::string problem_category;
  std::string parent_promoting_unit;
  // The board (issue 22): the value of the field tagged promoting_unit (not with `figure`,
  // which has figure_promoting_unit).
  std::string promoting_unit;
  // Only projects that have a parent: set when `workflow` is a workflow with `parent:`,
  // so that its list reads the items' own indexes.
  bool items = false;
  // Only projects whose user field `holder_field` holds the login `holder` (bulk reassign,
  // storage/reassign.hpp, 我的待办); both or neither. Through the holder keys the writer
  // keeps in project_access (engine::holder_key).
  std::string holder_field;
  std::string holder;
  std::optional<engine::Date> overdue_on;  // some open deadline falls before this day
  // some open deadline whose last alert has not fired falls before this day (the scheduler)
  std::optional<engine::Date> alert_before;
  std::string text;  // the project id (as typed or in capitals), or a part of the name or investor
  // kpis (issue 16): only the projects a report figure counts (storage/figures.hpp): its
  // id, its period (inclusive; the defaults cover all time), the promoting unit (the field
  // tagged promoting_unit; empty: any) and the day "so far" figures are counted to.
  std::string figure;
  engine::Date figure_from = engine::Date(0);
  engine::Date figure_to = engine::Date(2932896);
  std::string figure_promoting_unit;
  engine::Date figure_today = engine::Date(0);
  // Data scope (issue 19): only what this scope sees; null sees everything (the CLI).
  std::shared_ptr<const engine::DataScope> scope;
  SortKey sort = SortKey::updated;
  bool descending = true;
  int limit = 50;      // 1..500
  std::string cursor;  // the previous page's next_cursor; empty: the first page
};

// A project as the API sends it: its wire JSON text (wire_json.hpp, encode_project_wire),
// encoded once per version and kept, so a read sends it without encoding it again. (The
// writer's cache, project_json_cache.hpp, is handed the stored JSON and keeps this.)
struct ProjectJson {
  std::int64_t version = 0;
  std::string body;
  // What a read-time light needs (engine/supervision.hpp), set with the wire body
  // (project_wire_json): the workflow version, the state and the earliest open deadline.
  std::string workflow = {};
  std::int64_t workflow_version = 0;
  std::string state = {};
  std::optional<engine::Date> next_due = std::nullopt;
};

struct ProjectPage {
  std::vector<engine::Project> projects;
  std::string next_cursor;  // empty on the last page
};

// What the store is doing, for /metrics. Counters count since the store was opened.
struct StoreStats {
  std::int64_t queued_commands = 0;        // waiting for the writer
  std::int64_t batches_committed = 0;      // transactions
  std::int64_t commands_committed = 0;     // accepted commands
  std::int64_t transitions_committed = 0;  // transition_taken events
  std::int64_t batches_run_again = 0;      // PostgreSQL: another server wrote what one read
  std::int64_t outbox_pending = -1;        // notifications not yet delivered; -1: unknown
};

// The rules every store applies to definitions, as the errors they refuse with (nullopt:
// allowed). A workflow version stored with another text; one older than the newest stored
// of its id; a calendar that drops years of official data the stored one has.
Error changed_definition(const engine::Workflow& workflow);
std::optional<Error> older_than_stored(const engine::Workflow& workflow, std::int64_t newest);
std::optional<Error> drops_calendar_years(const engine::Calendar& calendar, int stored_first,
                                          int stored_last);

class Store {
 public:
  using WriteCallback = std::function<void(WriteResult)>;
  using BatchCallback = std::function<void(std::vector<WriteResult>)>;

  virtual ~Store() = default;

  // --- workflows ---
  // Records a definition (the YAML text and its hash) and makes it available to commands.
  // Refuses an (id, version) already stored with different text: change the version.
  virtual Outcome<Ok> register_workflow(std::shared_ptr<const engine::Workflow> workflow,
                                        const std::string& source) = 0;
  // version 0: the latest registered version. Null when unknown.
  virtual std::shared_ptr<const engine::Workflow> workflow(std::string_view id,
                                                           std::int64_t version = 0) const = 0;
  virtual Outcome<std::vector<StoredWorkflow>> stored_workflows() = 0;
  // Every registered version, of every workflow (data scope reads their `visibility:`).
  virtual std::vector<std::shared_ptr<const engine::Workflow>> registered_workflows() const = 0;
  // Stores new versions (`investflow workflow deploy`, POST /api/workflows) for every server
  // on this database to take, and registers them here. All or nothing, in one transaction
  // (so of two deploys at once one wins and the other is told): each must be newer than the
  // newest version of its id stored, or stored already with the same text (unchanged). One
  // result per workflow, in order. A refusal is an invalid_request error naming every
  // refused version and why; then nothing is stored.
  virtual Outcome<std::vector<DeployResult>> deploy_workflows(
      const std::vector<WorkflowDeployment>& workflows) = 0;
  // Projects per workflow, version and state (terminal ones too), in that order: of
  // `workflow`, or of every workflow when it is empty.
  virtual Outcome<std::vector<VersionStateCount>> projects_by_version(
      const std::string& workflow) = 0;

  // --- calendars ---
  // Stores a calendar's YAML for every server on this database to take (notify's
  // CalendarWatch). Refuses one that drops years of official data the stored one has.
  // False when the same text is stored already.
  virtual Outcome<bool> deploy_calendar(const engine::Calendar& calendar,
                                        const std::string& source) = 0;
  virtual Outcome<std::vector<StoredCalendar>> stored_calendars() = 0;
  // The registered workflows naming calendar->name() decide with it from now on; deadlines
  // already stored stay as they are. Returns how many workflow versions changed.
  virtual int use_calendar(std::shared_ptr<const engine::Calendar> calendar) = 0;
  // The calendars the registered workflows decide with, one per name.
  virtual std::vector<std::shared_ptr<const engine::Calendar>> calendars_in_use() const = 0;

  // --- writes ---
  // Queues a command; `done` receives its result once it is durable (or rejected).
  virtual void submit(WriteRequest request, WriteCallback done) = 0;
  // All or nothing: either every command is accepted and committed, or none is (each
  // rejected one says why; the others are rejected with reason::kBatchAborted).
  virtual void submit_atomic(std::vector<WriteRequest> requests, BatchCallback done) = 0;

  // Blocking conveniences over submit / submit_atomic.
  std::future<WriteResult> write(WriteRequest request);
  std::future<std::vector<WriteResult>> write_atomic(std::vector<WriteRequest> requests);

  // --- reads ---
  // Reads see committed data: a result handed to a write callback is already visible (and a
  // read may see a command a moment before its caller hears that it is durable).
  virtual Outcome<std::optional<engine::Project>> project(std::string_view id) = 0;
  // The same projection as wire JSON (ProjectJson). The default encodes project(); stores
  // that keep the JSON return it as it is.
  virtual Outcome<std::optional<ProjectJson>> project_json(std::string_view id);
  // The same, only when it is in memory (no database read, so an I/O thread may ask);
  // null otherwise. Stores without such a cache always answer null.
  virtual std::shared_ptr<const ProjectJson> cached_project_json(std::string_view id) {
    (void)id;
    return nullptr;
  }
  virtual Outcome<ProjectPage> list_projects(const ProjectQuery& query) = 0;
  // What a decision on `project` needs from outside it (engine::Relations): its parent and
  // the counts of its open children that its workflow's `open_children(...)` reads. For
  // showing what can be done now; the writer looks them up itself for each command. The
  // default knows nothing (absent parts read as null).
  virtual Outcome<engine::Relations> relations(const engine::Project& project) {
    (void)project;
    return engine::Relations{};
  }
  virtual Outcome<std::vector<StoredEvent>> history(std::string_view project_id) = 0;
  // Data scope (issue 19): whether `scope` sees the project (false when there is none). An
  // unrestricted scope sees every project without a read.
  virtual Outcome<bool> visible(std::string_view project_id, const engine::DataScope& scope) = 0;
  // The project as `scope` sees it: nothing when there is none or `scope` does not see it
  // (unseen is not found). A null or unrestricted scope sees every project.
  Outcome<std::optional<engine::Project>> project_seen(std::string_view id,
                                                       const engine::DataScope* scope);
  // Of `ids`, those `scope` sees, in their order (every one for a null or unrestricted scope).
  Outcome<std::vector<std::string>> seen_of(std::vector<std::string> ids,
                                            const engine::DataScope* scope);
  // The projects holding an attachment (engine::FileAttached) with this id, by id. The
  // default knows none.
  virtual Outcome<std::vector<std::string>> projects_with_attachment(
      std::string_view attachment_id) {
    (void)attachment_id;
    return std::vector<std::string>{};
  }

  // Cheap enough to call at every metrics scrape. The default knows nothing.
  virtual StoreStats stats();

  // --- the whole log, for live feeds (server-sent events) ---
  // Events of every project with a global id above `after_id`, in id order, at most
  // `limit` of them. The default answers an error: a store without a global log.
  virtual Outcome<std::vector<StoredEvent>> events_after(std::int64_t after_id, int limit);
  // The highest global event id (0 when the log is empty).
  virtual Outcome<std::int64_t> last_event_id();

  // Calls `on_commit` (on a thread of the store's) soon after any process commits events to
  // this database, for stores that several servers share (PostgreSQL: LISTEN/NOTIFY), so
  // that live streams and the dispatcher hear of another server's writes at once. Once, at
  // start. The default does nothing: on SQLite one server writes, and wakes them itself.
  virtual void watch_commits(std::function<void()> on_commit) { (void)on_commit; }
};

}  // namespace investflow::storage
