#include "storage/projection_backfill.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <memory>
#include <string>

#include "engine/decide.hpp"
#include "engine/visibility.hpp"
#include "storage/codec.hpp"
#include "storage/projection_columns.hpp"
#include "workflows/loader.hpp"

namespace investflow::storage {
namespace {

void bind_text_or_null(SQLite::Statement& statement, int index, const std::string& text) {
  if (text.empty()) {
    statement.bind(index);
  } else {
    statement.bind(index, text);
  }
}

bool has_column_tags(const engine::Workflow& workflow) {
  using engine::FieldTag;
  return workflow.tagged(FieldTag::responsible_unit) != nullptr ||
         workflow.tagged(FieldTag::problem_category) != nullptr ||
         workflow.tagged(FieldTag::promoting_unit) != nullptr;
}

void backfill_workflow(SQLite::Database& db, const std::string& id, std::int64_t version,
                       const engine::Workflow& workflow) {
  for (const engine::StateDef& state : workflow.states) {
    if (!state.terminal) continue;
    SQLite::Statement ended(db,
                            "UPDATE projects SET next_due_on = ? WHERE workflow = ? AND "
                            "workflow_version = ? AND state = ?");
    ended.bind(1, std::string(kNoDeadline));
    ended.bind(2, id);
    ended.bind(3, version);
    ended.bind(4, state.id);
    ended.exec();
  }
  if (!has_column_tags(workflow)) return;
  SQLite::Statement rows(
      db, "SELECT id, body FROM projects WHERE workflow = ? AND workflow_version = ?");
  rows.bind(1, id);
  rows.bind(2, version);
  SQLite::Statement update(db,
                           "UPDATE projects SET responsible_unit = ?, problem_category = ?, "
                           "promoting_unit = ? WHERE id = ?");
  while (rows.executeStep()) {
    auto project = decode_project(rows.getColumn(1).getString());
    if (!project) continue;  // `investflow verify` reports an unreadable row
    const ProjectionColumns columns = projection_columns(workflow, *project);
    bind_text_or_null(update, 1, columns.responsible_unit);
    bind_text_or_null(update, 2, columns.problem_category);
    bind_text_or_null(update, 3, columns.promoting_unit);
    update.bind(4, rows.getColumn(0).getString());
    update.exec();
    update.reset();
  }
}

// Each stored workflow version that loads, with its id and version.
template <typename Visit>
void for_each_stored_version(SQLite::Database& db, Visit visit) {
  const auto calendars = workflows::CalendarRegistry::with_stand_ins();
  SQLite::Statement stored(db, "SELECT id, version, source FROM workflows");
  while (stored.executeStep()) {
    auto load = workflows::load_workflow_text(stored.getColumn(2).getString(), "stored workflow",
                                              calendars);
    if (!load.workflow) continue;
    visit(stored.getColumn(0).getString(), stored.getColumn(1).getInt64(), *load.workflow);
  }
}

}  // namespace

void backfill_tag_columns(SQLite::Database& db) {
  for_each_stored_version(
      db, [&db](const std::string& id, std::int64_t version, const engine::Workflow& workflow) {
        backfill_workflow(db, id, version, workflow);
      });
  db.exec(
      "UPDATE projects SET parent_promoting_unit = (SELECT p.promoting_unit FROM projects p "
      "WHERE p.id = projects.parent) WHERE parent IS NOT NULL");
}

void backfill_alert_days(SQLite::Database& db) {
  // Every open deadline counts until its project is read: a project whose stored workflow
  // version does not load keeps them all, and the scheduler looks at it as before.
  db.exec("UPDATE projects SET next_alert_on = next_due_on WHERE next_due_on < '" +
          std::string(kNoDeadline) + "'");
  for_each_stored_version(
      db, [&db](const std::string& id, std::int64_t version, const engine::Workflow& workflow) {
        SQLite::Statement rows(db,
                               "SELECT id, body, next_alert_on FROM projects WHERE workflow = ? "
                               "AND workflow_version = ? AND next_due_on < ?");
        rows.bind(1, id);
        rows.bind(2, version);
        rows.bind(3, std::string(kNoDeadline));
        SQLite::Statement update(db, "UPDATE projects SET next_alert_on = ? WHERE id = ?");
        while (rows.executeStep()) {
          auto project = decode_project(rows.getColumn(1).getString());
          if (!project) continue;  // `investflow verify` reports an unreadable row
          const std::string alert = projection_columns(workflow, *project).next_alert_on;
          if (alert == rows.getColumn(2).getString()) continue;
          update.bind(1, alert);
          update.bind(2, rows.getColumn(0).getString());
          update.exec();
          update.reset();
        }
      });
}

void backfill_closed_reviews(SQLite::Database& db) {
  SQLite::Statement projects(db,
                             "SELECT p.id, p.body FROM projects p WHERE EXISTS (SELECT 1 FROM "
                             "events e WHERE e.project_id = p.id AND e.type = 'vote_cast')");
  SQLite::Statement events(db, "SELECT payload FROM events WHERE project_id = ? ORDER BY seq");
  SQLite::Statement update(db, "UPDATE projects SET body = ? WHERE id = ?");
  while (projects.executeStep()) {
    const std::string id = projects.getColumn(0).getString();
    auto stored = decode_project(projects.getColumn(1).getString());
    if (!stored) continue;  // `investflow verify` reports an unreadable row
    engine::Project replayed;
    bool whole = true;
    events.bind(1, id);
    while (events.executeStep()) {
      auto event = decode_event(events.getColumn(0).getString());
      if (!event || event->version != replayed.version + 1) {
        whole = false;  // and `investflow verify` says where
        break;
      }
      replayed = engine::apply(std::move(replayed), *event);
    }
    events.reset();
    if (!whole || replayed.closed_reviews == stored->closed_reviews) continue;
    stored->closed_reviews = std::move(replayed.closed_reviews);
    update.bind(1, encode_project(*stored));
    update.bind(2, id);
    update.exec();
    update.reset();
  }
}

void backfill_holder_keys(SQLite::Database& db) {
  SQLite::Statement insert(db,
                           "INSERT OR IGNORE INTO project_access (key, project_id) VALUES (?, ?)");
  for_each_stored_version(
      db, [&](const std::string& id, std::int64_t version, const engine::Workflow& workflow) {
        const bool holds = std::any_of(
            workflow.fields.begin(), workflow.fields.end(),
            [](const engine::FieldDef& field) { return field.type == engine::FieldType::user; });
        if (!holds) return;
        SQLite::Statement rows(
            db, "SELECT id, body FROM projects WHERE workflow = ? AND workflow_version = ?");
        rows.bind(1, id);
        rows.bind(2, version);
        while (rows.executeStep()) {
          auto project = decode_project(rows.getColumn(1).getString());
          if (!project) continue;  // `investflow verify` reports an unreadable row
          // Its access keys are there already (INSERT OR IGNORE): the holder keys join them.
          for (const std::string& key : engine::lookup_keys(workflow, *project)) {
            insert.bind(1, key);
            insert.bind(2, rows.getColumn(0).getString());
            insert.exec();
            insert.reset();
          }
        }
      });
}

}  // namespace investflow::storage
