#include "storage/schema.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "storage/anchor.hpp"
#include "storage/projection_backfill.hpp"
#include "storage/reports_ledger.hpp"

namespace investflow::storage {
namespace {

// The scheduler's column (projection_columns.hpp): the earliest due day of an open deadline
// whose last alert has not fired, filled from the bodies (projection_backfill.hpp). Named so
// that migrate() finds it whatever its number.
constexpr std::string_view kAlertDaysMigration = R"sql(
ALTER TABLE projects ADD COLUMN next_alert_on TEXT NOT NULL DEFAULT '9999-12-31';
CREATE INDEX projects_alert ON projects (next_alert_on, id) WHERE next_alert_on < '9999-12-31';
)sql";

// problems (issue 17): the ledger's filters as indexed projection columns
// (projection_columns.hpp), filled from the bodies when an existing database is upgraded
// (projection_backfill.hpp). Named so that migrate() finds it whatever its number.
constexpr std::string_view kTagColumnsMigration = R"sql(
ALTER TABLE projects ADD COLUMN responsible_unit TEXT;       -- tag responsible_unit
ALTER TABLE projects ADD COLUMN problem_category TEXT;       -- tag problem_category
ALTER TABLE projects ADD COLUMN promoting_unit TEXT;         -- tag promoting_unit
ALTER TABLE projects ADD COLUMN parent_promoting_unit TEXT;  -- a child's: its parent's
-- NULL where the workflow has no such tag: each partial index holds only the items that
-- have the value, in the order lists read them.
CREATE INDEX projects_responsible_unit ON projects (responsible_unit, updated_at, id)
  WHERE responsible_unit IS NOT NULL;
CREATE INDEX projects_problem_category ON projects (problem_category, updated_at, id)
  WHERE problem_category IS NOT NULL;
CREATE INDEX projects_parent_promoting_unit ON projects (parent_promoting_unit, updated_at, id)
  WHERE parent_promoting_unit IS NOT NULL;
-- The items of one workflow (children), newest first: the ledger without other filters.
CREATE INDEX projects_items ON projects (workflow, updated_at, id) WHERE parent IS NOT NULL;
CREATE INDEX projects_items_due ON projects (workflow, next_due_on, id) WHERE parent IS NOT NULL;
)sql";

// 15 (issue 22): the inbox's settings and indexes (below). Named so that migrate() replays
// the closed reviews (projection_backfill.hpp) after it whatever its number.
constexpr std::string_view kInboxMigration = R"sql(
CREATE TABLE notification_settings (
  user_id   TEXT PRIMARY KEY,
  deadlines TEXT NOT NULL DEFAULT 'each'   -- each | digest
) WITHOUT ROWID;
ALTER TABLE notifications ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
CREATE INDEX notifications_user_type ON notifications (user_id, type, id);
CREATE INDEX projects_owner_due ON projects (owner, next_due_on, id);
)sql";

// 18 (issue 19): the log chain over every event in commit order (events.log_hash, filled for
// the stored events by backfill_log_hashes) and the security audit log, chained the same
// way. Both are what a signed digest (anchor.hpp) states the size and head of. Named so that
// migrate() runs the backfill after it whatever its number.
constexpr std::string_view kProblemSummariesMigration = R"sql(
-- NULL: not an item of a workflow with a state tagged resolved. Else bit 0: in a terminal
-- state; bit 1: in the state tagged resolved.
ALTER TABLE report_projects ADD COLUMN problem_status INTEGER;
ALTER TABLE report_projects ADD COLUMN problem_unit TEXT NOT NULL DEFAULT '';      -- responsible_unit
ALTER TABLE report_projects ADD COLUMN problem_category TEXT NOT NULL DEFAULT '';  -- problem_category
-- Resolved ones: 1 when on or before the due day of every milestone it has.
ALTER TABLE report_projects ADD COLUMN problem_on_time INTEGER;
CREATE TABLE report_problems (
  workflow TEXT NOT NULL, terminal INTEGER NOT NULL, created_day INTEGER NOT NULL,
  resolved INTEGER NOT NULL, unit TEXT NOT NULL, category TEXT NOT NULL,
  problems INTEGER NOT NULL, on_time INTEGER NOT NULL,
  PRIMARY KEY (workflow, terminal, created_day, resolved, unit, category)
) WITHOUT ROWID;
-- The same by month raised (YYYYMM): a long period reads whole months from here.
CREATE TABLE report_problem_months (
  workflow TEXT NOT NULL, terminal INTEGER NOT NULL, month INTEGER NOT NULL,
  resolved INTEGER NOT NULL, unit TEXT NOT NULL, category TEXT NOT NULL,
  problems INTEGER NOT NULL, on_time INTEGER NOT NULL,
  PRIMARY KEY (workflow, terminal, month, resolved, unit, category)
) WITHOUT ROWID;
CREATE TABLE report_problem_closings (
  workflow TEXT NOT NULL, created_day INTEGER NOT NULL, resolved_day INTEGER NOT NULL,
  problems INTEGER NOT NULL,
  PRIMARY KEY (workflow, created_day, resolved_day)
) WITHOUT ROWID;
)sql";

