#pragma once
// The single writer of a SQLite store. Callers queue commands; one thread takes whatever
// has queued up, opens one BEGIN IMMEDIATE transaction, decides every command with the
// engine against the project as it stands (including earlier commands of the same batch),
// appends events, projections, outbox rows and idempotency records, commits once, and only
// then hands each caller its own result. Each command runs inside its own savepoint, so a
// command that fails in SQL is undone alone; a rejection writes nothing. With
// synchronous=FULL the results wait for the WAL flush (wal_syncer.hpp), which overlaps with
// the next batch.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/date.hpp"
#include "engine/notify_route.hpp"
#include "storage/hash_chain.hpp"
#include "storage/project_json_cache.hpp"
#include "storage/projection_columns.hpp"
#include "storage/reports_ledger.hpp"
#include "storage/sqlite_connection.hpp"
#include "storage/store.hpp"
#include "storage/wal_checkpointer.hpp"
#include "storage/wal_syncer.hpp"
#include "storage/workflow_registry.hpp"

namespace investflow::storage {

struct WriterOptions {
  Synchronous synchronous = Synchronous::full;
  int busy_timeout_ms = 10000;
  std::size_t max_batch = 1024;          // commands per transaction, at most
  std::size_t projection_cache = 10000;  // projects kept in memory between batches
  // synchronous=FULL: flush the WAL on a separate thread while the next batch is decided
  // (wal_syncer.hpp). Off: SQLite flushes inside each COMMIT (the benchmark's baseline).
  bool overlap_flush = true;
  // Checkpoint the WAL on a thread of its own (wal_checkpointer.hpp) rather than on the
  // writer's, after the commit that fills it.
  bool background_checkpoint = true;
  // Idempotency keys are kept this long (a client retries within minutes, not days).
  engine::Timestamp idempotency_ttl_ms = 24 * 3600 * 1000;
  // Where committed projects' stored JSON goes (project_json_cache.hpp, which turns it into
  // the wire form when it is first read); null: nowhere.
  std::shared_ptr<ProjectJsonCache> json_cache;
};

class SqliteWriter {
 public:
  SqliteWriter(const std::filesystem::path& path, const WriterOptions& options,
               const WorkflowRegistry& workflows, const engine::Clock& clock);
  // Finishes every queued command, then stops.
  ~SqliteWriter();
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;

  void submit(std::vector<WriteRequest> requests, bool atomic, Store::BatchCallback done);

  // Queue depth and commit counters (StoreStats without the outbox).
  StoreStats stats() const;

  // A project as the writer knows it: the projection and the hash of its last event.
  struct Head {
    engine::Project project;
    Hash hash = kGenesisHash;
    // The version the projects table holds. A batch updates the row once, before COMMIT,
    // however many of its commands touched the project (write_projections).
    std::int64_t stored_version = 0;
    // The changeable columns of that row, so an update sets only those that differ.
    ProjectionRow stored_row;
    // The keys project_access holds for it (engine::lookup_keys: data scope, holders), sorted.
    std::vector<std::string> stored_keys = {};
  };

 private:
  struct Job {
    std::vector<WriteRequest> requests;
    bool atomic = false;
    Store::BatchCallback done;
    std::vector<WriteResult> results;
  };
  struct Remembered {
    std::string fingerprint;
    WriteResult result;
  };
  // Writes not yet committed (or, in a nested layer, not yet known to stand).
  struct Layer {
    std::unordered_map<std::string, Head> heads;
    std::unordered_map<std::string, Remembered> keys;  // actor '\n' key
  };

