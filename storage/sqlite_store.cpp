#include "storage/sqlite_store.hpp"

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Transaction.h>
#include <sodium.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "storage/project_json_cache.hpp"
#include "storage/relations.hpp"
#include "storage/schema.hpp"
#include "storage/sqlite_queries.hpp"
#include "storage/sqlite_writer.hpp"
#include "storage/system_clock.hpp"
#include "storage/workflow_registry.hpp"

namespace investflow::storage {
namespace {

class SqliteStore final : public Store {
 public:
  SqliteStore(std::filesystem::path path, const SqliteOptions& options)
      : path_(std::move(path)),
        options_(options),
        clock_(options.clock ? options.clock : std::make_shared<SystemClock>()),
        readers_(path_, options.read_connections, options.busy_timeout_ms),
        json_cache_(options.json_cache_bytes > 0
                        ? std::make_shared<ProjectJsonCache>(options.json_cache_bytes)
                        : nullptr),
        writer_(path_, writer_options(options, json_cache_), workflows_, *clock_) {
    if (json_cache_) json_cache_->set_workflows(&workflows_);
  }

  static WriterOptions writer_options(const SqliteOptions& options,
                                      std::shared_ptr<ProjectJsonCache> json_cache) {
    WriterOptions out;
    out.synchronous = options.synchronous;
    out.busy_timeout_ms = options.busy_timeout_ms;
    out.max_batch = options.max_batch;
    out.projection_cache = options.projection_cache;
    out.overlap_flush = options.overlap_flush;
    out.json_cache = std::move(json_cache);
    return out;
  }