// 22 (issue 22): the console at 1,000,000 projects. The project list filtered by industry and
// stage, largest investment first, read from one index (query_projects); industry leads, so
// a list of one stage keeps its own index in the order it is shown. A workflow's projects by
// version and state (its versions page) counted from an index. And migrate() gives every
// project a holder key in project_access per user field with a value (engine::lookup_keys),
// so 我的待办 and the list find what a user holds without reading every project.
constexpr std::string_view kConsoleAtScaleMigration = R"sql(
CREATE INDEX projects_industry_state ON projects (industry, state, total_investment, id);
DROP INDEX projects_workflow;
CREATE INDEX projects_workflow ON projects (workflow, workflow_version, state);
)sql";

constexpr std::string_view kAnchorMigration = R"sql(
ALTER TABLE events ADD COLUMN log_hash BLOB;   -- SHA-256(log_hash of the event before || hash)
CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,   -- ms since the epoch
  actor      TEXT    NOT NULL,   -- the user id; '' when nobody is signed in
  action     TEXT    NOT NULL,   -- login, login_failed, denied, user_created, ... (audit.hpp)
  target     TEXT    NOT NULL,   -- what it concerned: a user, a token, a webhook, a path
  address    TEXT    NOT NULL,   -- the client's address; 'cli' from the command line
  request_id TEXT    NOT NULL,
  detail     TEXT    NOT NULL,   -- canonical JSON object
  prev_hash  BLOB    NOT NULL,
  hash       BLOB    NOT NULL    -- SHA-256(prev_hash || canonical JSON of the entry)
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

