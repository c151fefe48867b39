// Storage failures by kind (storage_fault.hpp), the start-up check that a database can be
// written (check_writable), and data files at rest: backups and attachments 0600 in 0700
// directories whatever the umask.
#include "storage/storage_fault.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "storage/attachment_files.hpp"
#include "storage/operations.hpp"
#include "storage/sqlite_store.hpp"
#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

unsigned mode_of(const fs::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
  return status.st_mode & 0777;
}

// Sets a umask for the test's duration (the binary sets 077; a library caller may not).
class Umask {
 public:
  explicit Umask(mode_t mask) : previous_(::umask(mask)) {}
  ~Umask() { ::umask(previous_); }
  Umask(const Umask&) = delete;
  Umask& operator=(const Umask&) = delete;

 private:
  mode_t previous_;
};

TEST(StorageFault, SqliteCodesByKind) {
  EXPECT_EQ(sqlite_fault(SQLITE_FULL), Fault::full);
  EXPECT_EQ(sqlite_fault(SQLITE_READONLY), Fault::read_only);
  EXPECT_EQ(sqlite_fault(SQLITE_READONLY_DIRECTORY), Fault::read_only);
  EXPECT_EQ(sqlite_fault(SQLITE_BUSY), Fault::busy);
  EXPECT_EQ(sqlite_fault(SQLITE_LOCKED), Fault::busy);
  EXPECT_EQ(sqlite_fault(SQLITE_IOERR_READ), Fault::io);
  EXPECT_EQ(sqlite_fault(SQLITE_CORRUPT), Fault::corrupt);
  EXPECT_EQ(sqlite_fault(SQLITE_NOTADB), Fault::corrupt);
  EXPECT_EQ(sqlite_fault(SQLITE_CONSTRAINT), Fault::other);
  // An I/O error whose cause was a lack of room (a write past the file size limit, a failed
  // fallocate) is a full disk; a read-only filesystem is read-only.
  EXPECT_EQ(sqlite_fault(SQLITE_IOERR_WRITE, EFBIG), Fault::full);
  EXPECT_EQ(sqlite_fault(SQLITE_IOERR_TRUNCATE, ENOSPC), Fault::full);
  EXPECT_EQ(sqlite_fault(SQLITE_CANTOPEN, EROFS), Fault::read_only);
  EXPECT_EQ(sqlite_fault(SQLITE_IOERR_WRITE, EIO), Fault::io);
}

TEST(StorageFault, ExceptionsByKind) {
  EXPECT_EQ(fault_of(SQLite::Exception("database or disk is full", SQLITE_FULL)), Fault::full);
  EXPECT_EQ(fault_of(std::system_error(ENOSPC, std::generic_category(), "write")), Fault::full);
  EXPECT_EQ(
      fault_of(fs::filesystem_error("rename", std::error_code(EROFS, std::generic_category()))),
      Fault::read_only);
  EXPECT_EQ(fault_of(std::runtime_error("a bug")), Fault::other);
  EXPECT_EQ(fault_of(SQLite::Exception("misuse")), Fault::other);  // SQLiteCpp's own, no code
  EXPECT_EQ(describe_failure(SQLite::Exception("database or disk is full", SQLITE_FULL)),
            "database or disk is full (SQLite code 13, SQLITE_FULL)");
}

TEST(StorageFault, AFullDatabaseIsFull) {
  // SQLite's per-connection page limit stands in for a full disk here (tests/ops/
  // storage_full_test.py fills a real filesystem).
  TempDir dir;
  SQLite::Database db(dir.file("small.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("CREATE TABLE t (x BLOB)");
  db.exec("PRAGMA max_page_count = " + std::to_string(db.execAndGet("PRAGMA page_count").getInt()));
  try {
    db.exec("INSERT INTO t VALUES (zeroblob(100000))");
    FAIL() << "the insert found room";
  } catch (const SQLite::Exception& error) {
    EXPECT_EQ(fault_of(error), Fault::full) << describe_failure(error);
    EXPECT_EQ(storage_error(error).fault, Fault::full);
  }
}

TEST(StorageFault, TheFullFlagIsClearedByAWriteThatSucceeds) {
  TempDir dir;
  note_write_failed(Fault::busy);
  note_write_succeeded();
  EXPECT_FALSE(storage_full());
  note_write_failed(Fault::full);
  EXPECT_TRUE(storage_full());
  EXPECT_TRUE(probe_space(dir.path()));  // room here: the probe is a write that succeeds
  EXPECT_FALSE(storage_full());
  EXPECT_TRUE(fs::is_empty(dir.path())) << "the probe file is removed";
  note_write_failed(Fault::full);
  EXPECT_FALSE(probe_space(dir.file("no such directory")));
  EXPECT_TRUE(storage_full());
  note_write_succeeded();
}

TEST(StorageFault, ADatabaseThatIsNotOneIsNamedAtStartUp) {
  TempDir dir;
  const fs::path path = dir.file("notes.db");
  std::ofstream(path) << std::string(8192, 'x');
  auto store = open_sqlite_store(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().fault, Fault::corrupt);
  EXPECT_NE(store.error().message.find("cannot open the database for writing: it is not an "
                                       "investflow database, or it is damaged"),
            std::string::npos)
      << store.error().message;
}

TEST(StorageFault, ALockHeldByThisProcessIsNotBlamedOnAnother) {
  TempDir dir;
  const fs::path path = dir.file("zone.db");
  ASSERT_TRUE(init_sqlite_database(path));
  SQLite::Database holder(path, SQLite::OPEN_READWRITE);
  holder.exec("BEGIN EXCLUSIVE");
  holder.exec("PRAGMA user_version = user_version");
  auto writable = check_writable(path, 50);
  ASSERT_FALSE(writable);
  EXPECT_EQ(writable.error().fault, Fault::busy);
  EXPECT_NE(writable.error().message.find("another process holds its write lock (which one "
                                          "cannot be told from /proc/locks)"),
            std::string::npos)
      << writable.error().message;
  EXPECT_EQ(lock_holders(path), "");
  holder.exec("ROLLBACK");
  EXPECT_TRUE(check_writable(path, 50));
}

TEST(DataAtRest, BackupsAndAttachmentsAreTheOwnersAloneWhateverTheUmask) {
  const Umask open_umask(022);
  TempDir dir;
  const fs::path db = dir.file("zone.db");
  ASSERT_TRUE(init_sqlite_database(db));
  AttachmentFiles files(files_dir_of(db));
  const fs::path upload = files.upload_dir() / "upload.part";
  std::ofstream(upload) << "%PDF-1.4 a file";
  const std::string sha(64, 'a');
  ASSERT_TRUE(files.place(upload, sha));
  const fs::path stored = files_dir_of(db) / "aa" / sha;
  EXPECT_EQ(mode_of(stored), 0600u);
  EXPECT_EQ(mode_of(stored.parent_path()), 0700u);
  EXPECT_EQ(mode_of(files_dir_of(db)), 0700u);

  const fs::path copy = dir.file("backup.db");
  ASSERT_TRUE(backup_database(db, copy));
  EXPECT_EQ(mode_of(copy), 0600u);
  EXPECT_EQ(mode_of(files_dir_of(copy)), 0700u);
  EXPECT_EQ(mode_of(files_dir_of(copy) / "aa" / sha), 0600u);
  EXPECT_EQ(mode_of(files_dir_of(copy) / "aa"), 0700u);
}

}  // namespace
}  // namespace investflow::storage
