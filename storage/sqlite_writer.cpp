#include "storage/sqlite_writer.hpp"

#include "engine/visibility.hpp"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include "engine/deadlines.hpp"
#include "engine/decide.hpp"
#include "engine/names.hpp"
#include "engine/notify_route.hpp"
#include "engine/notify_trigger.hpp"
#include "engine/visibility.hpp"
#include "storage/codec.hpp"
#include "storage/projection_columns.hpp"
#include "storage/relations.hpp"
#include "storage/write_decision.hpp"

namespace investflow::storage {
namespace json = boost::json;

// storage_fault.cpp: probe_space's errno (0: there was room).
int probe_space_errno(const std::filesystem::path& dir);

namespace {

// The projection's optional text columns hold NULL when empty, so that partial indexes
// (WHERE column IS NOT NULL) keep only the rows that have a value.
void bind_text_or_null(SQLite::Statement& statement, int index, const std::string& text) {
  if (text.empty()) {
    statement.bind(index);
  } else {
    statement.bind(index, text);
  }
}

// `system_errno`: sqlite3_system_errno right after the failure (an I/O error's cause).
WriteResult failed(const std::exception& error, int system_errno) {
  WriteResult result = failed_write("storage: " + describe_failure(error));
  result.fault = fault_of(error, system_errno);
  return result;
}

}  // namespace

SqliteWriter::SqliteWriter(const std::filesystem::path& path, const WriterOptions& options,
                           const WorkflowRegistry& workflows, const engine::Clock& clock)
    : options_(options),
      workflows_(workflows),
      clock_(clock),
      dir_(std::filesystem::absolute(path).parent_path()),
      // With overlap_flush, FULL durability comes from the syncer's flush after COMMIT.
      connection_(path, Connection::Mode::read_write, options.busy_timeout_ms,
                  options.synchronous == Synchronous::full && options.overlap_flush
                      ? Synchronous::normal
                      : options.synchronous),
      syncer_(options.synchronous == Synchronous::full && options.overlap_flush
                  ? std::make_unique<WalSyncer>(std::filesystem::path(path.string() + "-wal"))
                  : nullptr),
      checkpointer_(options.background_checkpoint
                        ? std::make_unique<WalCheckpointer>(path, options.busy_timeout_ms)
                        : nullptr),
      thread_([this] { run(); }) {
  if (checkpointer_) checkpointer_->attach(connection_.db());
}

SqliteWriter::~SqliteWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (checkpointer_) {
    checkpointer_->detach(connection_.db());
    checkpointer_.reset();  // its connection closes before the writer's
  }
  // Refreshes the query planner's statistics where they are stale (SQLite's advice for
  // every connection that is closing).
  connection_.db().tryExec("PRAGMA optimize");
}

void SqliteWriter::submit(std::vector<WriteRequest> requests, bool atomic,
                          Store::BatchCallback done) {
  std::unique_lock lock(mutex_);
  if (stopping_) {
    lock.unlock();
    std::vector<WriteResult> results(requests.size(), failed_write("the store is closing"));
    done(std::move(results));
    return;
  }
  queued_ += static_cast<std::int64_t>(requests.size());
  queue_.push_back(Job{std::move(requests), atomic, std::move(done), {}});
  lock.unlock();
  wake_.notify_one();
}

void SqliteWriter::run() {
  std::vector<Job> jobs;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      // While idle, look for writes from outside every quarter second: readers answer
      // from the JSON cache, which only the writer keeps in step with the database.
      while (!wake_.wait_for(lock, std::chrono::milliseconds(250),
                             [this] { return stopping_ || !queue_.empty(); })) {
        if (!options_.json_cache) continue;
        lock.unlock();
        try {
          notice_outside_writes();
        } catch (const std::exception&) {
          options_.json_cache->clear();  // cannot tell: assume the worst
        }
        lock.lock();
      }
      if (queue_.empty()) return;  // stopping, and everything queued is done
      // Group commit: take what has queued up while the last batch was being written.
      std::size_t commands = 0;
      while (!queue_.empty() &&
             (jobs.empty() || commands + queue_.front().requests.size() <= options_.max_batch)) {
        commands += queue_.front().requests.size();
        jobs.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_ -= static_cast<std::int64_t>(commands);
    }
    const bool committed = run_batch(jobs);
    if (committed) count_committed(jobs);
    if (committed && syncer_) {
      syncer_->after_sync(
          [jobs = std::move(jobs)](const std::string& error) mutable { deliver(jobs, error); });
    } else {
      deliver(jobs, "");
    }
    jobs.clear();
  }
}