// Migration N brings the schema from version N-1 to N. Never edit a shipped migration:
// add a new one (databases in the field have run the old text).
constexpr std::array<std::string_view, kSchemaVersion> kMigrations = {
    // 1: the write model.
    R"sql(
CREATE TABLE workflows (
  id          TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  source      TEXT    NOT NULL,   -- the YAML as loaded
  source_hash TEXT    NOT NULL,   -- hex SHA-256 of source
  loaded_at   INTEGER NOT NULL,   -- ms since the epoch
  PRIMARY KEY (id, version)
) WITHOUT ROWID;

-- The projection: the fold of each project's events, kept in step by the writer in the
-- same transaction as the events. `body` is the canonical JSON of engine::Project; the
-- other columns copy what lists, filters and reports need to index.
CREATE TABLE projects (
  id               TEXT    PRIMARY KEY,
  workflow         TEXT    NOT NULL,
  workflow_version INTEGER NOT NULL,
  state            TEXT    NOT NULL,
  version          INTEGER NOT NULL,
  owner            TEXT    NOT NULL,
  name             TEXT    NOT NULL DEFAULT '',
  investor         TEXT    NOT NULL DEFAULT '',
  industry         TEXT    NOT NULL DEFAULT '',
  total_investment REAL    NOT NULL DEFAULT 0,             -- 万元; 0 when absent
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  state_entered_at INTEGER NOT NULL,
  next_due_on      TEXT    NOT NULL DEFAULT '9999-12-31',  -- earliest open deadline
  body             TEXT    NOT NULL,
  head_hash        BLOB    NOT NULL,                       -- hash of the last event
  FOREIGN KEY (workflow, workflow_version) REFERENCES workflows (id, version)
);

-- Append-only: `seq` is the project's version after the event; `payload` is the canonical
-- JSON the hash covers.
CREATE TABLE events (
  id         INTEGER PRIMARY KEY,
  project_id TEXT    NOT NULL REFERENCES projects (id),
  seq        INTEGER NOT NULL,
  type       TEXT    NOT NULL,
  actor      TEXT    NOT NULL,
  at         INTEGER NOT NULL,
  payload    TEXT    NOT NULL,
  prev_hash  BLOB    NOT NULL,
  hash       BLOB    NOT NULL,
  UNIQUE (project_id, seq)
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- One row per event and channel, written with the event; the dispatcher delivers them.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  event_id        INTEGER NOT NULL REFERENCES events (id),
  project_id      TEXT    NOT NULL,
  channel         TEXT    NOT NULL,                    -- inbox | webhook
  triggers        TEXT    NOT NULL,                    -- JSON: ["enter:signed", ...]
  recipients      TEXT    NOT NULL,                    -- JSON: ["owner", "role:manager", ...]
  status          TEXT    NOT NULL DEFAULT 'pending',  -- pending | delivered | dead
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  UNIQUE (event_id, channel)
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE status = 'pending';

-- The first result of each (actor, key): a repeat returns it instead of acting again.
CREATE TABLE idempotency_keys (
  actor       TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  fingerprint TEXT    NOT NULL,   -- what the first request asked, to refuse a reused key
  project_id  TEXT    NOT NULL,
  result      TEXT    NOT NULL,   -- JSON of the stored WriteResult
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (actor, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
)sql",

    // 2: the read model.
    R"sql(
-- A transition rewrites the entries of indexes on the columns it changes (state,
-- updated_at, next_due_on), one page each per commit; the others stay put. So only the
-- lists that need it get an index with a changing column.
CREATE INDEX projects_state ON projects (state, updated_at, id);
CREATE INDEX projects_updated ON projects (updated_at, id);
CREATE INDEX projects_due ON projects (next_due_on, id);
CREATE INDEX projects_workflow ON projects (workflow);
CREATE INDEX projects_owner ON projects (owner);
CREATE INDEX projects_industry ON projects (industry);
CREATE INDEX projects_created ON projects (created_at, id);
CREATE INDEX projects_investment ON projects (total_investment, id);
CREATE INDEX projects_name ON projects (name, id);
CREATE INDEX events_at ON events (at);

-- Trigram tokens match any substring of three or more characters, which is what Chinese
-- names need (no word boundaries to split on).
CREATE VIRTUAL TABLE projects_fts USING fts5(
  name, investor, content = 'projects', content_rowid = 'rowid', tokenize = 'trigram');
CREATE TRIGGER projects_fts_insert AFTER INSERT ON projects BEGIN
  INSERT INTO projects_fts (rowid, name, investor) VALUES (new.rowid, new.name, new.investor);
END;
CREATE TRIGGER projects_fts_delete AFTER DELETE ON projects BEGIN
  INSERT INTO projects_fts (projects_fts, rowid, name, investor)
  VALUES ('delete', old.rowid, old.name, old.investor);
END;
CREATE TRIGGER projects_fts_update AFTER UPDATE OF name, investor ON projects
WHEN old.name IS NOT new.name OR old.investor IS NOT new.investor BEGIN
  INSERT INTO projects_fts (projects_fts, rowid, name, investor)
  VALUES ('delete', old.rowid, old.name, old.investor);
  INSERT INTO projects_fts (rowid, name, investor) VALUES (new.rowid, new.name, new.investor);
END;
INSERT INTO projects_fts (projects_fts) VALUES ('rebuild');
)sql",

    // 3: people and their credentials. Secrets are stored only as hashes.
    R"sql(
CREATE TABLE users (
  id            TEXT    PRIMARY KEY,             -- the login name
  display_name  TEXT    NOT NULL,
  roles         TEXT    NOT NULL DEFAULT '[]',   -- JSON array of role names
  password_hash TEXT,                            -- libsodium argon2id string
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE TABLE sessions (
  token_hash   BLOB    PRIMARY KEY,              -- SHA-256 of the cookie value
  user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token   TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE TABLE api_tokens (
  id           TEXT    PRIMARY KEY,              -- public id, shown in listings
  token_hash   BLOB    NOT NULL UNIQUE,          -- SHA-256 of the secret
  user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
)sql",
    // 4: report summaries (storage/reports_ledger.hpp), kept by the writer in the same
    // transaction as the events; on an existing database migrate() fills them from the log.
    R"sql(
CREATE TABLE report_projects (
  project_id       TEXT    PRIMARY KEY,
  workflow         TEXT    NOT NULL,
  state            TEXT    NOT NULL,
  industry         TEXT    NOT NULL,
  chain_role       TEXT    NOT NULL,
  owner            TEXT    NOT NULL,
  promoting_unit   TEXT    NOT NULL,
  investor         TEXT    NOT NULL,
  name             TEXT    NOT NULL,
  created_day      INTEGER NOT NULL,   -- days since 1970-01-01, China time
  state_entered_at INTEGER NOT NULL,   -- ms since the epoch
  investment       REAL    NOT NULL,   -- 万元
  floor_area       REAL    NOT NULL,   -- m²
  committed        REAL    NOT NULL,   -- 万元
  funds_in_place   REAL    NOT NULL,   -- 万元
  reached          TEXT    NOT NULL,   -- '|lead|screening|': every state ever entered
  signed_day       INTEGER             -- first entry into `signed`
) WITHOUT ROWID;
CREATE INDEX report_projects_created ON report_projects (workflow, created_day, investor);
CREATE INDEX report_projects_waiting ON report_projects (workflow, state, state_entered_at);
CREATE TABLE report_pipeline (
  workflow TEXT NOT NULL, state TEXT NOT NULL, industry TEXT NOT NULL,
  chain_role TEXT NOT NULL, owner TEXT NOT NULL, promoting_unit TEXT NOT NULL,
  projects INTEGER NOT NULL, investment REAL NOT NULL,
  PRIMARY KEY (workflow, state, industry, chain_role, owner, promoting_unit)
) WITHOUT ROWID;
CREATE TABLE report_created (
  workflow TEXT NOT NULL, created_day INTEGER NOT NULL, state TEXT NOT NULL,
  projects INTEGER NOT NULL, investment REAL NOT NULL, floor_area REAL NOT NULL,
  PRIMARY KEY (workflow, created_day, state)
) WITHOUT ROWID;
CREATE TABLE report_reached (
  workflow TEXT NOT NULL, reached_day INTEGER NOT NULL, state TEXT NOT NULL,
  projects INTEGER NOT NULL, investment REAL NOT NULL,
  PRIMARY KEY (workflow, reached_day, state)
) WITHOUT ROWID;
CREATE TABLE report_funnel (
  workflow TEXT NOT NULL, created_day INTEGER NOT NULL, state TEXT NOT NULL,
  projects INTEGER NOT NULL,
  PRIMARY KEY (workflow, created_day, state)
) WITHOUT ROWID;
CREATE TABLE report_durations (
  workflow TEXT NOT NULL, state TEXT NOT NULL, left_day INTEGER NOT NULL,
  entered_day INTEGER NOT NULL, visits INTEGER NOT NULL,
  PRIMARY KEY (workflow, state, left_day, entered_day)
) WITHOUT ROWID;
CREATE TABLE report_deadlines (
  workflow TEXT NOT NULL, kind TEXT NOT NULL, met_day INTEGER NOT NULL,
  on_time INTEGER NOT NULL, met INTEGER NOT NULL,
  PRIMARY KEY (workflow, kind, met_day, on_time)
) WITHOUT ROWID;
CREATE TABLE report_signed (
  workflow TEXT NOT NULL, signed_day INTEGER NOT NULL, state TEXT NOT NULL,
  projects INTEGER NOT NULL,
  PRIMARY KEY (workflow, signed_day, state)
) WITHOUT ROWID;
CREATE TABLE report_signed_funds (
  workflow TEXT NOT NULL, signed_day INTEGER NOT NULL,
  projects INTEGER NOT NULL, funds_in_place REAL NOT NULL, committed REAL NOT NULL,
  PRIMARY KEY (workflow, signed_day)
) WITHOUT ROWID;
)sql",
    // 5: notifications: each user's inbox, webhook subscriptions and their delivery log.
    R"sql(
-- One row per (user, event): the outbox's inbox rows resolved to people.
CREATE TABLE notifications (
  id         INTEGER PRIMARY KEY,
  user_id    TEXT    NOT NULL,
  event_id   INTEGER NOT NULL REFERENCES events (id),
  project_id TEXT    NOT NULL,
  type       TEXT    NOT NULL,                -- the event's type
  triggers   TEXT    NOT NULL DEFAULT '[]',   -- JSON: ["enter:signed", "sla_overdue", ...]
  title_zh   TEXT    NOT NULL,
  title_en   TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  read_at    INTEGER,
  UNIQUE (user_id, event_id)
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- Webhook subscriptions. The secret signs bodies (HMAC), so it is kept as given.
-- `after_event_id`: every event up to it has its delivery row (the fan-out's position).
CREATE TABLE webhooks (
  id             INTEGER PRIMARY KEY,
  url            TEXT    NOT NULL,
  secret         TEXT    NOT NULL DEFAULT '',
  events         TEXT    NOT NULL DEFAULT '["*"]',  -- JSON filter
  format         TEXT    NOT NULL DEFAULT 'json',   -- json | wecom | dingtalk
  created_by     TEXT    NOT NULL,
  created_at     INTEGER NOT NULL,
  after_event_id INTEGER NOT NULL,
  deleted_at     INTEGER
);

-- One row per (webhook, event): the delivery log, retried with backoff, then dead.
CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY,
  webhook_id      INTEGER NOT NULL REFERENCES webhooks (id),
  event_id        INTEGER NOT NULL REFERENCES events (id),
  status          TEXT    NOT NULL DEFAULT 'pending',  -- pending | delivered | dead
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  last_status     INTEGER,                             -- the receiver's HTTP status
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  UNIQUE (webhook_id, event_id)
);
CREATE INDEX deliveries_due ON deliveries (webhook_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_status ON deliveries (status, id);

-- Outbox rows written before there was a dispatcher describe history: nobody is waiting
-- for them, so they are settled rather than sent now.
UPDATE outbox SET status = 'delivered', last_error = 'settled by migration 5'
WHERE status = 'pending';
)sql",
    // 6: the dispatcher reads a channel's pending outbox rows in order; without this index
    // SQLite walked the whole events table for each pass (45 ms at 128,000 events, growing
    // with the log).
    R"sql(
CREATE INDEX outbox_pending_channel ON outbox (channel, id) WHERE status = 'pending';
)sql",
    // 7: calendars deployed into a running system (`investflow calendar deploy`), and
    // inbox notices from the server itself (a calendar running out): such a notice has no
    // event, so notifications are rebuilt with event_id nullable and a notice key.
    R"sql(
CREATE TABLE calendars (
  name        TEXT    PRIMARY KEY,
  source      TEXT    NOT NULL,   -- the YAML as deployed
  source_hash TEXT    NOT NULL,   -- hex SHA-256 of source
  first_year  INTEGER NOT NULL,   -- the years of official data it holds
  last_year   INTEGER NOT NULL,
  deployed_at INTEGER NOT NULL    -- ms since the epoch
) WITHOUT ROWID;

CREATE TABLE notifications_7 (
  id         INTEGER PRIMARY KEY,
  user_id    TEXT    NOT NULL,
  event_id   INTEGER REFERENCES events (id),   -- null for a notice
  project_id TEXT    NOT NULL,                 -- '' for a notice
  type       TEXT    NOT NULL,                 -- the event's type, or the notice's kind
  triggers   TEXT    NOT NULL DEFAULT '[]',    -- JSON: ["enter:signed", "sla_overdue", ...]
  title_zh   TEXT    NOT NULL,
  title_en   TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  read_at    INTEGER,
  notice     TEXT,                             -- a notice's key: each user gets it once
  UNIQUE (user_id, event_id),
  UNIQUE (user_id, notice)
);
INSERT INTO notifications_7 (id, user_id, event_id, project_id, type, triggers, title_zh,
                             title_en, created_at, read_at)
  SELECT id, user_id, event_id, project_id, type, triggers, title_zh, title_en, created_at,
         read_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_7 RENAME TO notifications;
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
)sql",
    // 8: parent links (workflow language v1.1 `parent:`): the project a child belongs to,
    // set when the child is created and never changed. The writer counts a parent's open
    // children of one workflow through the index, reading only that parent's children.
    R"sql(
ALTER TABLE projects ADD COLUMN parent TEXT REFERENCES projects (id);
CREATE INDEX projects_parent ON projects (parent, workflow) WHERE parent IS NOT NULL;
)sql",
    // 9: well-behaved chat robots (notify/dispatcher.hpp). A bulk operation's events carry
    // its batch id (storage::WriteRequest::batch) so robots get one digest per batch; a
    // delivery records the digest message that carried it; the posts made to each robot
    // are kept for its rate limit (20 a minute), which must hold across a restart.
    R"sql(
CREATE TABLE event_batches (
  event_id INTEGER PRIMARY KEY REFERENCES events (id),
  batch    TEXT    NOT NULL
);
-- NULL: the event was posted on its own. Otherwise the id of the first delivery of the
-- digest message that listed (or counted) it; every delivery of that digest has the same.
ALTER TABLE deliveries ADD COLUMN digest INTEGER;
-- One row per post to a chat robot, by the robot's URL (two webhooks on one robot share
-- its limit); rows older than the window are pruned as new ones are written.
CREATE TABLE robot_posts (
  url TEXT    NOT NULL,
  at  INTEGER NOT NULL
);
CREATE INDEX robot_posts_url ON robot_posts (url, at);
)sql",
    // 10: report-tag projection columns for the service desk's ledger (above).
    kTagColumnsMigration,
    // 11: the days reports need per project for the zones' KPIs and the
    // drill-down (storage/reports_ledger.hpp), filled from the log by migrate() (see
    // kReportsRebuiltAfter). Days are days since 1970-01-01, China time; NULL: not (yet).
    R"sql(
