#include "storage/pg_schema.hpp"

#include <array>
#include <stdexcept>
#include <string_view>

#include "engine/visibility.hpp"
#include "storage/codec.hpp"
#include "storage/reports_ledger.hpp"
#include "storage/sql_statement.hpp"
#include "workflows/loader.hpp"

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
    // 2: people and credentials (storage/auth.hpp): users' units, sessions, API tokens,
    // saved filters, as in the SQLite schema (schema.cpp: 3, 16, 17, 19). Secrets are stored
    // only as hashes: session ids and tokens as their SHA-256, passwords as argon2id strings.
    R"sql(
ALTER TABLE users ADD COLUMN unit TEXT NOT NULL DEFAULT '';

CREATE TABLE sessions (
  token_hash   BYTEA  PRIMARY KEY,              -- SHA-256 of the cookie value
  user_id      TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token   TEXT   NOT NULL,
  created_at   BIGINT NOT NULL,                 -- ms since the epoch
  last_seen_at BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
  id           TEXT   COLLATE "C" PRIMARY KEY,  -- public id, shown in listings
  token_hash   BYTEA  NOT NULL UNIQUE,          -- SHA-256 of the secret
  user_id      TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         TEXT   NOT NULL,
  created_at   BIGINT NOT NULL,
  last_used_at BIGINT,
  expires_at   BIGINT,                          -- NULL: never
  revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE saved_filters (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name       TEXT   COLLATE "C" NOT NULL,
  params     TEXT   NOT NULL,                   -- JSON object: the list's query parameters
  updated_at BIGINT NOT NULL,
  UNIQUE (user_id, name)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON sessions, api_tokens, saved_filters
  TO investflow_server;
)sql",
    // 3: notifications (notify/notify_store.hpp): inboxes, settings, webhooks, deliveries,
    // robot posts, and outbox claims.
    R"sql(
-- One row per (user, event): the outbox's inbox rows resolved to people; or a notice from
-- the server itself (no event, no project), which each user gets once per key. As SQLite's
-- (storage/schema.cpp, migrations 5, 7 and 15).
CREATE TABLE notifications (
  id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    TEXT    NOT NULL,
  event_id   BIGINT  REFERENCES events (id),   -- null for a notice
  project_id TEXT    NOT NULL,                 -- '' for a notice
  type       TEXT    NOT NULL,                 -- the event's type, or the notice's kind
  triggers   TEXT    NOT NULL DEFAULT '[]',    -- JSON: ["enter:signed", "sla_overdue", ...]
  title_zh   TEXT    NOT NULL,
  title_en   TEXT    NOT NULL,
  created_at BIGINT  NOT NULL,
  read_at    BIGINT,
  notice     TEXT,                             -- a notice's key: each user gets it once
  held       INTEGER NOT NULL DEFAULT 0,       -- held for the day's digest (1), or its count
  UNIQUE (user_id, event_id),
  UNIQUE (user_id, notice)
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_user_type ON notifications (user_id, type, id);

CREATE TABLE notification_settings (
  user_id   TEXT PRIMARY KEY,
  deadlines TEXT NOT NULL DEFAULT 'each'   -- each | digest
);

-- Webhook subscriptions. `after_event_id`: every event up to it has its delivery row (the
-- fan-out's position). The secret is sealed (notify/secret_box.hpp).
CREATE TABLE webhooks (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url            TEXT   NOT NULL,
  secret         TEXT   NOT NULL DEFAULT '',
  events         TEXT   NOT NULL DEFAULT '["*"]',  -- JSON filter
  format         TEXT   NOT NULL DEFAULT 'json',   -- json | wecom | dingtalk
  created_by     TEXT   NOT NULL,
  created_at     BIGINT NOT NULL,
  after_event_id BIGINT NOT NULL,
  deleted_at     BIGINT
);

-- One row per (webhook, event): the delivery log, retried with backoff, then dead.
-- `digest`: the first delivery of the digest message that carried it. A dispatcher claims
-- the due rows it posts (claimed_by, until claimed_until, ms on the server's clock), so
-- that the dispatchers of several servers never post one twice (notify/pg_notify_store.hpp).
CREATE TABLE deliveries (
  id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  webhook_id      BIGINT  NOT NULL REFERENCES webhooks (id),
  event_id        BIGINT  NOT NULL REFERENCES events (id),
  status          TEXT    NOT NULL DEFAULT 'pending',  -- pending | delivered | dead
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT  NOT NULL,
  last_error      TEXT,
  last_status     INTEGER,                             -- the receiver's HTTP status
  created_at      BIGINT  NOT NULL,
  delivered_at    BIGINT,
  digest          BIGINT,
  claimed_by      TEXT,
  claimed_until   BIGINT,
  UNIQUE (webhook_id, event_id)
);
CREATE INDEX deliveries_due ON deliveries (webhook_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_status ON deliveries (status, id);

-- One row per post to a chat robot, by the robot's URL (its rate limit across restarts).
CREATE TABLE robot_posts (
  url TEXT   NOT NULL,
  at  BIGINT NOT NULL
);
CREATE INDEX robot_posts_url ON robot_posts (url, at);

-- Outbox claims, as for deliveries: a claimed pending row is left to its dispatcher until
-- settled or until the claim lapses.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT, ADD COLUMN claimed_until BIGINT;
CREATE INDEX outbox_pending_channel ON outbox (channel, id) WHERE status = 'pending';

GRANT SELECT, INSERT, UPDATE, DELETE ON notifications, notification_settings, webhooks,
  deliveries, robot_posts TO investflow_server;
)sql",
    // 4: the security audit log (storage/audit.hpp), append-only like the events and chained
    // the same way. Appenders take advisory lock kPgAuditLock for the length of their
    // transaction, so servers appending together extend one chain. And the projects' access
    // and holder keys (engine::lookup_keys), for lists by data scope and 我的待办, kept by the
    // writer; projects stored before get theirs in the migration (backfill_access_keys). And
    // a NOTIFY on investflow_events at each commit that appends events (PgStore::watch_commits).
    R"sql(
CREATE TABLE project_access (
  key        TEXT COLLATE "C" NOT NULL,
  project_id TEXT COLLATE "C" NOT NULL REFERENCES projects (id),
  PRIMARY KEY (key, project_id)
);
CREATE INDEX project_access_project ON project_access (project_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON project_access TO investflow_server;

-- Every transaction that appends events moves log_head: servers LISTENing on
-- investflow_events hear of it at its commit (live update streams, the dispatcher), whoever
-- wrote, without polling.
CREATE FUNCTION investflow_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('investflow_events', NEW.last_id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER log_head_notify AFTER UPDATE ON log_head
  FOR EACH ROW EXECUTE FUNCTION investflow_notify_events();

CREATE TABLE audit_log (
  id         BIGINT PRIMARY KEY,
  at         BIGINT NOT NULL,   -- ms since the epoch
  actor      TEXT   NOT NULL,   -- the user id; '' when nobody is signed in
  action     TEXT   NOT NULL,   -- login, login_failed, denied, user_created, ... (audit.hpp)
  target     TEXT   NOT NULL,
  address    TEXT   NOT NULL,   -- the client's address; 'cli' from the command line
  request_id TEXT   NOT NULL,
  detail     TEXT   NOT NULL,   -- canonical JSON object
  prev_hash  BYTEA  NOT NULL,
  hash       BYTEA  NOT NULL    -- SHA-256(prev_hash || canonical JSON of the entry)
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION investflow_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION investflow_append_only();
GRANT SELECT, INSERT ON audit_log TO investflow_server;
)sql",
    // 5: the report summaries (storage/reports_ledger.hpp), kept by the writer in the same
    // transaction as the events, and the promoting units' targets (funds_report.hpp): the
    // tables of SQLite's schema as it stands after its migration 24. Events stored before get
    // their summaries in the migration (ReportLedger::rebuild). And the index that finds the
    // projects holding an attachment.
    R"sql(
CREATE TABLE report_projects (
  project_id TEXT COLLATE "C" PRIMARY KEY,
  workflow TEXT COLLATE "C" NOT NULL,
  state TEXT COLLATE "C" NOT NULL,
  industry TEXT COLLATE "C" NOT NULL,
  chain_role TEXT COLLATE "C" NOT NULL,
  owner TEXT COLLATE "C" NOT NULL,
  promoting_unit TEXT COLLATE "C" NOT NULL,
  investor TEXT COLLATE "C" NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  created_day BIGINT NOT NULL,
  state_entered_at BIGINT NOT NULL,
  investment DOUBLE PRECISION NOT NULL,
  floor_area DOUBLE PRECISION NOT NULL,
  committed DOUBLE PRECISION NOT NULL,
  funds_in_place DOUBLE PRECISION NOT NULL,
  reached TEXT COLLATE "C" NOT NULL,
  signed_day BIGINT, started_day BIGINT, completed_day BIGINT, production_day BIGINT,
  exited_day BIGINT, start_due_day BIGINT, start_done_day BIGINT, completion_due_day BIGINT,
  completion_done_day BIGINT, breach_day BIGINT, start_open_due_day BIGINT,
  problem_status BIGINT, problem_unit TEXT COLLATE "C" NOT NULL DEFAULT '',
  problem_category TEXT COLLATE "C" NOT NULL DEFAULT '', problem_on_time BIGINT
);
CREATE INDEX report_projects_created ON report_projects (workflow, created_day, investor);
CREATE INDEX report_projects_waiting ON report_projects (workflow, state, state_entered_at);
CREATE TABLE report_pipeline (
  workflow TEXT COLLATE "C" NOT NULL, state TEXT COLLATE "C" NOT NULL, industry TEXT COLLATE "C" NOT NULL,
  chain_role TEXT COLLATE "C" NOT NULL, owner TEXT COLLATE "C" NOT NULL, promoting_unit TEXT COLLATE "C" NOT NULL,
  projects BIGINT NOT NULL, investment DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (workflow, state, industry, chain_role, owner, promoting_unit)
);
CREATE TABLE report_created (
  workflow TEXT COLLATE "C" NOT NULL, created_day BIGINT NOT NULL, state TEXT COLLATE "C" NOT NULL,
  projects BIGINT NOT NULL, investment DOUBLE PRECISION NOT NULL, floor_area DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (workflow, created_day, state)
);
CREATE TABLE report_reached (
  workflow TEXT COLLATE "C" NOT NULL, reached_day BIGINT NOT NULL, state TEXT COLLATE "C" NOT NULL,
  projects BIGINT NOT NULL, investment DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (workflow, reached_day, state)
);
CREATE TABLE report_funnel (
  workflow TEXT COLLATE "C" NOT NULL, created_day BIGINT NOT NULL, state TEXT COLLATE "C" NOT NULL,
  projects BIGINT NOT NULL,
  PRIMARY KEY (workflow, created_day, state)
);
CREATE TABLE report_durations (
  workflow TEXT COLLATE "C" NOT NULL, state TEXT COLLATE "C" NOT NULL, left_day BIGINT NOT NULL,
  entered_day BIGINT NOT NULL, visits BIGINT NOT NULL,
  PRIMARY KEY (workflow, state, left_day, entered_day)
);
CREATE TABLE report_deadlines (
  workflow TEXT COLLATE "C" NOT NULL, kind TEXT COLLATE "C" NOT NULL, met_day BIGINT NOT NULL,
  on_time BIGINT NOT NULL, met BIGINT NOT NULL,
  PRIMARY KEY (workflow, kind, met_day, on_time)
);
CREATE TABLE report_signed (
  workflow TEXT COLLATE "C" NOT NULL, signed_day BIGINT NOT NULL, state TEXT COLLATE "C" NOT NULL,
  projects BIGINT NOT NULL,
  PRIMARY KEY (workflow, signed_day, state)
);
CREATE TABLE report_signed_funds (
  workflow TEXT COLLATE "C" NOT NULL, signed_day BIGINT NOT NULL,
  projects BIGINT NOT NULL, funds_in_place DOUBLE PRECISION NOT NULL, committed DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (workflow, signed_day)
);
CREATE INDEX report_projects_signed ON report_projects (
  workflow, signed_day, started_day, production_day, completed_day, exited_day,
  start_due_day, start_done_day, completion_due_day, completion_done_day, breach_day)
  WHERE signed_day IS NOT NULL;
CREATE INDEX report_projects_start_open ON report_projects (workflow, start_open_due_day)
  WHERE start_open_due_day IS NOT NULL;
CREATE INDEX report_projects_start_open_all ON report_projects (start_open_due_day)
  WHERE start_open_due_day IS NOT NULL;
CREATE INDEX report_projects_signed_all ON report_projects (signed_day)
  WHERE signed_day IS NOT NULL;
CREATE INDEX report_projects_started ON report_projects (started_day)
  WHERE started_day IS NOT NULL;
CREATE INDEX report_projects_completed ON report_projects (completed_day)
  WHERE completed_day IS NOT NULL;
CREATE INDEX report_projects_production ON report_projects (production_day)
  WHERE production_day IS NOT NULL;
CREATE INDEX report_projects_exited ON report_projects (exited_day)
  WHERE exited_day IS NOT NULL;
CREATE INDEX report_projects_created_all ON report_projects (created_day);
CREATE TABLE report_funds (
  workflow TEXT COLLATE "C" NOT NULL, month BIGINT NOT NULL, source TEXT COLLATE "C" NOT NULL,
  promoting_unit TEXT COLLATE "C" NOT NULL, entries BIGINT NOT NULL, amount DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (month, workflow, source, promoting_unit)
);
CREATE TABLE report_unit_reached (
  workflow TEXT COLLATE "C" NOT NULL, state TEXT COLLATE "C" NOT NULL, reached_day BIGINT NOT NULL,
  promoting_unit TEXT COLLATE "C" NOT NULL, projects BIGINT NOT NULL, investment DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (workflow, state, reached_day, promoting_unit)
);
CREATE TABLE targets (
  year BIGINT NOT NULL,
  unit TEXT COLLATE "C" NOT NULL,
  figure TEXT COLLATE "C" NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  set_by TEXT COLLATE "C" NOT NULL,
  set_at BIGINT NOT NULL,
  PRIMARY KEY (year, unit, figure)
);
CREATE TABLE target_history (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  year BIGINT NOT NULL,
  unit TEXT COLLATE "C" NOT NULL,
  figure TEXT COLLATE "C" NOT NULL,
  before DOUBLE PRECISION,
  after DOUBLE PRECISION,
  by TEXT COLLATE "C" NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX target_history_year ON target_history (year, id);
CREATE INDEX report_projects_started_list ON report_projects (
  workflow, project_id, started_day, completed_day, exited_day, name, investor, promoting_unit,
  state, investment, created_day, signed_day, production_day, start_due_day)
  WHERE started_day IS NOT NULL;
CREATE INDEX report_projects_start_open_list ON report_projects (
  workflow, project_id, start_open_due_day, name, investor, promoting_unit, state, investment,
  created_day, signed_day, started_day, completed_day, production_day, start_due_day)
  WHERE start_open_due_day IS NOT NULL;
CREATE TABLE report_problems (
  workflow TEXT COLLATE "C" NOT NULL, terminal BIGINT NOT NULL, created_day BIGINT NOT NULL,
  resolved BIGINT NOT NULL, unit TEXT COLLATE "C" NOT NULL, category TEXT COLLATE "C" NOT NULL,
  problems BIGINT NOT NULL, on_time BIGINT NOT NULL,
  PRIMARY KEY (workflow, terminal, created_day, resolved, unit, category)
);
CREATE TABLE report_problem_months (
  workflow TEXT COLLATE "C" NOT NULL, terminal BIGINT NOT NULL, month BIGINT NOT NULL,
  resolved BIGINT NOT NULL, unit TEXT COLLATE "C" NOT NULL, category TEXT COLLATE "C" NOT NULL,
  problems BIGINT NOT NULL, on_time BIGINT NOT NULL,
  PRIMARY KEY (workflow, terminal, month, resolved, unit, category)
);
CREATE TABLE report_problem_closings (
  workflow TEXT COLLATE "C" NOT NULL, created_day BIGINT NOT NULL, resolved_day BIGINT NOT NULL,
  problems BIGINT NOT NULL,
  PRIMARY KEY (workflow, created_day, resolved_day)
);
CREATE TABLE report_pipeline_by (
  workflow TEXT COLLATE "C" NOT NULL,
  dimension TEXT COLLATE "C" NOT NULL,
  value TEXT COLLATE "C" NOT NULL,
  state TEXT COLLATE "C" NOT NULL, projects BIGINT NOT NULL, investment DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (workflow, dimension, value, state)
);
CREATE TABLE report_enterprise_days (
  workflow TEXT COLLATE "C" NOT NULL, investor TEXT COLLATE "C" NOT NULL, created_day BIGINT NOT NULL,
  projects BIGINT NOT NULL,
  PRIMARY KEY (workflow, investor, created_day)
);
CREATE TABLE report_enterprises (
  workflow TEXT COLLATE "C" NOT NULL, created_day BIGINT NOT NULL,
  previous_day BIGINT NOT NULL,
  enterprises BIGINT NOT NULL,
  PRIMARY KEY (workflow, created_day, previous_day)
);
CREATE TABLE report_enterprise_marks (
  workflow TEXT COLLATE "C" NOT NULL,
  kind BIGINT NOT NULL,
  day BIGINT NOT NULL, links BIGINT NOT NULL,
  PRIMARY KEY (workflow, kind, day)
);
CREATE TABLE report_created_months (
  workflow TEXT COLLATE "C" NOT NULL, month BIGINT NOT NULL, state TEXT COLLATE "C" NOT NULL,
  projects BIGINT NOT NULL, investment DOUBLE PRECISION NOT NULL, floor_area DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (workflow, month, state)
);
CREATE TABLE report_reached_months (
  workflow TEXT COLLATE "C" NOT NULL, month BIGINT NOT NULL, state TEXT COLLATE "C" NOT NULL,
  projects BIGINT NOT NULL, investment DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (workflow, month, state)
);
CREATE TABLE report_duration_months (
  workflow TEXT COLLATE "C" NOT NULL, state TEXT COLLATE "C" NOT NULL, month BIGINT NOT NULL,
  visits BIGINT NOT NULL,
  PRIMARY KEY (workflow, state, month)
);
CREATE TABLE report_enterprise_mark_months (
  workflow TEXT COLLATE "C" NOT NULL, kind BIGINT NOT NULL, month BIGINT NOT NULL,
  links BIGINT NOT NULL,
  PRIMARY KEY (workflow, kind, month)
);
-- The projects holding an attachment (PgStore::projects_with_attachment), as SQLite's
-- index events_attachment.
CREATE INDEX events_attachment ON events (((payload::jsonb #>> '{body,attachment_id}')))
  WHERE type = 'file_attached';
-- SQLite's TOTAL(): the sum as a double, 0 over no rows; the reports' SQL runs on both.
CREATE AGGREGATE total(double precision) (
  SFUNC = float8pl, STYPE = double precision, INITCOND = '0');
GRANT SELECT, INSERT, UPDATE, DELETE ON
  report_projects, report_pipeline, report_created, report_reached, report_funnel, report_durations, report_deadlines, report_signed, report_signed_funds, report_funds, report_unit_reached, targets, target_history, report_problems, report_problem_months, report_problem_closings, report_pipeline_by, report_enterprise_days, report_enterprises, report_enterprise_marks, report_created_months, report_reached_months, report_duration_months, report_enterprise_mark_months
  TO investflow_server;
)sql",
    // 6: a server's login (granted investflow_server) opens the database, reading its
    // schema version.
    R"sql(
GRANT SELECT ON investflow_schema TO investflow_server;
)sql",
};

// Migration 4: the project_access rows of the projects already stored, from their bodies
// read through the stored workflow version they were decided with (as SQLite's migration 22,
// projection_backfill.hpp).
void backfill_access_keys(PgConnection& connection) {
  const auto calendars = workflows::CalendarRegistry::with_stand_ins();
  PgResult stored = connection.exec("SELECT id, version, source FROM workflows");
  for (int i = 0; i < stored.rows(); ++i) {
    auto load =
        workflows::load_workflow_text(std::string(stored.text(i, 2)), "stored workflow", calendars);
    if (!load.workflow) continue;  // `investflow verify` reports what it cannot read
    PgResult rows = connection.exec(
        "SELECT id, body FROM projects WHERE workflow = $1 AND workflow_version = $2",
        PgParams().text(std::string(stored.text(i, 0))).number(stored.number(i, 1)));
    PgArray keys, projects;
    for (int row = 0; row < rows.rows(); ++row) {
      auto project = decode_project(rows.text(row, 1));
      if (!project) continue;
      for (const std::string& key : engine::lookup_keys(*load.workflow, *project))
        keys.text(key), projects.text(std::string(rows.text(row, 0)));
    }
    if (keys.empty()) continue;
    connection.exec(
        "INSERT INTO project_access (key, project_id) SELECT * FROM unnest($1::text[], "
        "$2::text[]) ON CONFLICT DO NOTHING",
        PgParams().text(keys.literal()).text(projects.literal()));
  }
}

}  // namespace

int migrate_pg(PgConnection& connection) {
  return in_transaction(connection, [&] {
    // One migrator at a time; the others wait here and then find nothing to do.
    connection.exec("SELECT pg_advisory_xact_lock($1)", PgParams().number(kPgMigrationLock));
    // Created once, by the tables' owner: a server's login (granted investflow_server, no
    // CREATE on the schema) opens a current database without any DDL.
    if (connection.exec("SELECT to_regclass('investflow_schema') IS NULL").text(0, 0) == "t") {
      connection.exec(
          "CREATE TABLE investflow_schema ("
          " only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row), version INTEGER NOT "
          "NULL)");
    }
    PgResult row = connection.exec("SELECT version FROM investflow_schema");
    const int found = row.rows() == 0 ? 0 : static_cast<int>(row.number(0, 0));
    int version = found;
    if (version > kPgSchemaVersion) {
      throw std::runtime_error("the database has schema version " + std::to_string(version) +
                               ", newer than this investflow knows (" +
                               std::to_string(kPgSchemaVersion) +
                               "): it was written by a newer investflow");
    }
    if (row.rows() == 0) connection.exec("INSERT INTO investflow_schema (version) VALUES (0)");
    for (; version < kPgSchemaVersion; ++version) {
      connection.exec_script(std::string(kPgMigrations[static_cast<std::size_t>(version)]));
      if (version + 1 == 4) backfill_access_keys(connection);
      if (version + 1 == 5) {
        PostgresDatabase db(connection);
        ReportLedger::rebuild(db);
      }
    }
    if (found != kPgSchemaVersion) {
      connection.exec("UPDATE investflow_schema SET version = $1",
                      PgParams().number(kPgSchemaVersion));
    }
    return version;
  });
}

}  // namespace investflow::storage