  Outcome<Ok> register_workflow(std::shared_ptr<const engine::Workflow> workflow,
                                const std::string& source) override {
    auto stored = write_definition([&](Connection& connection) -> Outcome<Ok> {
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

  Outcome<std::vector<StoredWorkflow>> stored_workflows() override {
    return read([](Connection& connection) { return query_workflows(connection); });
  }

  Outcome<std::vector<DeployResult>> deploy_workflows(
      const std::vector<WorkflowDeployment>& deployments) override {
    auto results = write_definition([&](Connection& connection)
                                        -> Outcome<std::vector<DeployResult>> {
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
      // All or nothing: write_definition commits only a success.
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
    return read([&workflow](Connection& connection) {
      // Projects per state come from the pipeline summary (report_pipeline_by, kept with
      // the projects in each transaction); only the projects on older versions than the
      // newest one any project is on are counted, from the index projects_workflow
      // (workflow, workflow_version, state). After a migration to a new version that is
      // few, where counting all 1,000,000 took 50 ms.
      std::vector<std::string> workflows;
      if (workflow.empty()) {
        auto every = connection.statement(
            "SELECT DISTINCT workflow FROM report_pipeline_by WHERE dimension = '' "
            "AND projects <> 0 ORDER BY workflow");
        while (every->executeStep())
          workflows.push_back(every->getColumn(0).getString());
      } else {
        workflows.push_back(workflow);
      }
      std::vector<VersionStateCount> counts;
      for (const std::string& id : workflows) {
        auto newest = connection.statement(
            "SELECT MAX(workflow_version) FROM projects "
            "WHERE workflow = ?");
        newest->bind(1, id);
        if (!newest->executeStep() || newest->getColumn(0).isNull()) continue;
        const std::int64_t version = newest->getColumn(0).getInt64();
        std::map<std::string, std::int64_t> on_newest;
        auto all = connection.statement(
            "SELECT state, projects FROM report_pipeline_by "
            "WHERE workflow = ? AND dimension = '' AND value = '' AND projects <> 0");
        all->bind(1, id);
        while (all->executeStep())
          on_newest[all->getColumn(0).getString()] = all->getColumn(1).getInt64();
        auto older = connection.statement(
            "SELECT workflow_version, state, count(*) FROM projects "
            "WHERE workflow = ? AND workflow_version < ? "
            "GROUP BY workflow_version, state ORDER BY workflow_version, state");
        older->bind(1, id);
        older->bind(2, version);
        while (older->executeStep()) {
          VersionStateCount count{id, older->getColumn(0).getInt64(),
                                  older->getColumn(1).getString(), older->getColumn(2).getInt64()};
          on_newest[count.state] -= count.count;
          counts.push_back(std::move(count));
        }
        for (const auto& [state, count] : on_newest) {
          if (count != 0) counts.push_back(VersionStateCount{id, version, state, count});
        }
      }
      std::sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
        return std::tie(a.workflow, a.version, a.state) < std::tie(b.workflow, b.version, b.state);
      });
      return counts;
    });
  }

  Outcome<bool> deploy_calendar(const engine::Calendar& calendar,
                                const std::string& source) override {
    const std::string source_hash = to_hex(chain_hash(kGenesisHash, source));
    return write_definition([&](Connection& connection) -> Outcome<bool> {
      auto select = connection.statement(
          "SELECT source_hash, first_year, last_year FROM calendars WHERE name = ?");
      select->bind(1, calendar.name());
      if (select->executeStep()) {
        if (select->getColumn(0).getString() == source_hash) return false;
        if (auto refused = drops_calendar_years(calendar, select->getColumn(1).getInt(),
                                                select->getColumn(2).getInt())) {
          return engine::fail(std::move(*refused));
        }
      }
      auto upsert = connection.statement(
          "INSERT INTO calendars (name, source, source_hash, first_year, last_year, deployed_at) "
          "VALUES (?,?,?,?,?,?) ON CONFLICT (name) DO UPDATE SET source = excluded.source, "
          "source_hash = excluded.source_hash, first_year = excluded.first_year, "
          "last_year = excluded.last_year, deployed_at = excluded.deployed_at");
      upsert->bind(1, calendar.name());
      upsert->bind(2, source);
      upsert->bind(3, source_hash);
      upsert->bind(4, calendar.first_year());
      upsert->bind(5, calendar.last_year());
      upsert->bind(6, clock_->now());
      upsert->exec();
      return true;
    });
  }

  Outcome<std::vector<StoredCalendar>> stored_calendars() override {
    return read([](Connection& connection) { return query_calendars(connection); });
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
    return read([id](Connection& connection) { return query_project(connection, id); });
  }

  Outcome<std::optional<ProjectJson>> project_json(std::string_view id) override {
    const WorkflowRegistry* workflows = &workflows_;
    if (!json_cache_) {
      return read([id, workflows](Connection& connection) {
        return query_project_json(connection, id, workflows);
      });
    }
    if (auto cached = json_cache_->find(id)) return std::optional<ProjectJson>(*cached);
    const std::uint64_t ticket = json_cache_->ticket(id);
    auto stored = read([id, workflows](Connection& connection) {
      return query_project_json(connection, id, workflows);
    });
    if (stored && *stored) json_cache_->fill(id, ticket, **stored);
    return stored;
  }

  Outcome<engine::Relations> relations(const engine::Project& project) override {
    const std::shared_ptr<const engine::Workflow> definition =
        workflows_.find(project.workflow, project.workflow_version);
    if (definition == nullptr || !has_relations(*definition, project, {})) {
      return engine::Relations{};
    }
    return read([&](Connection& connection) {
      std::optional<engine::Project> parent;
      RelationSource source;
      source.project = [&](const std::string& id) {
        parent = query_project(connection, id);
        return parent ? &*parent : nullptr;
      };
      source.children = [&](const std::string& parent_id, const std::string& workflow) {
        return query_children(connection, parent_id, workflow);
      };
      return relations_for(*definition, project, {}, with_registry(std::move(source), workflows_));
    });
  }

  std::shared_ptr<const ProjectJson> cached_project_json(std::string_view id) override {
    return json_cache_ ? json_cache_->find(id) : nullptr;
  }

  Outcome<ProjectPage> list_projects(const ProjectQuery& query) override {
    try {
      auto lease = readers_.borrow();
      return query_projects(*lease, query);
    } catch (const std::exception& error) {
      return engine::fail(storage_error(error));
    }
  }

  Outcome<std::vector<StoredEvent>> history(std::string_view project_id) override {
    return read(
        [project_id](Connection& connection) { return query_history(connection, project_id); });
  }

  std::vector<std::shared_ptr<const engine::Workflow>> registered_workflows() const override {
    return workflows_.all();
  }

  Outcome<bool> visible(std::string_view project_id, const engine::DataScope& scope) override {
    if (scope.unrestricted()) return true;
    return read([project_id, &scope](Connection& connection) {
      return query_visible(connection, project_id, scope);
    });
  }

  Outcome<std::vector<std::string>> projects_with_attachment(
      std::string_view attachment_id) override {
    return read([attachment_id](Connection& connection) {
      return query_projects_with_attachment(connection, attachment_id);
    });
  }

  Outcome<std::vector<StoredEvent>> events_after(std::int64_t after_id, int limit) override {
    return read([after_id, limit](Connection& connection) {
      return query_events_after(connection, after_id, limit);
    });
  }

  StoreStats stats() override {
    StoreStats stats = writer_.stats();
    // The partial index outbox_pending holds exactly the pending rows.
    auto pending = read([](Connection& connection) {
      return connection.db()
          .execAndGet(
              "SELECT count(*) FROM outbox INDEXED BY outbox_pending "
              "WHERE status = 'pending'")
          .getInt64();
    });
    if (pending) stats.outbox_pending = *pending;
    return stats;
  }

  Outcome<std::int64_t> last_event_id() override {
    return read([](Connection& connection) { return query_last_event_id(connection); });
  }

 private:
  template <typename Query>
  auto read(Query query) -> Outcome<decltype(query(std::declval<Connection&>()))> {
    try {
      auto lease = readers_.borrow();
      return query(*lease);
    } catch (const std::exception& error) {
      return engine::fail(storage_error(error));
    }
  }

  // When (id, version) was stored with this text; nullopt when it is not stored; an
  // invalid_request error when it is stored with another text.
  static Outcome<std::optional<engine::Timestamp>> stored_version(Connection& connection,
                                                                  const engine::Workflow& workflow,
                                                                  const std::string& source) {
    auto select = connection.statement(
        "SELECT source_hash, loaded_at FROM workflows WHERE id = ? AND version = ?");
    select->bind(1, workflow.id);
    select->bind(2, workflow.version);
    if (!select->executeStep()) return std::optional<engine::Timestamp>();
    if (select->getColumn(0).getString() == to_hex(chain_hash(kGenesisHash, source))) {
      return std::optional<engine::Timestamp>(select->getColumn(1).getInt64());
    }
    return engine::fail(changed_definition(workflow));
  }

  engine::Timestamp insert_workflow(Connection& connection, const engine::Workflow& workflow,
                                    const std::string& source) {
    const engine::Timestamp now = clock_->now();
    auto insert = connection.statement(
        "INSERT INTO workflows (id, version, source, source_hash, loaded_at) VALUES (?,?,?,?,?)");
    insert->bind(1, workflow.id);
    insert->bind(2, workflow.version);
    insert->bind(3, source);
    insert->bind(4, to_hex(chain_hash(kGenesisHash, source)));
    insert->bind(5, now);
    insert->exec();
    return now;
  }

  // One workflow of a deploy, inside its transaction: stored already with this text, or
  // newer than the newest of its id.
  Outcome<DeployResult> deploy_one(Connection& connection, const engine::Workflow& workflow,
                                   const std::string& source) {
    auto existing = stored_version(connection, workflow, source);
    if (!existing) return engine::fail(existing.error());
    if (*existing) return DeployResult{false, **existing};
    auto newest = connection.statement("SELECT max(version) FROM workflows WHERE id = ?");
    newest->bind(1, workflow.id);
    if (newest->executeStep() && !newest->getColumn(0).isNull()) {
      if (auto refused = older_than_stored(workflow, newest->getColumn(0).getInt64())) {
        return engine::fail(std::move(*refused));
      }
    }
    return DeployResult{true, insert_workflow(connection, workflow, source)};
  }

  // Definitions (workflows, calendars) are written rarely, on a connection of their own
  // beside the writer's: `change` runs in one immediate transaction, committed when it
  // succeeds and rolled back when it fails or throws.
  template <typename Change>
  auto write_definition(Change change) -> decltype(change(std::declval<Connection&>())) {
    try {
      Connection connection(path_, Connection::Mode::read_write, options_.busy_timeout_ms,
                            options_.synchronous);
      SQLite::Transaction transaction(connection.db(), SQLite::TransactionBehavior::IMMEDIATE);
      auto outcome = change(connection);
      if (outcome) transaction.commit();
      return outcome;
    } catch (const std::exception& error) {
      return engine::fail(storage_error(error));
    }
  }

  const std::filesystem::path path_;
  const SqliteOptions options_;
  const std::shared_ptr<const engine::Clock> clock_;
  WorkflowRegistry workflows_;
  ReadPool readers_;
  std::shared_ptr<ProjectJsonCache> json_cache_;  // null when off; shared with the writer
  SqliteWriter writer_;  // last: stopped (queue drained) before the rest goes
};

}  // namespace

Outcome<int> init_sqlite_database(const std::filesystem::path& path) {
  try {
    Connection connection(path, Connection::Mode::read_write, 10000);
    auto version = migrate(connection.db());
    if (!version) return engine::fail(Error{Error::Kind::storage, version.error()});
    return *version;
  } catch (const std::exception& error) {
    return engine::fail(Error{Error::Kind::storage, open_failure(path, error), fault_of(error)});
  }
}

Outcome<Ok> check_writable(const std::filesystem::path& path, int busy_timeout_ms) {
  try {
    Connection connection(path, Connection::Mode::read_write, busy_timeout_ms);
    SQLite::Database& db = connection.db();
    db.exec("BEGIN IMMEDIATE");
    // A page written (and rolled back): on a read-only file or filesystem whose -wal and
    // -shm exist, SQLite opens read-only and grants the lock; only a write tells.
    try {
      db.exec("PRAGMA user_version = " +
              std::to_string(db.execAndGet("PRAGMA user_version").getInt()));
    } catch (...) {
      db.tryExec("ROLLBACK");
      throw;
    }
    db.exec("ROLLBACK");
    return Ok{};
  } catch (const std::exception& error) {
    return engine::fail(Error{Error::Kind::storage, open_failure(path, error), fault_of(error)});
  }
}

Outcome<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path,
                                                  const SqliteOptions& options) {
  if (sodium_init() < 0) return engine::fail(Error{Error::Kind::storage, "libsodium failed"});
  auto version = init_sqlite_database(path);
  if (!version) return engine::fail(version.error());
  if (auto writable = check_writable(path, options.busy_timeout_ms); !writable) {
    return engine::fail(std::move(writable.error()));
  }
  try {
    return std::unique_ptr<Store>(std::make_unique<SqliteStore>(path, options));
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

}  // namespace investflow::storage