StoreStats SqliteWriter::stats() const {
  StoreStats stats;
  stats.queued_commands = queued_.load(std::memory_order_relaxed);
  stats.batches_committed = batches_.load(std::memory_order_relaxed);
  stats.commands_committed = commands_.load(std::memory_order_relaxed);
  stats.transitions_committed = transitions_.load(std::memory_order_relaxed);
  return stats;
}

void SqliteWriter::count_committed(const std::vector<Job>& jobs) {
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

void SqliteWriter::deliver(std::vector<Job>& jobs, const std::string& error) {
  for (Job& job : jobs) {
    if (!error.empty()) {
      for (WriteResult& result : job.results) {
        if (result.accepted())
          result = failed_write("storage: the commit may not be durable: " + error);
      }
    }
    try {
      job.done(std::move(job.results));
    } catch (...) {
      // A caller's callback must not take the writer down with it.
    }
  }
}

bool SqliteWriter::run_batch(std::vector<Job>& jobs) {
  try {
    exec("BEGIN IMMEDIATE");
    // Another connection (another process: `investflow import` next to the server) may
    // have written since our last commit; then what we cached may be stale.
    notice_outside_writes();

    purge_expired_keys();
    push_layer();  // the batch
    for (Job& job : jobs) {
      if (job.atomic) {
        run_atomic(job);
      } else {
        run_single(job);
      }
    }
    write_projections();
    exec("COMMIT");
    note_write_succeeded();  // room again, if a write had found none (/readyz)
    publish_json();
    if (cache_.size() + layers_.back().heads.size() > options_.projection_cache) cache_.clear();
    merge_layer();
    return true;
  } catch (const std::exception& error) {
    // The transaction as a whole failed (BEGIN or COMMIT: busy, I/O, disk full): nothing of
    // it stands, so no command in it may be reported as accepted.
    const WriteResult failed_batch = failure(error);
    connection_.db().tryExec("ROLLBACK");
    layers_.clear();
    reports_.clear();
    cache_.clear();
    staged_json_.clear();
    for (Job& job : jobs) {
      job.results.resize(job.requests.size());
      for (WriteResult& result : job.results) {
        if (!result.rejected() || result.replayed) result = failed_batch;
      }
    }
  }
  return false;
}

void SqliteWriter::run_single(Job& job) {
  job.results.reserve(job.requests.size());
  for (const WriteRequest& request : job.requests) {
    exec("SAVEPOINT command");
    push_layer();
    try {
      job.results.push_back(process(request));
      exec("RELEASE command");
      merge_layer();
    } catch (const std::exception& error) {
      // SQLite may have rolled the whole transaction back itself (disk full, I/O error):
      // then the batch fails, as what it is.
      if (!in_transaction()) throw;
      WriteResult failed_command = failure(error);
      exec("ROLLBACK TO command");
      exec("RELEASE command");
      discard_layer();
      job.results.push_back(std::move(failed_command));
    }
  }
}

void SqliteWriter::run_atomic(Job& job) {
  exec("SAVEPOINT atomic");
  push_layer();
  bool all_accepted = true;
  std::optional<WriteResult> failed_batch;
  try {
    for (const WriteRequest& request : job.requests) {
      job.results.push_back(process(request));
      all_accepted = all_accepted && job.results.back().accepted();
    }
  } catch (const std::exception& error) {
    if (!in_transaction()) throw;  // rolled back by SQLite: the batch fails (run_single)
    all_accepted = false;
    failed_batch = failure(error);
  }
  if (all_accepted) {
    exec("RELEASE atomic");
    merge_layer();
    return;
  }
  exec("ROLLBACK TO atomic");
  exec("RELEASE atomic");
  discard_layer();
  job.results.resize(job.requests.size());
  for (WriteResult& result : job.results) {
    if (failed_batch) {
      result = *failed_batch;
    } else if (result.accepted() || result.replayed) {
      const std::int64_t before = result.events.empty() ? 0 : result.events.front().version - 1;
      result = rejected_write(before, reason::kBatchAborted,
                              "not written: another command of the same batch was rejected");
    }
  }
}

WriteResult SqliteWriter::process(const WriteRequest& request) {
  const engine::Timestamp now = request.at.value_or(clock_.now());
  std::string fingerprint;
  if (!request.idempotency_key.empty()) {
    fingerprint = request_fingerprint(request);
    if (const Remembered* first =
            find_remembered(request.actor.id + '\n' + request.idempotency_key)) {
      if (first->fingerprint != fingerprint) {
        return rejected_write(first->result.version, reason::kIdempotencyKeyReused,
                              "this Idempotency-Key was used for a different request");
      }
      WriteResult replay = first->result;
      replay.replayed = true;
      return replay;
    }
  }

  const Head& head = load_head(request.command.project_id);
  DecisionSource source;
  source.relations = [this](const engine::Workflow& workflow, const engine::Project& project,
                            const std::string& new_parent) {
    return relations_of(workflow, project, new_parent);
  };
  source.holders_of_role = [this](const std::string& role) { return holders_of_role(role); };
  WriteDecision decision = decide_write(request, head.project, workflows_, now, source);
  WriteResult result = std::move(decision.rejection);
  if (decision.accepted) {
    result = append(head, *decision.written_with, std::move(decision.events), request.batch,
                    decision.relations.parent ? &decision.relations.parent->fields : nullptr);
  }
  if (!request.idempotency_key.empty()) remember(request, fingerprint, result, now);
  return result;
}

engine::Relations SqliteWriter::relations_of(const engine::Workflow& workflow,
                                             const engine::Project& project,
                                             const std::string& new_parent) {
  if (!has_relations(workflow, project, new_parent)) return {};
  RelationSource source;
  source.project = [this](const std::string& id) { return &load_head(id).project; };
  // The rows as committed, with the states this batch gave its children meanwhile (rows
  // are brought up to date only before COMMIT, write_projections).
  source.children = [this](const std::string& parent, const std::string& child_workflow) {
    std::vector<ChildRow> children = query_children(connection_, parent, child_workflow);
    for (ChildRow& child : children) {
      for (auto layer = layers_.rbegin(); layer != layers_.rend(); ++layer) {
        if (auto found = layer->heads.find(child.id); found != layer->heads.end()) {
          child.state = found->second.project.state;
          break;
        }
      }
    }
    return children;
  };
  return relations_for(workflow, project, new_parent, with_registry(std::move(source), workflows_));
}

WriteResult SqliteWriter::append(const Head& head, const engine::Workflow& workflow,
                                 std::vector<engine::Event> events, const std::string& batch,
                                 const engine::FieldMap* parent_fields) {
  engine::Project project = head.project;
  Hash hash = head.hash;
  std::vector<std::pair<std::string, Hash>> links;  // payload, hash of each event
  links.reserve(events.size());
  for (const engine::Event& event : events) {
    if (event.version != project.version + 1 ||
        (project.exists() && event.project_id != project.id)) {
      throw std::logic_error("engine produced an event out of sequence");
    }
    project = engine::apply(std::move(project), event);
    std::string payload = encode_event(event);
    hash = chain_hash(hash, payload);
    links.emplace_back(std::move(payload), hash);
  }

  // A new project's row first: events reference their project. An existing project's row
  // is brought up to date once per batch, just before COMMIT (write_projections): a
  // project that takes several commands in one batch (a seeded history, a burst of votes)
  // is encoded and rewritten, with its indexes, once instead of once per command.
  std::int64_t stored_version = head.stored_version;
  ProjectionRow stored_row = head.stored_row;
  std::vector<std::string> stored_keys = head.stored_keys;
  if (head.project.version == 0) {
    stored_row = insert_projection(workflow, project, hash);
    stored_version = project.version;
    std::vector<std::string> keys = engine::lookup_keys(workflow, project);
    write_access(project.id, stored_keys, keys);
    stored_keys = std::move(keys);
  }
  Hash previous = head.hash;
  const std::vector<engine::NotifyDelivery> deliveries =
      engine::notify_deliveries(workflow, project, events, parent_fields);
  auto delivery = deliveries.begin();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::int64_t event_id =
        insert_event(events[i], links[i].first, previous, links[i].second);
    const auto first = delivery;
    while (delivery != deliveries.end() && delivery->event == i)
      ++delivery;
    if (first != delivery) insert_outbox(event_id, events[i], {first, delivery});
    if (!batch.empty()) {
      // A bulk operation's events: chat robots get one digest for the batch.
      auto mark = connection_.statement("INSERT INTO event_batches (event_id, batch) VALUES (?,?)");
      mark->bind(1, event_id);
      mark->bind(2, batch);
      mark->exec();
    }
    previous = links[i].second;
  }
  reports_.record(workflow, head.project, events, project);

  WriteResult result;
  result.status = WriteResult::Status::accepted;
  result.version = project.version;
  result.events = std::move(events);
  std::string id = project.id;  // not project.id itself: the project is moved below
  layers_.back().heads.insert_or_assign(
      std::move(id), Head{std::move(project), hash, stored_version, std::move(stored_row),
                          std::move(stored_keys)});
  return result;
}

