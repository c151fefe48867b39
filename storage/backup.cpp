#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <chrono>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "storage/attachment_files.hpp"
#include "storage/operations.hpp"

namespace investflow::storage {
namespace {

// Pages copied per step: small enough that a step holds the source only briefly.
constexpr int kPagesPerStep = 1024;

}  // namespace

Outcome<Ok> backup_database(const std::filesystem::path& source,
                            const std::filesystem::path& destination, const ProgressFn& progress) {
  if (!std::filesystem::exists(source)) {
    return engine::fail(Error{Error::Kind::invalid_request, "no database at " + source.string()});
  }
  if (std::filesystem::exists(destination)) {
    return engine::fail(Error{Error::Kind::invalid_request,
                              destination.string() + " exists; choose a new file name"});
  }
  std::filesystem::path partial = destination;
  partial += ".partial";
  std::error_code ignored;
  std::filesystem::remove(partial, ignored);
  try {
    {
      SQLite::Database from(source, SQLite::OPEN_READONLY, 10000);
      SQLite::Database to(partial, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 10000);
      // A read transaction held across all steps pins one snapshot: a server committing
      // meanwhile (to the WAL) neither disturbs the copy nor makes it start over.
      from.exec("BEGIN");
      from.execAndGet("SELECT count(*) FROM sqlite_master");
      {
        SQLite::Backup backup(to, from);
        int status = SQLITE_OK;
        while (status != SQLITE_DONE) {
          status = backup.executeStep(kPagesPerStep);
          if (status == SQLITE_BUSY || status == SQLITE_LOCKED) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          }
          if (progress) {
            const int total = backup.getTotalPageCount();
            progress(total - backup.getRemainingPageCount(), total);
          }
        }
      }
      from.exec("COMMIT");
      // The copy stands alone: one file, no -wal beside it.
      to.exec("PRAGMA journal_mode = DELETE");
      if (to.execAndGet("PRAGMA quick_check").getString() != "ok") {
        throw std::runtime_error("the copy fails SQLite's quick_check");
      }
    }
    // The zone's data, whatever the umask (the binary sets 077; a library caller may not).
    std::filesystem::permissions(
        partial, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
        std::filesystem::perm_options::replace);
    std::filesystem::rename(partial, destination);
  } catch (const std::exception& error) {
    std::filesystem::remove(partial, ignored);
    return engine::fail(Error{Error::Kind::storage, std::string("backup failed: ") + error.what()});
  }
  // After the snapshot: every file its events name was stored before they committed.
  auto copied = copy_attachment_files(files_dir_of(source), files_dir_of(destination));
  if (!copied) return engine::fail(std::move(copied.error()));
  return Ok{};
}

}  // namespace investflow::storage