ALTER TABLE report_projects ADD COLUMN started_day INTEGER;     -- entered construction_started
ALTER TABLE report_projects ADD COLUMN completed_day INTEGER;   -- entered completed
ALTER TABLE report_projects ADD COLUMN production_day INTEGER;  -- entered in_production
ALTER TABLE report_projects ADD COLUMN exited_day INTEGER;      -- entered exited
ALTER TABLE report_projects ADD COLUMN start_due_day INTEGER;   -- construction_start milestone
ALTER TABLE report_projects ADD COLUMN start_done_day INTEGER;
ALTER TABLE report_projects ADD COLUMN completion_due_day INTEGER;  -- completion milestone
ALTER TABLE report_projects ADD COLUMN completion_done_day INTEGER;
ALTER TABLE report_projects ADD COLUMN breach_day INTEGER;      -- first day out of agreement
-- The construction-start milestone's due day while it is open and the project live (in a
-- non-terminal state): 超时限未开工 once it is before today.
ALTER TABLE report_projects ADD COLUMN start_open_due_day INTEGER;
-- The KPI cohort (signed in a period) read whole from the index.
CREATE INDEX report_projects_signed ON report_projects (
  workflow, signed_day, started_day, production_day, completed_day, exited_day,
  start_due_day, start_done_day, completion_due_day, completion_done_day, breach_day)
  WHERE signed_day IS NOT NULL;