ProjectionRow SqliteWriter::insert_projection(const engine::Workflow& workflow,
                                              const engine::Project& project, const Hash& hash) {
  ProjectionRow row = projection_row(workflow, project);
  std::string body = encode_project(project);
  auto insert = connection_.statement(
      "INSERT INTO projects (id, workflow, workflow_version, state, version, owner, name, "
      "investor, industry, total_investment, created_at, updated_at, state_entered_at, "
      "next_due_on, body, head_hash, parent, responsible_unit, problem_category, "
      "promoting_unit, parent_promoting_unit, next_alert_on) VALUES "
      "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,(SELECT promoting_unit FROM projects WHERE id = ?),"
      "?)");
  insert->bind(1, project.id);
  insert->bind(2, project.workflow);
  insert->bind(3, project.workflow_version);
  insert->bind(4, row.state);
  insert->bind(5, project.version);
  insert->bind(6, row.owner);
  insert->bind(7, row.columns.name);
  insert->bind(8, row.columns.investor);
  insert->bind(9, row.columns.industry);
  insert->bind(10, row.columns.total_investment);
  insert->bind(11, project.created_at);
  insert->bind(12, row.updated_at);
  insert->bind(13, row.state_entered_at);
  insert->bind(14, row.columns.next_due_on);
  insert->bindNoCopy(15, body);
  insert->bind(16, hash.data(), static_cast<int>(hash.size()));
  if (!project.parent.empty()) insert->bind(17, project.parent);  // else NULL
  bind_text_or_null(*insert, 18, row.columns.responsible_unit);
  bind_text_or_null(*insert, 19, row.columns.problem_category);
  bind_text_or_null(*insert, 20, row.columns.promoting_unit);
  // A child's row carries its parent's promoting unit, for the lists of items filtered by
  // it (update_projection keeps it in step when the parent's changes).
  bind_text_or_null(*insert, 21, project.parent);
  insert->bind(22, row.columns.next_alert_on);
  insert->exec();
  if (options_.json_cache) {
    staged_json_[project.id] = ProjectJson{project.version, std::move(body)};
  }
  return row;
}

