#pragma once
// Storage failures by kind. The kind decides what a client is answered (web/problem.hpp:
// 507 when the disk is full, 503 when the database cannot be written now, 500 with a code
// otherwise), what /readyz says, and what an operator reads in the log and at start-up.
//
// Free of SQLite's headers: callers that hold a SQLite error pass its codes as integers.

#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

namespace investflow::storage {

class PgError;

enum class Fault {
  other,      // not the storage's doing as far as can be told (a bug, out of memory)
  full,       // no room to write: SQLITE_FULL, ENOSPC, EDQUOT, EFBIG
  read_only,  // the file, its directory or the filesystem cannot be written: SQLITE_READONLY*,
              // EROFS, EACCES, EPERM
  busy,       // another connection holds the lock past the busy timeout: SQLITE_BUSY, LOCKED
  io,         // the disk failed a read or write, or a file cannot be opened: SQLITE_IOERR*,
              // SQLITE_CANTOPEN, EIO
  corrupt,    // the database's pages do not hold together: SQLITE_CORRUPT, SQLITE_NOTADB
  // The database server cannot be reached, is restarting, or is a read-only standby
  // (PostgreSQL: connection lost, SQLSTATE class 08, 57P0x, 25006). Reconnecting may mend it.
  unavailable,
};

// "full", "read_only", ...: for log lines and metrics.
std::string_view fault_name(Fault fault);

// A SQLite result code (primary or extended) with the OS error behind it (0: unknown).
Fault sqlite_fault(int extended_code, int system_errno = 0);
// A PostgreSQL error: lost connection or standby (unavailable), disk full, serialization
// failure or lock timeout (busy).
Fault pg_fault(const PgError& error);
// An errno value.
Fault errno_fault(int error);
// A SQLite::Exception by its code (and the OS error behind it, sqlite3_system_errno, when
// the caller has it), a std::system_error (std::filesystem_error among them) by its errno;
// a PgError (pg_connection.hpp) by its SQLSTATE; anything else is Fault::other.
Fault fault_of(const std::exception& error, int system_errno = 0);

// The exception's message with what SQLite or the OS said about it, for a log line:
// "database or disk is full (SQLite code 13, SQLITE_FULL)".
std::string describe_failure(const std::exception& error);

// Whether this process's writes have room. One flag per process (every connection and
// file of one server is on the disk its database is on): a write that fails for lack of
// space sets it, one that succeeds clears it, and /readyz answers 503 while it is set.
void note_write_failed(Fault fault);
void note_write_succeeded();
bool storage_full();
// Writes, then removes, a 256 KiB file in `dir`: true when there was room (and then clears
// the flag, as any write that succeeds does). Lets /readyz recover without waiting for a
// client's write, which a load balancer would not send while the server is not ready.
bool probe_space(const std::filesystem::path& dir);

// The start-up error for a database that cannot be opened for writing, naming the file
// and the cause: a read-only file, directory or filesystem; a lock held by another process
// (by pid and name when /proc/locks says which); a file that is not a database.
std::string open_failure(const std::filesystem::path& db, const std::exception& error);
// Processes other than this one holding a write lock on the database or its -wal / -shm
// files, as "pid 1234 (sqlite3)", comma-separated; "" when none is known (no /proc/locks:
// not Linux, or another mount namespace's view).
std::string lock_holders(const std::filesystem::path& db);

}  // namespace investflow::storage
