#include "storage/pg_schema.hpp"

#include <array>
#include <stdexcept>
#include <string_view>

namespace investflow::storage {
namespace {

// Never edit a shipped migration: add a new one.
constexpr std::array<std::string_view, kPgSchemaVersion> kPgMigrations = {
    // 1: the write model: workflows, calendars, projects, the append-only event log with
    // its chains, the outbox, idempotency keys, and the users a review panel counts.
    R"sql(
CREATE TABLE workflows (
  id          TEXT   NOT NULL,
  version     BIGINT NOT NULL,
  source      TEXT   NOT NULL,   -- the YAML as loaded
  source_hash TEXT   NOT NULL,   -- hex SHA-256 of source
  loaded_at   BIGINT NOT NULL,   -- ms since the epoch
  PRIMARY KEY (id, version)
);

CREATE TABLE calendars (
  name        TEXT    PRIMARY KEY,
  source      TEXT    NOT NULL,
  source_hash TEXT    NOT NULL,
  first_year  INTEGER NOT NULL,
  last_year   INTEGER NOT NULL,
  deployed_at BIGINT  NOT NULL
);

-- The projection, as in the SQLite store: `body` is the canonical JSON of engine::Project,
-- the other columns copy what lists and filters index. Text that lists sort by sorts in
-- collation "C" (by bytes), as in SQLite, whatever the database's own collation: pages
-- and their cursors then agree between the stores, and the indexes serve the sorts.
CREATE TABLE projects (
  id                    TEXT   COLLATE "C" PRIMARY KEY,
  workflow              TEXT   NOT NULL,
  workflow_version      BIGINT NOT NULL,
  state                 TEXT   NOT NULL,
  version               BIGINT NOT NULL,
  owner                 TEXT   NOT NULL,
  name                  TEXT   COLLATE "C" NOT NULL DEFAULT '',
  investor              TEXT   NOT NULL DEFAULT '',
  industry              TEXT   NOT NULL DEFAULT '',
  total_investment      DOUBLE PRECISION NOT NULL DEFAULT 0,
  created_at            BIGINT NOT NULL,
  updated_at            BIGINT NOT NULL,
  state_entered_at      BIGINT NOT NULL,
  next_due_on           TEXT   COLLATE "C" NOT NULL DEFAULT '9999-12-31',
  next_alert_on         TEXT   COLLATE "C" NOT NULL DEFAULT '9999-12-31',
  body                  TEXT   NOT NULL,
  head_hash             BYTEA  NOT NULL,
  parent                TEXT   REFERENCES projects (id),
  responsible_unit      TEXT,
  problem_category      TEXT,
  promoting_unit        TEXT,
  parent_promoting_unit TEXT,
  FOREIGN KEY (workflow, workflow_version) REFERENCES workflows (id, version)
);
CREATE INDEX projects_state ON projects (state, updated_at, id);
CREATE INDEX projects_updated ON projects (updated_at, id);
CREATE INDEX projects_created ON projects (created_at, id);
CREATE INDEX projects_name ON projects (name, id);
CREATE INDEX projects_investment ON projects (total_investment, id);
CREATE INDEX projects_due ON projects (next_due_on, id);
CREATE INDEX projects_alert ON projects (next_alert_on, id) WHERE next_alert_on < '9999-12-31';
CREATE INDEX projects_industry ON projects (industry);
CREATE INDEX projects_workflow ON projects (workflow, workflow_version, state);
CREATE INDEX projects_owner ON projects (owner);
CREATE INDEX projects_parent ON projects (parent, workflow) WHERE parent IS NOT NULL;

-- The event log. `seq` is the project's version after the event; (project_id, seq) is
-- unique, so of two servers deciding on the same version of a project only one commits.
-- `log_hash` chains every event in id order (the log chain); log_head holds the last id and
-- link and is locked by each writing transaction, which orders ids and chain across servers.
CREATE TABLE events (
  id         BIGINT PRIMARY KEY,  -- given out by the writer holding log_head: no gaps
  project_id TEXT   COLLATE "C" NOT NULL REFERENCES projects (id),
  seq        BIGINT NOT NULL,
  type       TEXT   NOT NULL,
  actor      TEXT   NOT NULL,
  at         BIGINT NOT NULL,
  payload    TEXT   NOT NULL,
  prev_hash  BYTEA  NOT NULL,
  hash       BYTEA  NOT NULL,
  log_hash   BYTEA  NOT NULL,
  UNIQUE (project_id, seq)
);
CREATE FUNCTION investflow_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION investflow_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION investflow_append_only();

CREATE TABLE log_head (
  only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
  last_id  BIGINT  NOT NULL,
  hash     BYTEA   NOT NULL
);
INSERT INTO log_head (last_id, hash) VALUES (0, '\x0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE event_batches (
  event_id BIGINT PRIMARY KEY REFERENCES events (id),
  batch    TEXT   NOT NULL
);

CREATE TABLE outbox (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id        BIGINT NOT NULL REFERENCES events (id),
  project_id      TEXT   NOT NULL,
  channel         TEXT   NOT NULL,
  triggers        TEXT   NOT NULL,
  recipients      TEXT   NOT NULL,
  status          TEXT   NOT NULL DEFAULT 'pending',
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error      TEXT,
  created_at      BIGINT NOT NULL,
  UNIQUE (event_id, channel)
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE status = 'pending';

CREATE TABLE idempotency_keys (
  actor       TEXT   NOT NULL,
  key         TEXT   NOT NULL,
  fingerprint TEXT   NOT NULL,
  project_id  TEXT   NOT NULL,
  result      TEXT   NOT NULL,
  created_at  BIGINT NOT NULL,
  PRIMARY KEY (actor, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE users (
  id            TEXT    PRIMARY KEY,
  display_name  TEXT    NOT NULL,
  roles         JSONB   NOT NULL DEFAULT '[]',
  password_hash TEXT,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    BIGINT  NOT NULL,
  updated_at    BIGINT  NOT NULL
);

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'investflow_server') THEN
    CREATE ROLE investflow_server NOLOGIN;
  END IF;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON workflows, calendars, projects, log_head,
  event_batches, outbox, idempotency_keys, users TO investflow_server;
GRANT SELECT, INSERT ON events TO investflow_server;
)sql",
};

}  // namespace

int migrate_pg(PgConnection& connection) {
  return in_transaction(connection, [&] {
    // One migrator at a time; the others wait here and then find nothing to do.
    connection.exec("SELECT pg_advisory_xact_lock(7264801)");
    connection.exec(
        "CREATE TABLE IF NOT EXISTS investflow_schema ("
        " only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row), version INTEGER NOT NULL)");
    PgResult row = connection.exec("SELECT version FROM investflow_schema");
    int version = row.rows() == 0 ? 0 : static_cast<int>(row.number(0, 0));
    if (version > kPgSchemaVersion) {
      throw std::runtime_error("the database has schema version " + std::to_string(version) +
                               ", newer than this investflow knows (" +
                               std::to_string(kPgSchemaVersion) +
                               "): it was written by a newer investflow");
    }
    if (row.rows() == 0) connection.exec("INSERT INTO investflow_schema (version) VALUES (0)");
    for (; version < kPgSchemaVersion; ++version) {
      connection.exec_script(std::string(kPgMigrations[static_cast<std::size_t>(version)]));
    }
    connection.exec("UPDATE investflow_schema SET version = $1",
                    PgParams().number(kPgSchemaVersion));
    return version;
  });
}

}  // namespace investflow::storage