void SqliteWriter::update_projection(Head& head) {
  const engine::Project& project = head.project;
  // The columns are read through the tags of the version the project was decided with.
  // (Always registered: a project's commands are decided with it.)
  static const auto untagged = engine::Workflow::make(engine::WorkflowDefinition{});
  const auto workflow = workflows_.find(project.workflow, project.workflow_version);
  ProjectionRow row = projection_row(workflow ? *workflow : *untagged, project);
  const unsigned changed = changed_columns(head.stored_row, row);
  std::string body = encode_project(project);
  auto update = connection_.statement(projection_update_sql(changed));
  int index = 1;
  if (changed & kStateColumn) update->bind(index++, row.state);
  if (changed & kOwnerColumn) update->bind(index++, row.owner);
  if (changed & kNameColumn) update->bind(index++, row.columns.name);
  if (changed & kInvestorColumn) update->bind(index++, row.columns.investor);
  if (changed & kIndustryColumn) update->bind(index++, row.columns.industry);
  if (changed & kInvestmentColumn) update->bind(index++, row.columns.total_investment);
  if (changed & kUpdatedAtColumn) update->bind(index++, row.updated_at);
  if (changed & kStateEnteredAtColumn) update->bind(index++, row.state_entered_at);
  if (changed & kNextDueOnColumn) update->bind(index++, row.columns.next_due_on);
  if (changed & kWorkflowVersionColumn) update->bind(index++, row.workflow_version);
  if (changed & kResponsibleUnitColumn) {
    bind_text_or_null(*update, index++, row.columns.responsible_unit);
  }
  if (changed & kProblemCategoryColumn) {
    bind_text_or_null(*update, index++, row.columns.problem_category);
  }
  if (changed & kPromotingUnitColumn)
    bind_text_or_null(*update, index++, row.columns.promoting_unit);
  if (changed & kNextAlertOnColumn) update->bind(index++, row.columns.next_alert_on);
  update->bind(index++, project.version);
  update->bindNoCopy(index++, body);
  update->bind(index++, head.hash.data(), static_cast<int>(head.hash.size()));
  update->bind(index++, project.id);
  update->bind(index, head.stored_version);
  if (update->exec() != 1) {
    // The stored version is not the one we decided against: someone wrote behind the
    // writer's back. Forget what we cached; the caller may retry.
    cache_.clear();
    throw std::runtime_error("project " + project.id + " changed underneath the writer");
  }
  if (changed & kPromotingUnitColumn) {
    // Through the index projects_parent: only this project's children are touched.
    auto children =
        connection_.statement("UPDATE projects SET parent_promoting_unit = ? WHERE parent = ?");
    bind_text_or_null(*children, 1, row.columns.promoting_unit);
    children->bind(2, project.id);
    children->exec();
  }
  if (std::vector<std::string> keys =
          engine::lookup_keys(workflow ? *workflow : *untagged, project);
      keys != head.stored_keys) {
    write_access(project.id, head.stored_keys, keys);
    head.stored_keys = std::move(keys);
  }
  head.stored_version = project.version;
  head.stored_row = std::move(row);
  if (options_.json_cache) {
    staged_json_[project.id] = ProjectJson{project.version, std::move(body)};
  }
}