-- 超时限未开工: open construction-start milestones by due day (of one workflow, of all).
CREATE INDEX report_projects_start_open ON report_projects (workflow, start_open_due_day)
  WHERE start_open_due_day IS NOT NULL;
CREATE INDEX report_projects_start_open_all ON report_projects (start_open_due_day)
  WHERE start_open_due_day IS NOT NULL;
-- The figures of a period over every workflow (the monthly report's lists, drill-downs).
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
)sql",
    // 12: the 到位资金 ledger's summary and first entries by promoting
    // unit (reports_ledger.hpp; migrate() refills the summaries from the events), and the
    // promoting units' annual targets with the history of every change to them.
    R"sql(
CREATE TABLE report_funds (
  workflow TEXT NOT NULL, month INTEGER NOT NULL, source TEXT NOT NULL,
  promoting_unit TEXT NOT NULL, entries INTEGER NOT NULL, amount REAL NOT NULL,
  PRIMARY KEY (month, workflow, source, promoting_unit)
) WITHOUT ROWID;
CREATE TABLE report_unit_reached (
  workflow TEXT NOT NULL, state TEXT NOT NULL, reached_day INTEGER NOT NULL,
  promoting_unit TEXT NOT NULL, projects INTEGER NOT NULL, investment REAL NOT NULL,
  PRIMARY KEY (workflow, state, reached_day, promoting_unit)
) WITHOUT ROWID;
CREATE TABLE targets (
  year   INTEGER NOT NULL,
  unit   TEXT    NOT NULL,   -- a promoting unit, as the projects' promoting_unit field holds it
  figure TEXT    NOT NULL,   -- signed_projects, signed_amount, funds, started_projects
  value  REAL    NOT NULL,   -- a count, or 万元
  set_by TEXT    NOT NULL,
  set_at INTEGER NOT NULL,   -- ms since the epoch
  PRIMARY KEY (year, unit, figure)
) WITHOUT ROWID;
CREATE TABLE target_history (
  id     INTEGER PRIMARY KEY,
  year   INTEGER NOT NULL,
  unit   TEXT    NOT NULL,
  figure TEXT    NOT NULL,
  before REAL,               -- null: the target was not set
  after  REAL,               -- null: the target was removed
  by     TEXT    NOT NULL,
  at     INTEGER NOT NULL
);
CREATE INDEX target_history_year ON target_history (year, id);
)sql",
    // 13: attachments (storage/attachment_files.hpp). The files live beside the database;
    // which projects hold one is found from their file_attached events.
    R"sql(
