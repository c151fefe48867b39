#pragma once
// Fills the projection columns added after projects were stored (schema migration 10: the
// report-tag columns responsible_unit, problem_category, promoting_unit and a child's
// parent_promoting_unit; next_due_on of an ended project) from each row's body, read
// through the tags of the stored workflow version it was decided with; and what the fold
// learnt to keep after projects were stored (closed reviews), replayed from their events.

namespace SQLite {
class Database;
}

namespace investflow::storage {

// Runs inside the migration's transaction. Only rows of workflow versions carrying one of
// the tags are decoded; ended projects lose their open deadline in one UPDATE per state.
void backfill_tag_columns(SQLite::Database& db);

// Schema migration 25 (projects.next_alert_on, the scheduler's column): every project with
// an open deadline gains the earliest due day whose last alert has not fired, from its body.
void backfill_alert_days(SQLite::Database& db);

// Schema migration 15 (closed reviews kept with their ballots, engine::ClosedReview): the
// projections of projects with ballots in their history gain the reviews they closed,
// replayed from their events. Nothing else in a stored projection changes.
void backfill_closed_reviews(SQLite::Database& db);

// Schema migration 22 (holder keys, engine::lookup_keys): every project of a stored workflow
// version with user fields gains a key in project_access for each of them with a value.
void backfill_holder_keys(SQLite::Database& db);

}  // namespace investflow::storage