void SqliteWriter::publish_json() {
  if (!options_.json_cache) return;
  // Only what stood: a project created by a command that was rolled back has no head in
  // the batch, and a head newer than its staged JSON cannot be (rows are written last).
  const auto& heads = layers_.back().heads;
  for (auto& [id, json] : staged_json_) {
    const auto head = heads.find(id);
    if (head != heads.end() && head->second.project.version == json.version) {
      options_.json_cache->publish(id, std::move(json));
    }
  }
  staged_json_.clear();
}

void SqliteWriter::notice_outside_writes() {
  const std::int64_t data_version = connection_.db().execAndGet("PRAGMA data_version").getInt64();
  if (data_version == data_version_) return;
  cache_.clear();
  reports_.forget();
  if (options_.json_cache) options_.json_cache->clear();
  data_version_ = data_version;
}

void SqliteWriter::write_access(const std::string& project_id,
                                const std::vector<std::string>& before,
                                const std::vector<std::string>& after) {
  std::vector<std::string> gone;
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                      std::back_inserter(gone));
  std::vector<std::string> added;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(added));
  if (!gone.empty()) {
    auto remove =
        connection_.statement("DELETE FROM project_access WHERE key = ? AND project_id = ?");
    for (const std::string& key : gone) {
      remove->bind(1, key);
      remove->bind(2, project_id);
      remove->exec();
      remove->reset();
    }
  }
  if (!added.empty()) {
    auto insert = connection_.statement(
        "INSERT OR IGNORE INTO project_access (key, project_id) VALUES (?, ?)");
    for (const std::string& key : added) {
      insert->bind(1, key);
      insert->bind(2, project_id);
      insert->exec();
      insert->reset();
    }
  }
}