CREATE INDEX events_attachment ON events (json_extract(payload, '$.body.attachment_id'))
  WHERE type = 'file_attached';
)sql",
    // 14: perf (issue 22): one owner's projects ("mine" on the list and the board), newest
    // first, read in order from one index instead of all of them sorted.
    R"sql(
DROP INDEX projects_owner;
CREATE INDEX projects_owner ON projects (owner, updated_at, id);
)sql",
    // 15 (issue 22): each user's inbox settings (deadline alerts one by one or as a daily
    // digest) and the alerts a digest holds (`held`: 1, or a digest's count); the indexes
    // 我的待办 (GET /api/me/work) reads: the caller's projects by due date, their comment
    // notifications. migrate() then replays the closed reviews into the projections.
    kInboxMigration,
    // 16: saved filters of the project list, per user and name (auth.hpp, SavedFilter).
    R"sql(
CREATE TABLE saved_filters (
  id         INTEGER PRIMARY KEY,
  user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name       TEXT    NOT NULL,
  params     TEXT    NOT NULL,   -- JSON object: the list's query parameters
  updated_at INTEGER NOT NULL,   -- ms since the epoch
  UNIQUE (user_id, name)
);
)sql",
    // 17 (issue 19): API tokens expire (NULL: never, the tokens made before).
    R"sql(
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;   -- ms since the epoch
)sql",
    // 18 (issue 19): the log chain and the audit log (above); migrate() then chains the
    // stored events.
    kAnchorMigration,
    // 19 (issue 19): data scope. A user's unit (部门/招商单位), and the access keys each
    // project carries under its workflow version's `visibility:` (engine/visibility.hpp),
    // kept by the writer with the projection. No stored workflow had `visibility:` before
    // this version, so nothing is filled in.
    R"sql(
ALTER TABLE users ADD COLUMN unit TEXT NOT NULL DEFAULT '';
CREATE TABLE project_access (
  key        TEXT NOT NULL,   -- ROLE|u:LOGIN, ROLE|unit:UNIT or ROLE|voters:ROLE
  project_id TEXT NOT NULL,
  PRIMARY KEY (key, project_id)
) WITHOUT ROWID;
CREATE INDEX project_access_project ON project_access (project_id);
)sql",
    // 20 (issue 16): the monthly report's lists 在建项目 and 超时限未开工 (and their counts and
    // drill-downs) read from an index in the sheet's order holding every column they show,
    // instead of one primary-key lookup per project ever started (or with an open start
    // milestone) and a sort of them all. Each holds only those projects.
    R"sql(
CREATE INDEX report_projects_started_list ON report_projects (
  workflow, project_id, started_day, completed_day, exited_day, name, investor, promoting_unit,
  state, investment, created_day, signed_day, production_day, start_due_day)
  WHERE started_day IS NOT NULL;
CREATE INDEX report_projects_start_open_list ON report_projects (
  workflow, project_id, start_open_due_day, name, investor, promoting_unit, state, investment,
  created_day, signed_day, started_day, completed_day, production_day, start_due_day)
  WHERE start_open_due_day IS NOT NULL;
)sql",
    // 21 (issue 17): the service desk's figures (problem_report.hpp) from summaries kept by
    // the writer, not from every problem's row: per project, its problem status, unit,
    // category and whether it was resolved on time; per workflow, day (and month) raised,
    // status, unit and category, how many and how many on time; per day raised and day
    // resolved, how many (the working days between are counted at query time).
    // migrate() fills them from the projections.
    kProblemSummariesMigration,
    // 22 (issue 22): the console at 1,000,000 projects (kConsoleAtScaleMigration).
    kConsoleAtScaleMigration,
    // 23 (issue 22): the enterprises of a period as a sum over its days, not a distinct
    // count over its projects (reports_ledger.hpp): the days each enterprise brought
    // projects, and each such day by the one before it, filled from report_projects. And
    // the pipeline by one dimension at a time, filled from report_pipeline.
    R"sql(
