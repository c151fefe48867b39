#include "storage/pg_store.hpp"

#include <sodium.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "engine/deadlines.hpp"
#include "engine/visibility.hpp"
#include "storage/codec.hpp"
#include "storage/list_cursor.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_pool.hpp"
#include "storage/pg_schema.hpp"
#include "storage/projection_columns.hpp"
#include "storage/relations.hpp"
#include "storage/reports_ledger.hpp"
#include "storage/scope_sql.hpp"
#include "storage/system_clock.hpp"
#include "storage/workflow_registry.hpp"
#include "storage/write_decision.hpp"

namespace investflow::storage {
namespace {

Hash hash_of(std::string_view bytes) {
  return hash_from_bytes(bytes.data(), bytes.size()).value_or(kGenesisHash);
}

// What `a` has and `b` has not; both sorted.
std::vector<std::string> sorted_difference(const std::vector<std::string>& a,
                                           const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

WriteResult failed(const std::exception& error) {
  WriteResult result = failed_write("storage: " + describe_failure(error));
  result.fault = fault_of(error);
  return result;
}

std::optional<engine::Project> read_project(PgConnection& connection, std::string_view id) {
  PgResult row =
      connection.exec("SELECT body FROM projects WHERE id = $1", PgParams().text(std::string(id)));
  if (row.rows() == 0) return std::nullopt;
  auto project = decode_project(row.text(0, 0));
  if (!project) {
    throw std::runtime_error("stored projection of " + std::string(id) +
                             " is unreadable: " + project.error().to_string());
  }
  return std::move(*project);
}

std::vector<ChildRow> read_children(PgConnection& connection, const std::string& parent,
                                    const std::string& workflow) {
  PgResult rows = connection.exec(
      "SELECT id, workflow_version, state FROM projects WHERE parent = $1 AND workflow = $2 "
      "ORDER BY id",
      PgParams().text(parent).text(workflow));
  std::vector<ChildRow> children;
  for (int i = 0; i < rows.rows(); ++i) {
    children.push_back(
        ChildRow{std::string(rows.text(i, 0)), rows.number(i, 1), std::string(rows.text(i, 2))});
  }
  return children;
}

StoredEvent stored_event(const PgResult& rows, int i) {
  // Columns: id, payload, prev_hash, hash.
  StoredEvent stored;
  stored.id = rows.number(i, 0);
  auto event = decode_event(rows.text(i, 1));
  if (!event) throw std::runtime_error("event " + std::to_string(stored.id) + " is unreadable");
  stored.event = std::move(*event);
  stored.previous_hash = hash_of(rows.bytes(i, 2));
  stored.hash = hash_of(rows.bytes(i, 3));
  return stored;
}

// Projects rows as arrays, one per column, for one statement over all of them (unnest).
struct ProjectRows {
  PgArray id, workflow, workflow_version, state, version, owner, name, investor, industry,
      investment, created_at, updated_at, entered_at, due, alert, body, hash, parent, unit,
      category, promoting, stored_version;

  void add(const engine::Project& project, const ProjectionRow& row, const Hash& head_hash,
           std::int64_t stored) {
    id.text(project.id);
    workflow.text(project.workflow);
    workflow_version.number(project.workflow_version);
    state.text(row.state);
    version.number(project.version);
    owner.text(row.owner);
    name.text(row.columns.name);
    investor.text(row.columns.investor);
    industry.text(row.columns.industry);
    investment.real(row.columns.total_investment);
    created_at.number(project.created_at);
    updated_at.number(row.updated_at);
    entered_at.number(row.state_entered_at);
    due.text(row.columns.next_due_on);
    alert.text(row.columns.next_alert_on);
    body.text(encode_project(project));
    hash.bytes(head_hash.data(), head_hash.size());
    parent.text_or_null(project.parent);
    unit.text_or_null(row.columns.responsible_unit);
    category.text_or_null(row.columns.problem_category);
    promoting.text_or_null(row.columns.promoting_unit);
    stored_version.number(stored);
  }
  // $1..$22 in the order of kColumns (stored_version last).
  PgParams params() const {
    PgParams params;
    for (const PgArray* array :
         {&id,         &workflow,      &workflow_version, &state,    &version,
          &owner,      &name,          &investor,         &industry, &investment,
          &created_at, &updated_at,    &entered_at,       &due,      &alert,
          &body,       &hash,          &parent,           &unit,     &category,
          &promoting,  &stored_version}) {
      params.text(array->literal());
    }
    return params;
  }
  static constexpr std::string_view kColumns =
      "id, workflow, workflow_version, state, version, owner, name, investor, industry, "
      "total_investment, created_at, updated_at, state_entered_at, next_due_on, "
      "next_alert_on, body, head_hash, parent, responsible_unit, problem_category, "
      "promoting_unit, stored_version";
  static constexpr std::string_view kUnnest =
      "unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], "
      "$7::text[], $8::text[], $9::text[], $10::float8[], $11::bigint[], $12::bigint[], "
      "$13::bigint[], $14::text[], $15::text[], $16::text[], $17::bytea[], $18::text[], "
      "$19::text[], $20::text[], $21::text[], $22::bigint[])";
};

// --- the writer ---

class PgWriter {
 public:
  PgWriter(std::string uri, const PgOptions& options, const WorkflowRegistry& workflows,
           const engine::Clock& clock)
      : uri_(std::move(uri)),
        options_(options),
        workflows_(workflows),
        clock_(clock),
        thread_([this] { run(); }) {}

  ~PgWriter() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  void submit(std::vector<WriteRequest> requests, bool atomic, Store::BatchCallback done) {
    std::unique_lock lock(mutex_);
    if (stopping_) {
      lock.unlock();
      done(std::vector<WriteResult>(requests.size(), failed_write("the store is closing")));
      return;
    }
    queued_ += static_cast<std::int64_t>(requests.size());
    queue_.push_back(Job{std::move(requests), atomic, std::move(done), {}});
    lock.unlock();
    wake_.notify_one();
  }

  StoreStats stats() const {
    StoreStats stats;
    stats.queued_commands = queued_.load(std::memory_order_relaxed);
    stats.batches_committed = batches_.load(std::memory_order_relaxed);
    stats.commands_committed = commands_.load(std::memory_order_relaxed);
    stats.transitions_committed = transitions_.load(std::memory_order_relaxed);
    stats.batches_run_again = run_again_.load(std::memory_order_relaxed);
    return stats;
  }

 private:
  struct Job {
    std::vector<WriteRequest> requests;
    bool atomic = false;
    Store::BatchCallback done;
    std::vector<WriteResult> results;
  };
  struct Head {
    engine::Project project;
    Hash hash = kGenesisHash;
    std::int64_t stored_version = 0;       // the version the row holds (0: no row)
    std::string stored_promoting_unit;     // as the row holds it
    std::vector<std::string> stored_keys;  // its rows in project_access (lookup_keys), sorted
  };
  struct Remembered {
    std::string fingerprint;
    WriteResult result;
  };
  // Rows written at the end of the transaction, a statement per table (flush): a batch of
  // a thousand commands is a handful of round trips to the server, not thousands.
  struct PendingEvent {
    std::int64_t id = 0;
    std::string project_id;
    std::int64_t seq = 0;
    std::string type;
    std::string actor;
    engine::Timestamp at = 0;
    std::string payload;
    Hash previous{};
    Hash hash{};
    Hash log_hash{};
  };
  struct PendingOutbox {
    std::int64_t event_id = 0;
    std::string project_id;
    OutboxRow row;
    engine::Timestamp at = 0;
  };
  struct PendingKey {
    std::string actor, key, fingerprint, project_id, result;
    engine::Timestamp at = 0;
  };
  // What a transaction (and, inside it, an atomic job) has done, laid over what is stored:
  // dropped whole when it rolls back.
  struct Layer {
    std::unordered_map<std::string, Head> heads;
    std::map<std::string, Remembered> keys;
    std::vector<PendingEvent> events;
    std::vector<PendingOutbox> outbox;
    std::vector<std::pair<std::int64_t, std::string>> batches;  // event id, batch
    std::vector<PendingKey> key_rows;
  };
  // Lays `top` over `below` (an atomic job that stood, onto its transaction).
  static void merge(Layer& below, Layer&& top) {
    for (auto& [id, head] : top.heads)
      below.heads.insert_or_assign(id, std::move(head));
    for (auto& [key, remembered] : top.keys)
      below.keys.insert_or_assign(key, std::move(remembered));
    std::move(top.events.begin(), top.events.end(), std::back_inserter(below.events));
    std::move(top.outbox.begin(), top.outbox.end(), std::back_inserter(below.outbox));
    std::move(top.batches.begin(), top.batches.end(), std::back_inserter(below.batches));
    std::move(top.key_rows.begin(), top.key_rows.end(), std::back_inserter(below.key_rows));
  }

  void run() {
    std::vector<Job> jobs;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        std::size_t commands = 0;
        while (!queue_.empty() &&
               (jobs.empty() || commands + queue_.front().requests.size() <= options_.max_batch)) {
          commands += queue_.front().requests.size();
          jobs.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        queued_ -= static_cast<std::int64_t>(commands);
      }
      if (!run_batch(jobs) && jobs.size() > 1 && !connection_lost_) {
        // A command that failed took its transaction with it: run each job alone, so that
        // only its own job fails.
        for (Job& job : jobs) {
          std::vector<Job> one;
          one.push_back(Job{std::move(job.requests), job.atomic, std::move(job.done), {}});
          run_batch(one);
          job = std::move(one.front());
        }
      }
      answer(jobs);
      jobs.clear();
    }
  }

  // The commits gave up the log's turn without waiting for the disk (begin() sets
  // synchronous_commit off): their callers are answered once a message committed to the
  // WAL on the same session (so PostgreSQL did not restart in between) is on disk, and with
  // it every commit before it. Servers thus flush together, outside the turn; meanwhile
  // the next batch gathers.
  void answer(std::vector<Job>& jobs) {
    if (std::exchange(unflushed_, false)) {
      try {
        exec("SELECT pg_catalog.pg_logical_emit_message(true, 'investflow', 'flush')");
      } catch (const std::exception& error) {
        // The batches stand or, if PostgreSQL went down, are gone: nobody is told either.
        WriteResult unknown =
            failed_write("storage: committed, but PostgreSQL did not confirm that it is on disk: " +
                         describe_failure(error));
        unknown.fault = Fault::unavailable;
        for (Job& job : jobs)
          std::fill(job.results.begin(), job.results.end(), unknown);
      }
    }
    for (Job& job : jobs) {
      try {
        job.done(std::move(job.results));
      } catch (...) {
        // A caller's callback must not take the writer down with it.
      }
    }
  }

  // A batch is first decided and its projects' own rows written before the writer takes
  // its turn on the log (log_head): servers then overlap all but the log's part. If another
  // process changed a project the batch read in between, it is undone and run again with
  // the turn taken first, as the only writer.
  bool run_batch(std::vector<Job>& jobs) {
    for (int attempt = 0;; ++attempt) {
      const Outcome outcome = try_batch(jobs, attempt > 0);
      if (outcome == Outcome::again && attempt < 2) {
        run_again_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      return outcome == Outcome::committed;
    }
  }

  enum class Outcome { committed, failed, again };

  // Raised when the batch must be run again with the log's turn taken first.
  struct RunAgain : std::runtime_error {
    RunAgain() : std::runtime_error("another server wrote what this batch read") {}
  };

  Outcome try_batch(std::vector<Job>& jobs, bool turn_first) {
    connection_lost_ = false;
    bool committed = false;
    try {
      begin(turn_first);
      purge_expired_keys();
      layers_.assign(1, Layer{});
      reports_.push_layer();
      read_ids_.clear();
      read_parents_.clear();
      std::vector<std::string> touched;  // the report rows the batch will read, in one go
      for (const Job& job : jobs) {
        for (const WriteRequest& request : job.requests)
          touched.push_back(request.command.project_id);
      }
      reports_.prefetch(touched);
      for (Job& job : jobs) {
        job.results.clear();
        if (job.atomic) {
          run_atomic(job);
        } else {
          for (const WriteRequest& request : job.requests)
            job.results.push_back(process(request));
        }
      }
      flush_projects();
      reports_.flush_projects();
      if (!turn_first) take_turn();
      flush_log();
      reports_.flush();
      const bool wrote = last_id_ != head_last_id_ || !layers_.back().key_rows.empty();
      if (last_id_ != head_last_id_) {
        later("UPDATE log_head SET last_id = $1, hash = $2",
              PgParams().number(last_id_).bytes(log_hash_.data(), log_hash_.size()));
      }
      exec("COMMIT");
      committed = true;
      unflushed_ = unflushed_ || wrote;  // answered once on disk (answer)
      reports_.merge_layer();            // the batch's rows, now committed, cached
      last_log_id_ = last_id_;
      if (cache_.size() + layers_.back().heads.size() > options_.projection_cache) {
        cache_.clear();
        children_.clear();
      }
      for (auto& [id, stored] : layers_.back().heads) {
        if (!stored.project.parent.empty()) forget_children_of(stored.project.parent);
        cache_.insert_or_assign(id, std::move(stored));
      }
      layers_.clear();
      count_committed(jobs);
      return Outcome::committed;
    } catch (const std::exception& error) {
      const PgError* pg = dynamic_cast<const PgError*>(&error);
      // A lost race with another server: the rows it wrote first (a deadlock between two
      // writers, a key it remembered first) are read again in the next attempt.
      const bool again = dynamic_cast<const RunAgain*>(&error) != nullptr ||
                         (pg && (pg->sqlstate() == "40P01" || pg->sqlstate() == "40001" ||
                                 pg->sqlstate() == "23505"));
      WriteResult failed_batch = failed(error);
      // Committed but not known to be on disk: the batch may stand or, if PostgreSQL went
      // down, be gone. It is neither run again nor reported as refused.
      if (committed) failed_batch.fault = Fault::unavailable;
      connection_lost_ = failed_batch.fault == Fault::unavailable;
      if (connection_ && connection_->ok()) {
        try {
          connection_->forget_queued();  // never sent: nothing of them to undo
          exec("ROLLBACK");
        } catch (...) {
        }
      }
      layers_.clear();
      cache_.clear();
      children_.clear();
      reports_.clear();
      last_log_id_ = -1;
      if (again && !connection_lost_) return Outcome::again;
      for (Job& job : jobs) {
        job.results.resize(job.requests.size());
        for (WriteResult& result : job.results) {
          if (!result.rejected() || result.replayed) result = failed_batch;
        }
      }
      return Outcome::failed;
    }
  }

  // Opens the transaction and reads the log's head: with the turn on it (FOR UPDATE) when
  // `turn_first`, else as committed. A connection found broken here (the server restarted
  // since the last transaction) is opened again once: nothing was done.
  void begin(bool turn_first) {
    for (int attempt = 0;; ++attempt) {
      try {
        // A session whose commits are not yet flushed is never opened again: they would be
        // flushed nowhere (answer), so its batch fails and they are answered unavailable.
        if (!connection_) {
          connection_ = std::make_unique<PgConnection>(uri_);
        } else if (!unflushed_) {
          connection_->ensure();
        }
        later("BEGIN");
        // Writers of every process take turns here; the row says whether another wrote since.
        // The commit does not wait for the disk; the flush that follows it does (answer).
        PgResult head =
            exec(turn_first ? "SELECT last_id, hash, set_config('synchronous_commit', 'off', true) "
                              "FROM log_head FOR UPDATE"
                            : "SELECT last_id, hash, set_config('synchronous_commit', 'off', true) "
                              "FROM log_head");
        head_last_id_ = head.number(0, 0);
        last_id_ = head_last_id_;
        if (head_last_id_ != last_log_id_) forget_changed_since(last_log_id_);
        last_log_id_ = head_last_id_;  // what is cached is as of this event
        log_hash_ = hash_of(head.bytes(0, 1));
        return;
      } catch (const PgError& error) {
        if (!error.connection_lost() || attempt > 0 || unflushed_) throw;
        connection_.reset();
      }
    }
  }

  // Takes the turn on the log for a batch decided without it. If another process wrote
  // since begin(), the batch's events move up behind its, and the log chain is linked
  // again; if that process changed a project the batch read (or a child of a parent whose
  // children it read), the batch is run again (RunAgain).
  void take_turn() {
    PgResult head = exec("SELECT last_id, hash FROM log_head FOR UPDATE");
    const std::int64_t now_last_id = head.number(0, 0);
    if (now_last_id == head_last_id_) return;
    const std::int64_t seen = head_last_id_;
    head_last_id_ = now_last_id;
    const bool conflict = forget_changed_since(seen, true);
    last_log_id_ = now_last_id;
    if (conflict) throw RunAgain();
    const std::int64_t shift = now_last_id - seen;
    Layer& layer = layers_.back();
    Hash log_hash = hash_of(head.bytes(0, 1));
    for (PendingEvent& row : layer.events) {
      row.id += shift;
      log_hash = log_link(log_hash, row.hash);
      row.log_hash = log_hash;
    }
    for (PendingOutbox& row : layer.outbox)
      row.event_id += shift;
    for (auto& [event_id, batch] : layer.batches)
      event_id += shift;
    last_id_ += shift;
    log_hash_ = log_hash;
  }

  // Another process wrote since our last commit: what it changed is no longer what we
  // cached. Only those projects are forgotten (with the children lists of their parents),
  // so servers writing different projects keep their caches; after a long gap, all is.
  // With `check`, says whether one of them is a project this batch read.
  bool forget_changed_since(std::int64_t last_seen, bool check = false) {
    constexpr std::int64_t kMostEvents = 20000;
    if (!check && (last_seen < 0 || head_last_id_ - last_seen > kMostEvents)) {
      cache_.clear();
      children_.clear();
      reports_.forget();
      return false;
    }
    bool conflict = false;
    PgResult changed = exec(
        "SELECT DISTINCT e.project_id, coalesce(p.parent, '') FROM events e JOIN projects p ON "
        "p.id = e.project_id WHERE e.id > $1 AND e.id <= $2",
        PgParams().number(last_seen).number(head_last_id_));
    std::vector<std::string> ids;
    for (int row = 0; row < changed.rows(); ++row) {
      ids.emplace_back(changed.text(row, 0));
      cache_.erase(ids.back());
      conflict = conflict || read_ids_.contains(ids.back());
      if (const std::string_view parent = changed.text(row, 1); !parent.empty()) {
        forget_children_of(std::string(parent));
        conflict = conflict || read_parents_.contains(std::string(parent));
      }
    }
    reports_.forget(ids);
    return conflict;
  }

  void forget_children_of(const std::string& parent) {
    const std::string prefix = parent + '\n';
    for (auto it = children_.lower_bound(prefix);
         it != children_.end() && it->first.starts_with(prefix);) {
      it = children_.erase(it);
    }
  }

  void run_atomic(Job& job) {
    layers_.emplace_back();
    reports_.push_layer();
    const Hash log_hash = log_hash_;  // the log chain as it stands without this job
    const std::int64_t last_id = last_id_;
    bool all_accepted = true;
    for (const WriteRequest& request : job.requests) {
      job.results.push_back(process(request));
      all_accepted = all_accepted && job.results.back().accepted();
    }
    if (all_accepted) {
      Layer top = std::move(layers_.back());
      layers_.pop_back();
      merge(layers_.back(), std::move(top));
      reports_.merge_layer();
      return;
    }
    // Nothing of it was written yet (flush): dropping its layer is the rollback.
    layers_.pop_back();
    reports_.discard_layer();
    log_hash_ = log_hash;
    last_id_ = last_id;
    for (WriteResult& result : job.results) {
      if (result.accepted() || result.replayed) {
        const std::int64_t before = result.events.empty() ? 0 : result.events.front().version - 1;
        result = rejected_write(before, reason::kBatchAborted,
                                "not written: another command of the same batch was rejected");
      }
    }
  }

  WriteResult process(const WriteRequest& request) {
    const engine::Timestamp now = request.at.value_or(clock_.now());
    std::string fingerprint;
    const std::string key = request.actor.id + '\n' + request.idempotency_key;
    if (!request.idempotency_key.empty()) {
      fingerprint = request_fingerprint(request);
      if (const Remembered* first = find_remembered(request.actor.id, request.idempotency_key)) {
        if (first->fingerprint != fingerprint) {
          return rejected_write(first->result.version, reason::kIdempotencyKeyReused,
                                "this Idempotency-Key was used for a different request");
        }
        WriteResult replay = first->result;
        replay.replayed = true;
        return replay;
      }
    }
    const Head head = load_head(request.command.project_id);
    DecisionSource source;
    source.relations = [this](const engine::Workflow& workflow, const engine::Project& project,
                              const std::string& new_parent) {
      return relations_of(workflow, project, new_parent);
    };
    source.holders_of_role = [this](const std::string& role) {
      PgResult count = exec("SELECT count(*) FROM users WHERE disabled = 0 AND roles ? $1",
                            PgParams().text(role));
      return static_cast<int>(count.number(0, 0));
    };
    WriteDecision decision = decide_write(request, head.project, workflows_, now, source);
    WriteResult result = std::move(decision.rejection);
    if (decision.accepted) {
      result = append(head, *decision.written_with, std::move(decision.events), request.batch,
                      decision.relations.parent ? &decision.relations.parent->fields : nullptr);
    }
    if (!request.idempotency_key.empty()) {
      layers_.back().key_rows.push_back(PendingKey{request.actor.id, request.idempotency_key,
                                                   fingerprint, request.command.project_id,
                                                   write_result_text(result), now});
      layers_.back().keys.insert_or_assign(key, Remembered{fingerprint, result});
    }
    return result;
  }

  engine::Relations relations_of(const engine::Workflow& workflow, const engine::Project& project,
                                 const std::string& new_parent) {
    if (!has_relations(workflow, project, new_parent)) return {};
    RelationSource source;
    source.project = [this](const std::string& id) -> const engine::Project* {
      // Kept in the current layer, so the pointer outlives this decision.
      Head head = load_head(id);
      if (!head.project.exists()) return nullptr;
      auto& slot = layers_.back().heads.try_emplace(id, std::move(head)).first->second;
      return &slot.project;
    };
    // The rows as committed, with what this transaction did to them (rows are written at
    // its end, flush): the states it gave, and the children it created.
    source.children = [this](const std::string& parent, const std::string& child_workflow) {
      // As committed (cached until a child of `parent` changes), then this transaction's.
      read_parents_.insert(parent);
      const std::string key = parent + '\n' + child_workflow;
      auto cached = children_.find(key);
      if (cached == children_.end()) {
        cached = children_.emplace(key, read_children(*connection_, parent, child_workflow)).first;
      }
      std::vector<ChildRow> children = cached->second;
      std::map<std::string, const engine::Project*> latest;
      for (const Layer& layer : layers_) {
        for (const auto& [id, head] : layer.heads) {
          if (head.project.parent == parent && head.project.workflow == child_workflow) {
            latest[id] = &head.project;
          }
        }
      }
      for (ChildRow& child : children) {
        if (auto found = latest.find(child.id); found != latest.end()) {
          child.state = found->second->state;
          latest.erase(found);
        }
      }
      for (const auto& [id, child] : latest)
        children.push_back(ChildRow{id, child->workflow_version, child->state});
      return children;
    };
    return relations_for(workflow, project, new_parent,
                         with_registry(std::move(source), workflows_));
  }

  // Decided events onto the transaction's layer: the project as they leave it, each event
  // with its id (the next in the log: the writers take turns on log_head), its links in
  // the project's chain and the log chain, and its outbox rows. Written by flush.
  WriteResult append(const Head& head, const engine::Workflow& workflow,
                     std::vector<engine::Event> events, const std::string& batch,
                     const engine::FieldMap* parent_fields) {
    engine::Project project = head.project;
    for (const engine::Event& event : events) {
      if (event.version != project.version + 1 ||
          (project.exists() && event.project_id != project.id)) {
        throw std::logic_error("engine produced an event out of sequence");
      }
      project = engine::apply(std::move(project), event);
    }
    const std::vector<engine::NotifyDelivery> deliveries =
        engine::notify_deliveries(workflow, project, events, parent_fields);
    reports_.record(workflow, head.project, events, project);
    Layer& layer = layers_.back();
    Hash hash = head.hash;
    auto delivery = deliveries.begin();
    for (std::size_t i = 0; i < events.size(); ++i) {
      const engine::Event& event = events[i];
      PendingEvent row{++last_id_,
                       event.project_id,
                       event.version,
                       std::string(engine::event_type(event)),
                       event.actor,
                       event.at,
                       encode_event(event),
                       hash,
                       {},
                       {}};
      hash = chain_hash(hash, row.payload);
      row.hash = hash;
      log_hash_ = log_link(log_hash_, hash);
      row.log_hash = log_hash_;
      const auto first = delivery;
      while (delivery != deliveries.end() && delivery->event == i)
        ++delivery;
      for (OutboxRow& outbox : outbox_rows({first, delivery})) {
        layer.outbox.push_back(
            PendingOutbox{row.id, event.project_id, std::move(outbox), event.at});
      }
      if (!batch.empty()) layer.batches.emplace_back(row.id, batch);
      layer.events.push_back(std::move(row));
    }
    WriteResult result;
    result.status = WriteResult::Status::accepted;
    result.version = project.version;
    result.events = std::move(events);
    std::string id = project.id;
    layer.heads.insert_or_assign(std::move(id), Head{std::move(project), hash, head.stored_version,
                                                     head.stored_promoting_unit, head.stored_keys});
    return result;
  }

  // Writes the rows of the projects the transaction changed, a statement per table over
  // arrays of rows, in the order of their ids (so two servers lock them in one order): the
  // projects created (events reference them) and changed (each from the version it was read
  // at: a project another server changed since makes the batch run again), their children's
  // copy of a changed promoting unit, and who may see them.
  void flush_projects() {
    static const auto untagged = engine::Workflow::make(engine::WorkflowDefinition{});
    Layer& layer = layers_.back();
    ProjectRows created;
    ProjectRows changed;
    PgArray promoting_changed;
    PgArray gone_keys, gone_projects, added_keys, added_projects;  // project_access
    std::vector<std::pair<const std::string*, Head*>> heads;
    for (auto& [id, head] : layer.heads) {
      if (head.project.version != head.stored_version) heads.emplace_back(&id, &head);
    }
    std::sort(heads.begin(), heads.end(),
              [](const auto& a, const auto& b) { return *a.first < *b.first; });
    for (auto [id_of, head_of] : heads) {
      const std::string& id = *id_of;
      Head& head = *head_of;
      const engine::Project& project = head.project;
      const auto workflow = workflows_.find(project.workflow, project.workflow_version);
      const ProjectionRow row = projection_row(workflow ? *workflow : *untagged, project);
      if (head.stored_version == 0) {
        created.add(project, row, head.hash, 0);
      } else {
        changed.add(project, row, head.hash, head.stored_version);
        if (row.columns.promoting_unit != head.stored_promoting_unit) promoting_changed.text(id);
      }
      std::vector<std::string> keys =
          engine::lookup_keys(workflow ? *workflow : *untagged, project);
      if (keys != head.stored_keys) {
        for (const std::string& key : sorted_difference(head.stored_keys, keys))
          gone_keys.text(key), gone_projects.text(id);
        for (const std::string& key : sorted_difference(keys, head.stored_keys))
          added_keys.text(key), added_projects.text(id);
        head.stored_keys = std::move(keys);
      }
      head.stored_version = project.version;
      head.stored_promoting_unit = row.columns.promoting_unit;
    }
    if (!created.id.empty()) {
      later("INSERT INTO projects (" +
                std::string(ProjectRows::kColumns.substr(0, ProjectRows::kColumns.rfind(','))) +
                ") SELECT " +
                std::string(ProjectRows::kColumns.substr(0, ProjectRows::kColumns.rfind(','))) +
                " FROM " + std::string(ProjectRows::kUnnest) + " AS u(" +
                std::string(ProjectRows::kColumns) + ")",
            created.params());
      // A child's row carries its parent's promoting unit, for the lists of items.
      later(
          "UPDATE projects AS c SET parent_promoting_unit = p.promoting_unit FROM projects AS p "
          "WHERE c.id = ANY($1::text[]) AND c.parent = p.id",
          PgParams().text(created.id.literal()));
    }
    if (!changed.id.empty()) {
      const auto rows = static_cast<std::int64_t>(changed.id.size());
      later(
          "UPDATE projects AS p SET workflow_version = u.workflow_version, state = u.state, "
          "version = u.version, owner = u.owner, name = u.name, investor = u.investor, "
          "industry = u.industry, total_investment = u.total_investment, "
          "updated_at = u.updated_at, state_entered_at = u.state_entered_at, "
          "next_due_on = u.next_due_on, next_alert_on = u.next_alert_on, body = u.body, "
          "head_hash = u.head_hash, responsible_unit = u.responsible_unit, "
          "problem_category = u.problem_category, promoting_unit = u.promoting_unit FROM " +
              std::string(ProjectRows::kUnnest) + " AS u(" + std::string(ProjectRows::kColumns) +
              ") WHERE p.id = u.id AND p.version = u.stored_version",
          changed.params(), [rows](const PgResult& updated) {
            if (updated.affected() != rows) throw RunAgain();
          });
    }
    if (!promoting_changed.empty()) {
      later(
          "UPDATE projects AS c SET parent_promoting_unit = p.promoting_unit FROM projects AS p "
          "WHERE p.id = ANY($1::text[]) AND c.parent = p.id",
          PgParams().text(promoting_changed.literal()));
    }
    if (!gone_keys.empty()) {
      later(
          "DELETE FROM project_access AS a USING unnest($1::text[], $2::text[]) AS g(key, id) "
          "WHERE a.key = g.key AND a.project_id = g.id",
          PgParams().text(gone_keys.literal()).text(gone_projects.literal()));
    }
    if (!added_keys.empty()) {
      later(
          "INSERT INTO project_access (key, project_id) SELECT * FROM unnest($1::text[], "
          "$2::text[]) ON CONFLICT DO NOTHING",
          PgParams().text(added_keys.literal()).text(added_projects.literal()));
    }
  }

  // Writes the log's part, with the turn on it: the events, outbox rows, batch marks and
  // idempotency keys.
  void flush_log() {
    Layer& layer = layers_.back();
    if (!layer.events.empty()) {
      PgArray ids, projects, seqs, types, actors, ats, payloads, previous, own, log;
      for (const PendingEvent& row : layer.events) {
        ids.number(row.id);
        projects.text(row.project_id);
        seqs.number(row.seq);
        types.text(row.type);
        actors.text(row.actor);
        ats.number(row.at);
        payloads.text(row.payload);
        previous.bytes(row.previous.data(), row.previous.size());
        own.bytes(row.hash.data(), row.hash.size());
        log.bytes(row.log_hash.data(), row.log_hash.size());
      }
      later(
          "INSERT INTO events (id, project_id, seq, type, actor, at, payload, prev_hash, hash, "
          "log_hash) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], "
          "$5::text[], $6::bigint[], $7::text[], $8::bytea[], $9::bytea[], $10::bytea[])",
          PgParams()
              .text(ids.literal())
              .text(projects.literal())
              .text(seqs.literal())
              .text(types.literal())
              .text(actors.literal())
              .text(ats.literal())
              .text(payloads.literal())
              .text(previous.literal())
              .text(own.literal())
              .text(log.literal()));
    }
    if (!layer.outbox.empty()) {
      PgArray events, projects, channels, triggers, recipients, ats;
      for (const PendingOutbox& row : layer.outbox) {
        events.number(row.event_id);
        projects.text(row.project_id);
        channels.text(row.row.channel);
        triggers.text(row.row.triggers);
        recipients.text(row.row.recipients);
        ats.number(row.at);
      }
      later(
          "INSERT INTO outbox (event_id, project_id, channel, triggers, recipients, "
          "next_attempt_at, created_at) SELECT e, p, c, t, r, a, a FROM unnest($1::bigint[], "
          "$2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS u(e, p, c, t, r, a)",
          PgParams()
              .text(events.literal())
              .text(projects.literal())
              .text(channels.literal())
              .text(triggers.literal())
              .text(recipients.literal())
              .text(ats.literal()));
    }
    if (!layer.batches.empty()) {
      PgArray events, batches;
      for (const auto& [event_id, batch] : layer.batches) {
        events.number(event_id);
        batches.text(batch);
      }
      later(
          "INSERT INTO event_batches (event_id, batch) SELECT * FROM unnest($1::bigint[], "
          "$2::text[])",
          PgParams().text(events.literal()).text(batches.literal()));
    }
    if (!layer.key_rows.empty()) {
      PgArray actors, keys, fingerprints, projects, results, ats;
      for (const PendingKey& row : layer.key_rows) {
        actors.text(row.actor);
        keys.text(row.key);
        fingerprints.text(row.fingerprint);
        projects.text(row.project_id);
        results.text(row.result);
        ats.number(row.at);
      }
      later(
          "INSERT INTO idempotency_keys (actor, key, fingerprint, project_id, result, "
          "created_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
          "$5::text[], $6::bigint[])",
          PgParams()
              .text(actors.literal())
              .text(keys.literal())
              .text(fingerprints.literal())
              .text(projects.literal())
              .text(results.literal())
              .text(ats.literal()));
    }
  }

  Head load_head(const std::string& id) {
    read_ids_.insert(id);
    for (auto layer = layers_.rbegin(); layer != layers_.rend(); ++layer) {
      if (auto found = layer->heads.find(id); found != layer->heads.end()) return found->second;
    }
    if (auto found = cache_.find(id); found != cache_.end()) return found->second;
    PgResult row = exec(
        "SELECT body, head_hash, version, coalesce(promoting_unit, '') FROM projects WHERE id = $1",
        PgParams().text(id));
    if (row.rows() == 0) return Head{};
    auto project = decode_project(row.text(0, 0));
    const auto hash = hash_from_bytes(row.bytes(0, 1).data(), row.bytes(0, 1).size());
    if (!project || !hash)
      throw std::runtime_error("stored projection of " + id + " is unreadable");
    Head head{std::move(*project), *hash, row.number(0, 2), std::string(row.text(0, 3)), {}};
    if (const auto workflow = workflows_.find(head.project.workflow, head.project.workflow_version))
      head.stored_keys = engine::lookup_keys(*workflow, head.project);
    layers_.back().heads.insert_or_assign(id, head);
    return head;
  }

  const Remembered* find_remembered(const std::string& actor, const std::string& key) {
    const std::string both = actor + '\n' + key;
    for (auto layer = layers_.rbegin(); layer != layers_.rend(); ++layer) {
      if (auto found = layer->keys.find(both); found != layer->keys.end()) return &found->second;
    }
    PgResult row =
        exec("SELECT fingerprint, result FROM idempotency_keys WHERE actor = $1 AND key = $2",
             PgParams().text(actor).text(key));
    if (row.rows() == 0) return nullptr;
    auto [slot, inserted] = layers_.back().keys.insert_or_assign(
        both, Remembered{std::string(row.text(0, 0)), write_result_from_text(row.text(0, 1))});
    (void)inserted;
    return &slot->second;
  }

  void purge_expired_keys() {
    constexpr engine::Timestamp kEveryMs = 10 * 60 * 1000;
    const engine::Timestamp now = clock_.now();
    if (now - last_purge_ < kEveryMs) return;
    last_purge_ = now;
    exec("DELETE FROM idempotency_keys WHERE created_at < $1",
         PgParams().number(now - options_.idempotency_ttl_ms));
  }

  void count_committed(const std::vector<Job>& jobs) {
    std::int64_t commands = 0;
    std::int64_t transitions = 0;
    for (const Job& job : jobs) {
      for (const WriteResult& result : job.results) {
        if (!result.accepted() || result.replayed) continue;
        ++commands;
        for (const engine::Event& event : result.events) {
          if (std::holds_alternative<engine::TransitionTaken>(event.body)) ++transitions;
        }
      }
    }
    batches_.fetch_add(1, std::memory_order_relaxed);
    commands_.fetch_add(commands, std::memory_order_relaxed);
    transitions_.fetch_add(transitions, std::memory_order_relaxed);
  }

  PgResult exec(const std::string& sql, const PgParams& params = {}) {
    return connection_->exec(sql, params);
  }
  // Sent with the next exec, in the same round trip: a batch's writes go with the statement
  // that takes the log's turn, and with COMMIT.
  void later(std::string sql, PgParams params = {},
             std::function<void(const PgResult&)> check = {}) {
    connection_->queue(std::move(sql), std::move(params), std::move(check));
  }

  const std::string uri_;
  const PgOptions options_;
  const WorkflowRegistry& workflows_;
  const engine::Clock& clock_;
  std::unique_ptr<PgConnection> connection_;  // the writer thread's
  bool unflushed_ = false;                    // connection_ committed writes since its last flush
  PostgresDatabase summaries_{connection_};   // the ledger's statements, on connection_
  ReportLedger reports_{summaries_, true};    // report summaries, written with each transaction
  std::vector<Layer> layers_;
  std::unordered_map<std::string, Head> cache_;  // committed heads, valid while last_log_id_ is
  // Committed children lists, by parent '\n' child workflow: forgotten when one changes.
  std::map<std::string, std::vector<ChildRow>> children_;
  // What the batch being decided read: another server's change to one runs it again.
  std::unordered_set<std::string> read_ids_;
  std::unordered_set<std::string> read_parents_;
  std::int64_t last_log_id_ = -1;  // log_head.last_id after our last commit; -1: unknown
  std::int64_t head_last_id_ = 0;  // log_head.last_id as this transaction found it
  std::int64_t last_id_ = 0;       // the last event id this transaction gave out
  Hash log_hash_ = kGenesisHash;
  bool connection_lost_ = false;
  engine::Timestamp last_purge_ = 0;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::atomic<std::int64_t> queued_{0};
  std::atomic<std::int64_t> batches_{0};
  std::atomic<std::int64_t> run_again_{0};
  std::atomic<std::int64_t> commands_{0};
  std::atomic<std::int64_t> transitions_{0};

  std::thread thread_;  // last: starts once the rest is ready
};

// --- reads ---

// LISTEN investflow_events on a connection of its own (log_head's trigger NOTIFYs at each
// commit that appends events, pg_schema.cpp migration 4); calls back for each wake-up.
// A lost connection is opened again a second later; a commit missed meanwhile is found by
// the callers' own polling.
class CommitListener {
 public:
  ~CommitListener() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }

  void start(std::string uri, std::function<void()> on_commit) {
    std::lock_guard lock(mutex_);
    if (thread_.joinable() || stopping_) return;
    thread_ = std::thread([this, uri = std::move(uri), on_commit = std::move(on_commit)] {
      std::unique_ptr<PgConnection> connection;
      while (!stopping()) {
        try {
          if (!connection) {
            connection = std::make_unique<PgConnection>(uri);
            connection->exec("LISTEN investflow_events");
          }
          if (connection->wait_for_notifications(std::chrono::milliseconds(250)) > 0) {
            on_commit();
          }
        } catch (const std::exception&) {
          connection.reset();
          for (int i = 0; i < 4 && !stopping(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
      }
    });
  }

 private:
  bool stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
  }
  std::mutex mutex_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

class PgStore final : public Store {
 public:
  void watch_commits(std::function<void()> on_commit) override {
    commits_.start(uri_, std::move(on_commit));
  }

  PgStore(std::string uri, const PgOptions& options)
      : uri_(std::move(uri)),
        clock_(options.clock ? options.clock : std::make_shared<SystemClock>()),
        readers_(uri_, options.read_connections),
        writer_(uri_, options, workflows_, *clock_) {}

  Outcome<Ok> register_workflow(std::shared_ptr<const engine::Workflow> workflow,
                                const std::string& source) override {
    auto stored = define([&](PgConnection& connection) -> Outcome<Ok> {
      auto existing = stored_version(connection, *workflow, source);
      if (!existing) return engine::fail(existing.error());
      if (!*existing) insert_workflow(connection, *workflow, source);
      return Ok{};
    });
    if (!stored) return stored;
    workflows_.add(std::move(workflow));
    return Ok{};
  }

  std::shared_ptr<const engine::Workflow> workflow(std::string_view id,
                                                   std::int64_t version) const override {
    return workflows_.find(id, version);
  }

  std::vector<std::shared_ptr<const engine::Workflow>> registered_workflows() const override {
    return workflows_.all();
  }

  Outcome<std::vector<StoredWorkflow>> stored_workflows() override {
    return readers_.read([](PgConnection& connection) {
      PgResult rows = connection.exec(
          "SELECT id, version, source, source_hash, loaded_at FROM workflows ORDER BY id, version");
      std::vector<StoredWorkflow> out;
      for (int i = 0; i < rows.rows(); ++i) {
        out.push_back(StoredWorkflow{std::string(rows.text(i, 0)), rows.number(i, 1),
                                     std::string(rows.text(i, 2)), std::string(rows.text(i, 3)),
                                     rows.number(i, 4)});
      }
      return out;
    });
  }

  Outcome<std::vector<DeployResult>> deploy_workflows(
      const std::vector<WorkflowDeployment>& deployments) override {
    auto results = define([&](PgConnection& connection) -> Outcome<std::vector<DeployResult>> {
      // Of two deploys at once, one waits for the other and then sees its versions.
      connection.exec("LOCK TABLE workflows IN SHARE ROW EXCLUSIVE MODE");
      std::vector<DeployResult> out;
      std::string refused;
      for (const WorkflowDeployment& deployment : deployments) {
        auto result = deploy_one(connection, *deployment.workflow, deployment.source);
        if (result) {
          out.push_back(*result);
        } else {
          refused += (refused.empty() ? "" : "; ") + result.error().message;
        }
      }
      if (refused.empty()) return out;
      return engine::fail(Error{Error::Kind::invalid_request, refused + "; nothing was stored"});
    });
    if (!results) return results;
    for (const WorkflowDeployment& deployment : deployments)
      workflows_.add(deployment.workflow);
    return results;
  }

  Outcome<std::vector<VersionStateCount>> projects_by_version(
      const std::string& workflow) override {
    return readers_.read([&workflow](PgConnection& connection) {
      PgResult rows = connection.exec(
          "SELECT workflow, workflow_version, state, count(*) FROM projects "
          "WHERE $1 = '' OR workflow = $1 GROUP BY workflow, workflow_version, state "
          "ORDER BY workflow, workflow_version, state",
          PgParams().text(workflow));
      std::vector<VersionStateCount> counts;
      for (int i = 0; i < rows.rows(); ++i) {
        counts.push_back(VersionStateCount{std::string(rows.text(i, 0)), rows.number(i, 1),
                                           std::string(rows.text(i, 2)), rows.number(i, 3)});
      }
      return counts;
    });
  }

  Outcome<bool> deploy_calendar(const engine::Calendar& calendar,
                                const std::string& source) override {
    const std::string source_hash = to_hex(chain_hash(kGenesisHash, source));
    return define([&](PgConnection& connection) -> Outcome<bool> {
      PgResult row = connection.exec(
          "SELECT source_hash, first_year, last_year FROM calendars WHERE name = $1 FOR UPDATE",
          PgParams().text(calendar.name()));
      if (row.rows() > 0) {
        if (row.text(0, 0) == source_hash) return false;
        if (auto refused = drops_calendar_years(calendar, static_cast<int>(row.number(0, 1)),
                                                static_cast<int>(row.number(0, 2)))) {
          return engine::fail(std::move(*refused));
        }
      }
      connection.exec(
          "INSERT INTO calendars (name, source, source_hash, first_year, last_year, deployed_at) "
          "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (name) DO UPDATE SET source = excluded.source, "
          "source_hash = excluded.source_hash, first_year = excluded.first_year, "
          "last_year = excluded.last_year, deployed_at = excluded.deployed_at",
          PgParams()
              .text(calendar.name())
              .text(source)
              .text(source_hash)
              .number(calendar.first_year())
              .number(calendar.last_year())
              .number(clock_->now()));
      return true;
    });
  }

  Outcome<std::vector<StoredCalendar>> stored_calendars() override {
    return readers_.read([](PgConnection& connection) {
      PgResult rows = connection.exec(
          "SELECT name, source, source_hash, first_year, last_year, deployed_at FROM calendars "
          "ORDER BY name");
      std::vector<StoredCalendar> out;
      for (int i = 0; i < rows.rows(); ++i) {
        out.push_back(StoredCalendar{std::string(rows.text(i, 0)), std::string(rows.text(i, 1)),
                                     std::string(rows.text(i, 2)),
                                     static_cast<int>(rows.number(i, 3)),
                                     static_cast<int>(rows.number(i, 4)), rows.number(i, 5)});
      }
      return out;
    });
  }

  int use_calendar(std::shared_ptr<const engine::Calendar> calendar) override {
    return workflows_.use_calendar(calendar);
  }

  std::vector<std::shared_ptr<const engine::Calendar>> calendars_in_use() const override {
    return workflows_.calendars();
  }

  void submit(WriteRequest request, WriteCallback done) override {
    std::vector<WriteRequest> requests;
    requests.push_back(std::move(request));
    writer_.submit(std::move(requests), false,
                   [done = std::move(done)](std::vector<WriteResult> results) {
                     done(std::move(results.front()));
                   });
  }

  void submit_atomic(std::vector<WriteRequest> requests, BatchCallback done) override {
    if (requests.empty()) {
      done({});
      return;
    }
    writer_.submit(std::move(requests), true, std::move(done));
  }

  Outcome<std::optional<engine::Project>> project(std::string_view id) override {
    return readers_.read([id](PgConnection& connection) { return read_project(connection, id); });
  }

  Outcome<engine::Relations> relations(const engine::Project& project) override {
    const auto definition = workflows_.find(project.workflow, project.workflow_version);
    if (definition == nullptr || !has_relations(*definition, project, {})) {
      return engine::Relations{};
    }
    return readers_.read([&](PgConnection& connection) {
      std::optional<engine::Project> parent;
      RelationSource source;
      source.project = [&](const std::string& id) {
        parent = read_project(connection, id);
        return parent ? &*parent : nullptr;
      };
      source.children = [&](const std::string& parent_id, const std::string& workflow) {
        return read_children(connection, parent_id, workflow);
      };
      return relations_for(*definition, project, {}, with_registry(std::move(source), workflows_));
    });
  }

  Outcome<ProjectPage> list_projects(const ProjectQuery& query) override;

  Outcome<std::vector<StoredEvent>> history(std::string_view project_id) override {
    return readers_.read([project_id](PgConnection& connection) {
      PgResult rows = connection.exec(
          "SELECT id, payload, prev_hash, hash FROM events WHERE project_id = $1 ORDER BY seq",
          PgParams().text(std::string(project_id)));
      std::vector<StoredEvent> history;
      for (int i = 0; i < rows.rows(); ++i)
        history.push_back(stored_event(rows, i));
      return history;
    });
  }

  Outcome<bool> visible(std::string_view project_id, const engine::DataScope& scope) override {
    if (scope.unrestricted()) return true;
    return readers_.read([&](PgConnection& connection) {
      // The project, and up its parents while one is seen only through its parent.
      std::optional<engine::Project> project = read_project(connection, project_id);
      std::vector<engine::Project> chain;
      while (project) {
        chain.push_back(std::move(*project));
        project.reset();
        if (!chain.back().parent.empty() && chain.size() < 16) {
          project = read_project(connection, chain.back().parent);
        }
      }
      bool parent_seen = false;
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        const auto workflow = workflows_.find(it->workflow, it->workflow_version);
        parent_seen = workflow != nullptr && scope.sees(*workflow, *it, parent_seen);
      }
      return parent_seen;
    });
  }

  StoreStats stats() override {
    StoreStats stats = writer_.stats();
    auto pending = readers_.read([](PgConnection& connection) {
      return connection.exec("SELECT count(*) FROM outbox WHERE status = 'pending'").number(0, 0);
    });
    if (pending) stats.outbox_pending = *pending;
    return stats;
  }

  Outcome<std::vector<StoredEvent>> events_after(std::int64_t after_id, int limit) override {
    return readers_.read([after_id, limit](PgConnection& connection) {
      PgResult rows = connection.exec(
          "SELECT id, payload, prev_hash, hash FROM events WHERE id > $1 ORDER BY id LIMIT $2",
          PgParams().number(after_id).number(limit));
      std::vector<StoredEvent> events;
      for (int i = 0; i < rows.rows(); ++i)
        events.push_back(stored_event(rows, i));
      return events;
    });
  }

  Outcome<std::int64_t> last_event_id() override {
    return readers_.read([](PgConnection& connection) {
      return connection.exec("SELECT coalesce(max(id), 0) FROM events").number(0, 0);
    });
  }

  Outcome<std::vector<std::string>> projects_with_attachment(
      std::string_view attachment_id) override {
    return readers_.read([attachment_id](PgConnection& connection) {
      // The expression and the condition are those of the index events_attachment.
      PgResult rows = connection.exec(
          "SELECT DISTINCT project_id FROM events WHERE type = 'file_attached' AND "
          "(payload::jsonb #>> '{body,attachment_id}') = $1 ORDER BY project_id",
          PgParams().text(std::string(attachment_id)));
      std::vector<std::string> projects;
      for (int i = 0; i < rows.rows(); ++i)
        projects.emplace_back(rows.text(i, 0));
      return projects;
    });
  }

 private:
  // When (id, version) was stored with this text; nullopt when it is not stored; an
  // invalid_request error when it is stored with another text.
  static Outcome<std::optional<engine::Timestamp>> stored_version(PgConnection& connection,
                                                                  const engine::Workflow& workflow,
                                                                  const std::string& source) {
    PgResult row = connection.exec(
        "SELECT source_hash, loaded_at FROM workflows WHERE id = $1 AND version = $2",
        PgParams().text(workflow.id).number(workflow.version));
    if (row.rows() == 0) return std::optional<engine::Timestamp>();
    if (row.text(0, 0) == to_hex(chain_hash(kGenesisHash, source))) {
      return std::optional<engine::Timestamp>(row.number(0, 1));
    }
    return engine::fail(changed_definition(workflow));
  }

  engine::Timestamp insert_workflow(PgConnection& connection, const engine::Workflow& workflow,
                                    const std::string& source) {
    const engine::Timestamp now = clock_->now();
    // Two servers registering the same shipped version at start: the second finds it.
    connection.exec(
        "INSERT INTO workflows (id, version, source, source_hash, loaded_at) "
        "VALUES ($1,$2,$3,$4,$5) ON CONFLICT (id, version) DO NOTHING",
        PgParams()
            .text(workflow.id)
            .number(workflow.version)
            .text(source)
            .text(to_hex(chain_hash(kGenesisHash, source)))
            .number(now));
    return now;
  }

  Outcome<DeployResult> deploy_one(PgConnection& connection, const engine::Workflow& workflow,
                                   const std::string& source) {
    auto existing = stored_version(connection, workflow, source);
    if (!existing) return engine::fail(existing.error());
    if (*existing) return DeployResult{false, **existing};
    PgResult newest = connection.exec("SELECT max(version) FROM workflows WHERE id = $1",
                                      PgParams().text(workflow.id));
    if (!newest.null(0, 0)) {
      if (auto refused = older_than_stored(workflow, newest.number(0, 0))) {
        return engine::fail(std::move(*refused));
      }
    }
    return DeployResult{true, insert_workflow(connection, workflow, source)};
  }

  // Definitions are written rarely, on a read connection in a transaction of their own,
  // committed only when `change` succeeds.
  template <typename Change>
  auto define(Change change) -> decltype(change(std::declval<PgConnection&>())) {
    using Result = decltype(change(std::declval<PgConnection&>()));
    auto outcome = readers_.read([&](PgConnection& connection) -> Result {
      connection.exec("BEGIN");
      try {
        Result result = change(connection);
        connection.exec(result ? "COMMIT" : "ROLLBACK");
        return result;
      } catch (...) {
        if (connection.ok()) connection.exec("ROLLBACK");
        throw;
      }
    });
    if (!outcome) return engine::fail(std::move(outcome.error()));
    return std::move(*outcome);
  }

  const std::string uri_;
  const std::shared_ptr<const engine::Clock> clock_;
  WorkflowRegistry workflows_;
  PgPool readers_;
  PgWriter writer_;         // stopped (queue drained) before the rest goes
  CommitListener commits_;  // last: stopped first
};

// The list as the SQLite store gives it (sqlite_queries.hpp query_projects): filtered,
// ordered by the sort column and then the id (byte order: the text columns sort in
// collation "C", pg_schema.cpp), a page at a time from a cursor.
// Not yet on this store: a report figure's projects, which the SQLite store answers from
// the report tables this one does not keep yet.
Outcome<ProjectPage> PgStore::list_projects(const ProjectQuery& query) {
  const auto refuse = [](std::string what) {
    return engine::fail(Error{Error::Kind::invalid_request,
                              what + " is not available on the PostgreSQL store yet"});
  };
  if (auto checked = check_list_query(query); !checked) return engine::fail(checked.error());
  if (!query.figure.empty()) return refuse("the list of a report figure's projects");

  PgParams params;
  int next = 1;
  const auto parameter = [&next]() { return "$" + std::to_string(next++); };
  std::string where = "TRUE";
  const auto equals = [&](std::string_view column, const std::string& value) {
    if (value.empty()) return;
    where += " AND " + std::string(column) + " = " + parameter();
    params.text(value);
  };
  equals("workflow", query.workflow);
  equals("state", query.state);
  equals("industry", query.industry);
  equals("owner", query.owner);
  equals("parent", query.parent);
  equals("responsible_unit", query.responsible_unit);
  equals("problem_category", query.problem_category);
  equals("parent_promoting_unit", query.parent_promoting_unit);
  equals("promoting_unit", query.promoting_unit);
  if (query.items) where += " AND parent IS NOT NULL";
  if (!query.holder_field.empty()) {
    // Through the holder keys the writer keeps (engine::lookup_keys), as on SQLite.
    where += " AND id IN (SELECT project_id FROM project_access WHERE key = " + parameter() + ")";
    params.text(engine::holder_key(query.holder_field, query.holder));
  }
  if (query.scope && !query.scope->unrestricted()) {
    const ScopeSql scope = scope_condition(*query.scope);
    where += " AND " + numbered_parameters(scope.sql, next);
    for (const std::string& value : scope.parameters)
      params.text(value);
  }
  if (query.overdue_on) {
    where += " AND next_due_on < " + parameter();
    params.text(query.overdue_on->to_string());
  }
  if (query.alert_before) {
    where += " AND next_alert_on < " + parameter();
    params.text(query.alert_before->to_string());
  }
  if (!query.text.empty()) {
    // The id as typed or in capitals, or a part of the name or the investor.
    std::string upper = query.text;
    for (char& c : upper)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string pattern = "%";
    for (const char c : query.text) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += '%';
    const std::string id = parameter();
    const std::string capitals = parameter();
    const std::string like = parameter();
    where += " AND (id = " + id + " OR id = " + capitals + " OR name LIKE " + like +
             " OR investor LIKE " + like + ")";
    params.text(query.text).text(upper).text(pattern);
  }
  const std::string column(sort_column(query.sort));
  const std::string direction = query.descending ? "DESC" : "ASC";
  if (!query.cursor.empty()) {
    auto cursor = decode_list_cursor(query);
    if (!cursor) return engine::fail(std::move(cursor.error()));
    const std::string value = parameter();
    const std::string id = parameter();
    std::visit(
        [&params](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::int64_t>) {
            params.number(v);
          } else if constexpr (std::is_same_v<V, double>) {
            params.real(v);
          } else {
            params.text(v);
          }
        },
        cursor->value);
    params.text(cursor->id);
    const std::string typed = query.sort == SortKey::updated || query.sort == SortKey::created
                                  ? value + "::bigint"
                              : query.sort == SortKey::investment ? value + "::double precision"
                                                                  : value + "::text";
    where += " AND (" + column + ", id) " + (query.descending ? "<" : ">") + " (" + typed + ", " +
             id + "::text)";
  }
  const std::string sql = "SELECT body, " + column + ", id FROM projects WHERE " + where +
                          " ORDER BY " + column + " " + direction + ", id " + direction +
                          " LIMIT " + parameter();
  params.number(query.limit + 1);
  return readers_.read([&](PgConnection& connection) {
    PgResult rows = connection.exec(sql, params);
    ProjectPage page;
    const int shown = std::min(rows.rows(), query.limit);
    for (int i = 0; i < shown; ++i) {
      auto project = decode_project(rows.text(i, 0));
      if (!project) {
        throw std::runtime_error("stored projection of " + std::string(rows.text(i, 2)) +
                                 " is unreadable: " + project.error().to_string());
      }
      page.projects.push_back(std::move(*project));
    }
    if (rows.rows() > query.limit) {
      const int last = query.limit - 1;
      ListCursor::Value value;
      switch (query.sort) {
        case SortKey::updated:
        case SortKey::created:
          value = rows.number(last, 1);
          break;
        case SortKey::investment:
          value = rows.real(last, 1);
          break;
        default:
          value = std::string(rows.text(last, 1));
      }
      page.next_cursor = encode_list_cursor(query, value, std::string(rows.text(last, 2)));
    }
    return page;
  });
}

}  // namespace

Outcome<int> init_pg_database(const std::string& uri) {
  try {
    PgConnection connection(uri);
    return migrate_pg(connection);
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<std::unique_ptr<Store>> open_pg_store(const std::string& uri, const PgOptions& options) {
  if (sodium_init() < 0) return engine::fail(Error{Error::Kind::storage, "libsodium failed"});
  auto version = init_pg_database(uri);
  if (!version) return engine::fail(version.error());
  try {
    return std::unique_ptr<Store>(std::make_unique<PgStore>(uri, options));
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

}  // namespace investflow::storage