void SqliteWriter::write_projections() {
  for (auto& [id, head] : layers_.back().heads) {
    if (head.project.version == head.stored_version) continue;
    update_projection(head);
  }
  reports_.flush();
}

std::int64_t SqliteWriter::insert_event(const engine::Event& event, const std::string& payload,
                                        const Hash& previous, const Hash& hash) {
  // The log chain links this event to the last one committed, whichever project it was
  // of: read from the table inside this transaction, so a rolled-back batch or another
  // process's write can never leave a stale link behind.
  Hash previous_log = kGenesisHash;
  {
    auto last = connection_.statement("SELECT log_hash FROM events ORDER BY id DESC LIMIT 1");
    if (last->executeStep()) {
      const SQLite::Column column = last->getColumn(0);
      previous_log = hash_from_bytes(column.getBlob(), static_cast<std::size_t>(column.getBytes()))
                         .value_or(kGenesisHash);
    }
  }
  const Hash log_hash = log_link(previous_log, hash);
  auto insert = connection_.statement(
      "INSERT INTO events (project_id, seq, type, actor, at, payload, prev_hash, hash, "
      "log_hash) VALUES (?,?,?,?,?,?,?,?,?)");
  insert->bind(1, event.project_id);
  insert->bind(2, event.version);
  insert->bind(3, std::string(engine::event_type(event)));
  insert->bind(4, event.actor);
  insert->bind(5, event.at);
  insert->bindNoCopy(6, payload);
  insert->bind(7, previous.data(), static_cast<int>(previous.size()));
  insert->bind(8, hash.data(), static_cast<int>(hash.size()));
  insert->bind(9, log_hash.data(), static_cast<int>(log_hash.size()));
  insert->exec();
  return connection_.db().getLastInsertRowid();
}

void SqliteWriter::insert_outbox(std::int64_t event_id, const engine::Event& event,
                                 std::span<const engine::NotifyDelivery> deliveries) {
  for (const OutboxRow& row : outbox_rows(deliveries)) {
    auto insert = connection_.statement(
        "INSERT INTO outbox (event_id, project_id, channel, triggers, recipients, "
        "next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?)");
    insert->bind(1, event_id);
    insert->bind(2, event.project_id);
    insert->bind(3, row.channel);
    insert->bind(4, row.triggers);
    insert->bind(5, row.recipients);
    insert->bind(6, event.at);
    insert->bind(7, event.at);
    insert->exec();
  }
}

void SqliteWriter::remember(const WriteRequest& request, const std::string& fingerprint,
                            const WriteResult& result, engine::Timestamp now) {
  auto insert = connection_.statement(
      "INSERT INTO idempotency_keys (actor, key, fingerprint, project_id, result, created_at) "
      "VALUES (?,?,?,?,?,?)");
  insert->bind(1, request.actor.id);
  insert->bind(2, request.idempotency_key);
  insert->bind(3, fingerprint);
  insert->bind(4, request.command.project_id);
  insert->bind(5, write_result_text(result));
  insert->bind(6, now);
  insert->exec();
  layers_.back().keys.insert_or_assign(request.actor.id + '\n' + request.idempotency_key,
                                       Remembered{fingerprint, result});
}

int SqliteWriter::holders_of_role(const std::string& role) {
  auto select = connection_.statement(
      "SELECT count(*) FROM users, json_each(users.roles) "
      "WHERE users.disabled = 0 AND json_each.value = ?");
  select->bind(1, role);
  return select->executeStep() ? select->getColumn(0).getInt() : 0;
}