CREATE TABLE report_pipeline_by (
  workflow TEXT NOT NULL,
  dimension TEXT NOT NULL,   -- industry, chain_role, owner, promoting_unit; '' for none
  value TEXT NOT NULL,       -- the dimension's value; '' for none
  state TEXT NOT NULL, projects INTEGER NOT NULL, investment REAL NOT NULL,
  PRIMARY KEY (workflow, dimension, value, state)
) WITHOUT ROWID;
INSERT INTO report_pipeline_by (workflow, dimension, value, state, projects, investment)
SELECT workflow, '', '', state, SUM(projects), SUM(investment)
FROM report_pipeline GROUP BY workflow, state
UNION ALL SELECT workflow, 'industry', industry, state, SUM(projects), SUM(investment)
FROM report_pipeline GROUP BY workflow, industry, state
UNION ALL SELECT workflow, 'chain_role', chain_role, state, SUM(projects), SUM(investment)
FROM report_pipeline GROUP BY workflow, chain_role, state
UNION ALL SELECT workflow, 'owner', owner, state, SUM(projects), SUM(investment)
FROM report_pipeline GROUP BY workflow, owner, state
UNION ALL SELECT workflow, 'promoting_unit', promoting_unit, state, SUM(projects), SUM(investment)
FROM report_pipeline GROUP BY workflow, promoting_unit, state;
CREATE TABLE report_enterprise_days (
  workflow TEXT NOT NULL, investor TEXT NOT NULL, created_day INTEGER NOT NULL,
  projects INTEGER NOT NULL,
  PRIMARY KEY (workflow, investor, created_day)
) WITHOUT ROWID;
CREATE TABLE report_enterprises (
  workflow TEXT NOT NULL, created_day INTEGER NOT NULL,
  previous_day INTEGER NOT NULL,   -- the enterprise's day before, -1 for its first
  enterprises INTEGER NOT NULL,
  PRIMARY KEY (workflow, created_day, previous_day)
) WITHOUT ROWID;
INSERT INTO report_enterprise_days (workflow, investor, created_day, projects)
SELECT workflow, investor, created_day, COUNT(*) FROM report_projects WHERE investor <> ''
GROUP BY workflow, investor, created_day;
INSERT INTO report_enterprises (workflow, created_day, previous_day, enterprises)
SELECT workflow, created_day, previous_day, COUNT(*) FROM (
  SELECT workflow, created_day, COALESCE(LAG(created_day) OVER (
    PARTITION BY workflow, investor ORDER BY created_day), -1) AS previous_day
  FROM report_enterprise_days)
GROUP BY workflow, created_day, previous_day;
CREATE TABLE report_enterprise_marks (
  workflow TEXT NOT NULL,
  kind INTEGER NOT NULL,   -- 0: report_enterprises by created_day, 1: by previous_day
  day INTEGER NOT NULL, links INTEGER NOT NULL,
  PRIMARY KEY (workflow, kind, day)
) WITHOUT ROWID;
INSERT INTO report_enterprise_marks (workflow, kind, day, links)
SELECT workflow, 0, created_day, SUM(enterprises) FROM report_enterprises
GROUP BY workflow, created_day
UNION ALL SELECT workflow, 1, previous_day, SUM(enterprises) FROM report_enterprises
GROUP BY workflow, previous_day;
)sql",
    // 24 (issue 22): daily summaries by month too (reports_ledger.hpp), so a long period
    // reads its whole months and only the days at its ends; filled from the daily rows.
    R"sql(
CREATE TABLE report_created_months (
  workflow TEXT NOT NULL, month INTEGER NOT NULL, state TEXT NOT NULL,
  projects INTEGER NOT NULL, investment REAL NOT NULL, floor_area REAL NOT NULL,
  PRIMARY KEY (workflow, month, state)
) WITHOUT ROWID;
INSERT INTO report_created_months (workflow, month, state, projects, investment, floor_area)
SELECT workflow, CAST(strftime('%Y%m', created_day * 86400, 'unixepoch') AS INTEGER), state,
  SUM(projects), SUM(investment), SUM(floor_area)
FROM report_created GROUP BY 1, 2, 3;
CREATE TABLE report_reached_months (
  workflow TEXT NOT NULL, month INTEGER NOT NULL, state TEXT NOT NULL,
  projects INTEGER NOT NULL, investment REAL NOT NULL,
  PRIMARY KEY (workflow, month, state)
) WITHOUT ROWID;
INSERT INTO report_reached_months (workflow, month, state, projects, investment)
SELECT workflow, CAST(strftime('%Y%m', reached_day * 86400, 'unixepoch') AS INTEGER), state,
  SUM(projects), SUM(investment)