  void run();
  bool run_batch(std::vector<Job>& jobs);  // true when the batch committed
  // Hands each job its results; with an error, accepted commands are reported failed.
  static void deliver(std::vector<Job>& jobs, const std::string& error);
  void count_committed(const std::vector<Job>& jobs);
  void run_single(Job& job);
  void run_atomic(Job& job);
  WriteResult process(const WriteRequest& request);
  // What deciding a command on `project` needs from outside it (relations.hpp), as the
  // batch stands; `new_parent` is the parent a CreateProject names.
  engine::Relations relations_of(const engine::Workflow& workflow, const engine::Project& project,
                                 const std::string& new_parent);
  // `batch`: WriteRequest::batch, recorded for each event appended (when not empty).
  // `parent_fields`: the parent project's fields, for `field:parent.NAME` recipients.
  WriteResult append(const Head& head, const engine::Workflow& workflow,
                     std::vector<engine::Event> events, const std::string& batch,
                     const engine::FieldMap* parent_fields = nullptr);
  // A new project's row, whole.
  ProjectionRow insert_projection(const engine::Workflow& workflow, const engine::Project& project,
                                  const Hash& hash);
  // Brings an existing project's row up to head.project; head.stored_* follow.
  void update_projection(Head& head);
  // project_access (data scope, holders): removes the keys only in `before`, adds those only in
  // `after` (both sorted).
  void write_access(const std::string& project_id, const std::vector<std::string>& before,
                    const std::vector<std::string>& after);
  void write_projections();  // the batch's projects whose row is behind, once each
  std::int64_t insert_event(const engine::Event& event, const std::string& payload,
                            const Hash& previous, const Hash& hash);
  void insert_outbox(std::int64_t event_id, const engine::Event& event,
                     std::span<const engine::NotifyDelivery> deliveries);
  void remember(const WriteRequest& request, const std::string& fingerprint,
                const WriteResult& result, engine::Timestamp now);

  // The enabled users holding `role` (a review panel, for a fractional quorum).
  int holders_of_role(const std::string& role);
  // Points into a layer or the cache; stays valid until the batch ends.
  const Head& load_head(const std::string& project_id);
  const Remembered* find_remembered(const std::string& key);

  void push_layer() {
    layers_.emplace_back();
    reports_.push_layer();
  }
  void merge_layer();    // top layer into the one below (or into the cache)
  void discard_layer();  // drop the top layer
  void exec(const std::string& sql);
  // A command or batch that threw, as a failed result of its kind; noted for /readyz.
  WriteResult failure(const std::exception& error);
  int system_errno();     // the OS error behind the connection's last failure
  bool in_transaction();  // false once SQLite rolled the batch's transaction back itself
  void purge_expired_keys();
  void publish_json();  // after COMMIT
  // Forgets what it cached when another connection wrote since the writer last looked.
  void notice_outside_writes();

  const WriterOptions options_;
  const WorkflowRegistry& workflows_;
  const engine::Clock& clock_;
  const std::filesystem::path dir_;  // the database's directory
  Connection connection_;            // used only by the writer thread (and the constructor)
  SqliteDatabase summaries_{connection_.db()};     // the ledger's statements
  ReportLedger reports_{summaries_};               // report summaries, written with each batch
  std::unique_ptr<WalSyncer> syncer_;              // synchronous=FULL only
  std::unique_ptr<WalCheckpointer> checkpointer_;  // null: SQLite checkpoints on commit

  // Writer thread state.
  std::deque<Layer> layers_;
  std::unordered_map<std::string, Head> cache_;
  // The stored (canonical) JSON of each project row this batch wrote; published to
  // options_.json_cache after COMMIT for the projects whose command stood.
  std::unordered_map<std::string, ProjectJson> staged_json_;
  std::int64_t data_version_ = -1;
  engine::Timestamp last_purge_ = 0;  // when expired idempotency keys were last removed

  // Written by the writer thread (queued_ also by submit), read by stats().
  std::atomic<std::int64_t> queued_{0};
  std::atomic<std::int64_t> batches_{0};
  std::atomic<std::int64_t> commands_{0};
  std::atomic<std::int64_t> transitions_{0};

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;     // started last
};

}  // namespace investflow::storage