const SqliteWriter::Head& SqliteWriter::load_head(const std::string& project_id) {
  for (auto layer = layers_.rbegin(); layer != layers_.rend(); ++layer) {
    if (auto found = layer->heads.find(project_id); found != layer->heads.end()) {
      return found->second;
    }
  }
  if (auto found = cache_.find(project_id); found != cache_.end()) return found->second;

  static const std::string kSelect =
      "SELECT body, head_hash, " + projection_row_select() + " FROM projects WHERE id = ?";
  auto select = connection_.statement(kSelect);
  select->bind(1, project_id);
  static const Head kNoProject;  // empty project, genesis hash
  if (!select->executeStep()) return kNoProject;
  auto project = decode_project(select->getColumn(0).getString());
  const SQLite::Column hash_column = select->getColumn(1);
  auto hash =
      hash_from_bytes(hash_column.getBlob(), static_cast<std::size_t>(hash_column.getBytes()));
  if (!project || !hash) {
    throw std::runtime_error("stored projection of " + project_id + " is unreadable" +
                             (project ? "" : ": " + project.error().to_string()));
  }
  // References to unordered_map elements survive rehashing; only erasure (the cache is
  // cleared between batches, never during one) would invalidate this one.
  // The row's columns as they are, not as the body would give them: an update that sets
  // only what changed must leave the same row as a rewrite of every column.
  ProjectionRow stored_row = read_projection_row(*select, 2);
  const std::int64_t stored_version = project->version;
  std::vector<std::string> stored_keys;
  if (const auto workflow = workflows_.find(project->workflow, project->workflow_version))
    stored_keys = engine::lookup_keys(*workflow, *project);
  return cache_
      .insert_or_assign(project_id, Head{std::move(*project), *hash, stored_version,
                                         std::move(stored_row), std::move(stored_keys)})
      .first->second;
}

const SqliteWriter::Remembered* SqliteWriter::find_remembered(const std::string& key) {
  for (auto layer = layers_.rbegin(); layer != layers_.rend(); ++layer) {
    if (auto found = layer->keys.find(key); found != layer->keys.end()) return &found->second;
  }
  const auto newline = key.find('\n');
  auto select = connection_.statement(
      "SELECT fingerprint, result FROM idempotency_keys WHERE actor = ? AND key = ?");
  select->bind(1, key.substr(0, newline));
  select->bind(2, key.substr(newline + 1));
  if (!select->executeStep()) return nullptr;
  Remembered remembered{select->getColumn(0).getString(),
                        write_result_from_text(select->getColumn(1).getString())};
  // Keep it in the current layer so the pointer stays valid while the command runs.
  auto [slot, inserted] = layers_.back().keys.insert_or_assign(key, std::move(remembered));
  (void)inserted;
  return &slot->second;
}

void SqliteWriter::merge_layer() {
  reports_.merge_layer();
  Layer top = std::move(layers_.back());
  layers_.pop_back();
  if (layers_.empty()) {
    for (auto& [id, head] : top.heads)
      cache_.insert_or_assign(id, std::move(head));
    return;
  }
  Layer& below = layers_.back();
  for (auto& [id, head] : top.heads)
    below.heads.insert_or_assign(id, std::move(head));
  for (auto& [key, remembered] : top.keys)
    below.keys.insert_or_assign(key, std::move(remembered));
}

void SqliteWriter::discard_layer() {
  reports_.discard_layer();
  layers_.pop_back();
}

void SqliteWriter::purge_expired_keys() {
  constexpr engine::Timestamp kEveryMs = 10 * 60 * 1000;
  const engine::Timestamp now = clock_.now();
  if (now - last_purge_ < kEveryMs) return;
  last_purge_ = now;
  auto remove = connection_.statement("DELETE FROM idempotency_keys WHERE created_at < ?");
  remove->bind(1, now - options_.idempotency_ttl_ms);
  remove->exec();
}

void SqliteWriter::exec(const std::string& sql) {
  connection_.statement(sql)->exec();
}

WriteResult SqliteWriter::failure(const std::exception& error) {
  WriteResult result = failed(error, system_errno());
  // SQLite reports some writes the OS refused for lack of room as I/O errors without always
  // saying why (EFBIG past the file size limit, a failed fallocate): a probe write beside
  // the database that finds no room either tells.
  if (result.fault == Fault::io && errno_fault(probe_space_errno(dir_)) == Fault::full) {
    result.fault = Fault::full;
  }
  note_write_failed(result.fault);
  return result;
}

int SqliteWriter::system_errno() {
  return sqlite3_system_errno(connection_.db().getHandle());
}

bool SqliteWriter::in_transaction() {
  return sqlite3_get_autocommit(connection_.db().getHandle()) == 0;
}

}  // namespace investflow::storage