FROM report_reached GROUP BY 1, 2, 3;
CREATE TABLE report_duration_months (
  workflow TEXT NOT NULL, state TEXT NOT NULL, month INTEGER NOT NULL,
  visits INTEGER NOT NULL,
  PRIMARY KEY (workflow, state, month)
) WITHOUT ROWID;
INSERT INTO report_duration_months (workflow, state, month, visits)
SELECT workflow, state, CAST(strftime('%Y%m', left_day * 86400, 'unixepoch') AS INTEGER),
  SUM(visits)
FROM report_durations GROUP BY 1, 2, 3;
CREATE TABLE report_enterprise_mark_months (
  workflow TEXT NOT NULL, kind INTEGER NOT NULL, month INTEGER NOT NULL,
  links INTEGER NOT NULL,
  PRIMARY KEY (workflow, kind, month)
) WITHOUT ROWID;
INSERT INTO report_enterprise_mark_months (workflow, kind, month, links)
SELECT workflow, kind, CAST(strftime('%Y%m', day * 86400, 'unixepoch') AS INTEGER), SUM(links)
FROM report_enterprise_marks GROUP BY 1, 2, 3;
)sql",
    // 25 (issue 22): what the scheduler reads, so that projects whose deadlines have all
    // raised their last alert are not read again on every pass (kAlertDaysMigration).
    kAlertDaysMigration,
};

// The migration after which the report summaries are rebuilt from the event log (4 created
// them, 11 added columns, 12 added tables). An older database is brought up to it first, so
// one rebuild fills every column there was then. What migration 21 added is filled from the
// projections, after it, in any case (kProblemSummariesMigration): far quicker than a
// rebuild on a large database, and every step leaves whole summaries.
constexpr int kReportsRebuiltAfter = 11;  // index in kMigrations

int application_id(SQLite::Database& db) {
  return db.execAndGet("PRAGMA application_id").getInt();
}

// A database that has statistics (PRAGMA optimize, run when the writer closes, keeps them)
// gets them for the indexes the migrations just made too. Without, SQLite takes a new index
// for a very selective one and prefers it to those it has figures for: on 1,000,000
// projects the problem ledger went from one index in its order to 100,000 rows sorted.
void analyze_new_indexes(SQLite::Database& db) {
  if (!db.tableExists("sqlite_stat1")) return;
  std::vector<std::string> names;
  SQLite::Statement missing(db,
                            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE "
                            "'sqlite_%' AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS "
                            "NOT NULL)");
  while (missing.executeStep())
    names.push_back(missing.getColumn(0).getString());
  for (const std::string& name : names)
    db.exec("ANALYZE \"" + name + "\"");
}

}  // namespace

int schema_version(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt();
}

engine::Result<int, std::string> migrate(SQLite::Database& db, int target) {
  try {
    const int id = application_id(db);
    if (id != 0 && id != kApplicationId) {
      return engine::fail(std::string("not an investflow database (application_id ") +
                          std::to_string(id) + ")");
    }
    int version = schema_version(db);
    if (version > kSchemaVersion) {
      return engine::fail("the database has schema version " + std::to_string(version) +
                          ", newer than this investflow supports (" +
                          std::to_string(kSchemaVersion) + "); use a newer investflow");
    }
    if (target < 0 || target > kSchemaVersion) {
      return engine::fail("no schema version " + std::to_string(target));
    }
    bool migrated = false;
    while (version < target) {
      // IMMEDIATE: two processes opening a fresh database at once must not both migrate;
      // the second waits, then sees the new user_version and skips.
      SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
      if (schema_version(db) != version) {
        version = schema_version(db);
        continue;
      }
      db.exec(std::string(kMigrations[static_cast<std::size_t>(version)]));
      // The summaries of the existing events, once their last column exists.
      if (version == kReportsRebuiltAfter) ReportLedger::rebuild(db);
      if (kMigrations[static_cast<std::size_t>(version)] == kProblemSummariesMigration) {
        ReportLedger::fill_problems(db);
      }
      if (kMigrations[static_cast<std::size_t>(version)] == kTagColumnsMigration) {
        backfill_tag_columns(db);
      }
      if (kMigrations[static_cast<std::size_t>(version)] == kInboxMigration) {
        backfill_closed_reviews(db);
      }
      if (kMigrations[static_cast<std::size_t>(version)] == kAnchorMigration) {
        backfill_log_hashes(db);
      }
      if (kMigrations[static_cast<std::size_t>(version)] == kConsoleAtScaleMigration) {
        backfill_holder_keys(db);
      }
      if (kMigrations[static_cast<std::size_t>(version)] == kAlertDaysMigration) {
        backfill_alert_days(db);
      }
      ++version;
      db.exec("PRAGMA user_version = " + std::to_string(version));
      if (version == 1) db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
      transaction.commit();
      migrated = true;
    }
    if (migrated) analyze_new_indexes(db);
    return version;
  } catch (const SQLite::Exception& error) {
    return engine::fail(std::string("migration failed: ") + error.what());
  }
}

}  // namespace investflow::storage
