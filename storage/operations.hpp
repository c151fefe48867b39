#pragma once
// Whole-database operations of the SQLite store, for the CLI: integrity verification and
// online backup. Both read through their own connection in one snapshot, so they are safe
// (and consistent) while a server writes to the same database.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "storage/anchor.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

// Called now and then with the work done so far and the total.
using ProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;

struct VerifyProblem {
  enum class Kind {
    unreadable_event,    // payload not decodable, or columns disagree with it
    broken_chain,        // prev_hash is not the previous event's hash
    bad_hash,            // hash is not SHA-256(prev_hash || payload)
    missing_event,       // a gap in the project's sequence (an event was removed)
    projection_differs,  // replaying the events does not give the stored projection
    missing_projection,  // events without a project row
    missing_events,      // a project row without events
    // An event decided under a workflow version the database does not hold, or a
    // migration from a version the project was not on.
    unknown_version,
    // An attached file (file_attached event) missing from `<database>.files/`, or whose
    // content no longer has the event's SHA-256 and size.
    missing_file,
    altered_file,
    // An event's link in the log chain (events.log_hash) is not SHA-256(the link before
    // it || its hash), or the audit log's own chain is broken.
    broken_log,
    broken_audit,
    // What a signed digest covers differs: events or audit entries changed, removed or
    // reordered since it was signed.
    digest_mismatch,
    // The projects table's indexed columns, or a report summary, disagree with what the
    // events give.
    columns_differ,
    report_differs,
    // SQLite's PRAGMA integrity_check found damage (a page, an index).
    damaged_file,
    // The keys stored for a project (project_access) are not those its workflow version
    // gives (engine::lookup_keys): someone would see what they should not, or not see, or
    // a list by holder would miss or add a project.
    access_differs,
  };
  Kind kind;
  std::string project_id;
  std::int64_t seq = 0;  // the event concerned, or 0
  std::string message;
};
std::string_view verify_problem_name(VerifyProblem::Kind kind);

struct VerifyReport {
  std::int64_t projects = 0;
  std::int64_t events = 0;
  std::int64_t audit_entries = 0;
  std::int64_t files = 0;  // attached files checked (each stored file once)
  std::vector<VerifyProblem> problems;
  bool ok() const { return problems.empty(); }
};

// Walks every project's hash chain and replays its events through engine::apply from an
// empty project, comparing the result with the stored projection and its indexed columns;
// checks every attached file in `<database>.files/` against its event's hash; walks the log
// chain over all events and the audit log's chain; rebuilds the report summaries from the
// events and compares; runs PRAGMA integrity_check. With `anchored` (the heads a signed
// digest states, anchor.hpp), the chains recomputed from the rows must reach those heads
// after the digest's sizes: appends since are fine, any other change is digest_mismatch.
Outcome<VerifyReport> verify_database(const std::filesystem::path& path,
                                      const ProgressFn& progress = {},
                                      const std::optional<LogHeads>& anchored = std::nullopt);

// Copies the database to `destination` (which must not exist) with SQLite's online backup
// API, a few pages at a time, from one consistent snapshot. The copy is a standalone file
// (rollback journal, no -wal), written under a temporary name and renamed when complete.
// Then the attached files `<source>.files/` are copied to `<destination>.files/` (after
// the snapshot, so every file the copy's events name is there).
Outcome<Ok> backup_database(const std::filesystem::path& source,
                            const std::filesystem::path& destination,
                            const ProgressFn& progress = {});

}  // namespace investflow::storage
