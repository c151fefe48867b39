#include "storage/storage_fault.hpp"

#include "storage/pg_connection.hpp"

#include <SQLiteCpp/Exception.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

namespace investflow::storage {
namespace fs = std::filesystem;
namespace {

std::atomic<bool> g_full{false};

// SQLite's name for a result code, e.g. SQLITE_IOERR_WRITE (the common ones; others by number).
std::string_view sqlite_code_name(int code) {
  switch (code) {
    case SQLITE_FULL:
      return "SQLITE_FULL";
    case SQLITE_READONLY:
      return "SQLITE_READONLY";
    case SQLITE_READONLY_DIRECTORY:
      return "SQLITE_READONLY_DIRECTORY";
    case SQLITE_READONLY_CANTINIT:
      return "SQLITE_READONLY_CANTINIT";
    case SQLITE_READONLY_DBMOVED:
      return "SQLITE_READONLY_DBMOVED";
    case SQLITE_BUSY:
      return "SQLITE_BUSY";
    case SQLITE_BUSY_SNAPSHOT:
      return "SQLITE_BUSY_SNAPSHOT";
    case SQLITE_LOCKED:
      return "SQLITE_LOCKED";
    case SQLITE_IOERR:
      return "SQLITE_IOERR";
    case SQLITE_IOERR_READ:
      return "SQLITE_IOERR_READ";
    case SQLITE_IOERR_SHORT_READ:
      return "SQLITE_IOERR_SHORT_READ";
    case SQLITE_IOERR_WRITE:
      return "SQLITE_IOERR_WRITE";
    case SQLITE_IOERR_FSYNC:
      return "SQLITE_IOERR_FSYNC";
    case SQLITE_IOERR_TRUNCATE:
      return "SQLITE_IOERR_TRUNCATE";
    case SQLITE_IOERR_SHMSIZE:
      return "SQLITE_IOERR_SHMSIZE";
    case SQLITE_CANTOPEN:
      return "SQLITE_CANTOPEN";
    case SQLITE_CORRUPT:
      return "SQLITE_CORRUPT";
    case SQLITE_NOTADB:
      return "SQLITE_NOTADB";
    default:
      return "";
  }
}

const SQLite::Exception* as_sqlite(const std::exception& error) {
  return dynamic_cast<const SQLite::Exception*>(&error);
}

// The most precise code the exception has: extended when SQLite gave one, else primary;
// -1 for SQLiteCpp's own errors (a misuse, not SQLite's result).
int sqlite_code(const SQLite::Exception& error) {
  return error.getExtendedErrorCode() >= 0 ? error.getExtendedErrorCode() : error.getErrorCode();
}

bool writable(const fs::path& path) {
  return ::access(path.c_str(), W_OK) == 0;
}

std::string read_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

std::string_view fault_name(Fault fault) {
  switch (fault) {
    case Fault::full:
      return "full";
    case Fault::read_only:
      return "read_only";
    case Fault::busy:
      return "busy";
    case Fault::io:
      return "io";
    case Fault::corrupt:
      return "corrupt";
    case Fault::unavailable:
      return "unavailable";
    case Fault::other:
      break;
  }
  return "other";
}

Fault errno_fault(int error) {
  switch (error) {
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return Fault::full;
    case EROFS:
    case EACCES:
    case EPERM:
      return Fault::read_only;
    case EIO:
      return Fault::io;
    default:
      return Fault::other;
  }
}

Fault pg_fault(const PgError& error) {
  const std::string& state = error.sqlstate();
  if (error.connection_lost() || state == "25006") return Fault::unavailable;
  if (state == "53100") return Fault::full;
  if (state == "40001" || state == "40P01" || state == "55P03") return Fault::busy;
  return Fault::other;
}

Fault sqlite_fault(int extended_code, int system_errno) {
  switch (extended_code & 0xff) {
    case SQLITE_FULL:
      return Fault::full;
    case SQLITE_READONLY:
      return Fault::read_only;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Fault::busy;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN: {
      // A write the OS refused for lack of room can come back as an I/O error (a failed
      // ftruncate or fallocate, or a write past the file size limit): its errno says so.
      const Fault by_errno = errno_fault(system_errno);
      return by_errno == Fault::other ? Fault::io : by_errno;
    }
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Fault::corrupt;
    default:
      return Fault::other;
  }
}

Fault fault_of(const std::exception& error, int system_errno) {
  if (const auto* pg = dynamic_cast<const PgError*>(&error)) return pg_fault(*pg);
  if (const auto* sqlite = as_sqlite(error)) {
    const int code = sqlite_code(*sqlite);
    return code < 0 ? Fault::other : sqlite_fault(code, system_errno);
  }
  if (const auto* system = dynamic_cast<const std::system_error*>(&error)) {
    if (system->code().category() == std::generic_category() ||
        system->code().category() == std::system_category()) {
      return errno_fault(system->code().value());
    }
  }
  return Fault::other;
}

std::string describe_failure(const std::exception& error) {
  std::string text = error.what();
  if (const auto* sqlite = as_sqlite(error); sqlite != nullptr && sqlite_code(*sqlite) >= 0) {
    const int code = sqlite_code(*sqlite);
    const std::string_view name = sqlite_code_name(code);
    text += " (SQLite code " + std::to_string(code) + (name.empty() ? "" : ", ") +
            std::string(name) + ")";
  }
  return text;
}

void note_write_failed(Fault fault) {
  if (fault == Fault::full) g_full.store(true, std::memory_order_relaxed);
}

void note_write_succeeded() {
  // Most writes find the flag clear: read before writing the shared cache line.
  if (g_full.load(std::memory_order_relaxed)) g_full.store(false, std::memory_order_relaxed);
}

bool storage_full() {
  return g_full.load(std::memory_order_relaxed);
}

// Declared where it is used (sqlite_writer.cpp): probe_space, with the errno that stopped it.
int probe_space_errno(const fs::path& dir) {
  static std::atomic<int> probes{0};
  const fs::path probe = dir / (".investflow-space-probe." + std::to_string(::getpid()) + "." +
                                std::to_string(probes++));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return errno;
  const std::vector<char> block(64 * 1024, '\0');
  int error = 0;
  for (int i = 0; error == 0 && i < 4; ++i) {
    const ssize_t written = ::write(fd, block.data(), block.size());
    if (written < 0 && errno == EINTR) {
      --i;
    } else if (written < 0) {
      error = errno;
    } else if (static_cast<std::size_t>(written) < block.size()) {
      error = ENOSPC;  // a short write to a regular file: no more room
    }
  }
  ::close(fd);
  ::unlink(probe.c_str());
  if (error == 0) note_write_succeeded();
  return error;
}

bool probe_space(const fs::path& dir) {
  return probe_space_errno(dir) == 0;
}

std::string lock_holders(const fs::path& db) {
  // SQLite locks with POSIX advisory locks: on the database file in rollback mode, on its
  // -shm file in WAL mode (the write lock is a WRITE lock there; readers hold READ locks).
  std::set<std::pair<dev_t, ino_t>> files;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat status {};
    if (::stat((db.string() + suffix).c_str(), &status) == 0) {
      files.emplace(status.st_dev, status.st_ino);
    }
  }
  std::ifstream locks("/proc/locks");
  std::set<long> pids;
  std::string line;
  while (std::getline(locks, line)) {
    // "1: POSIX  ADVISORY  WRITE 30723 fe:00:10952964 120 120"; "1: -> ..." waits, holds nothing
    std::istringstream fields(line);
    std::string id, type, mode, kind, device;
    long pid = 0;
    if (!(fields >> id >> type) || type == "->") continue;
    if (!(fields >> mode >> kind >> pid >> device) || kind != "WRITE" || pid <= 0) continue;
    unsigned major_number = 0, minor_number = 0;
    unsigned long long inode = 0;
    if (std::sscanf(device.c_str(), "%x:%x:%llu", &major_number, &minor_number, &inode) != 3) {
      continue;
    }
    if (pid == ::getpid()) continue;
    if (files.contains({makedev(major_number, minor_number), static_cast<ino_t>(inode)})) {
      pids.insert(pid);
    }
  }
  std::string holders;
  for (const long pid : pids) {
    const std::string name = read_line("/proc/" + std::to_string(pid) + "/comm");
    holders += (holders.empty() ? "" : ", ") + ("pid " + std::to_string(pid)) +
               (name.empty() ? "" : " (" + name + ")");
  }
  return holders;
}

std::string open_failure(const fs::path& db, const std::exception& error) {
  const Fault fault = fault_of(error);
  const fs::path dir = db.has_parent_path() ? db.parent_path() : fs::path(".");
  std::error_code missing;
  const bool exists = fs::exists(db, missing);
  std::string cause;
  struct statvfs volume {};
  if (::statvfs(dir.c_str(), &volume) == 0 && (volume.f_flag & ST_RDONLY) != 0) {
    cause = "the filesystem holding it is mounted read-only";
  } else if (exists && !writable(db)) {
    cause = "the file is read-only for this user (uid " + std::to_string(::getuid()) + ")";
  } else if (!writable(dir)) {
    cause = "its directory " + dir.string() +
            " is read-only for this user (SQLite writes the -wal and -shm files beside the "
            "database)";
  } else if (exists && fs::exists(db.string() + "-wal", missing) &&
             !writable(db.string() + "-wal")) {
    cause = db.string() + "-wal is read-only for this user";
  } else if (exists && fs::exists(db.string() + "-shm", missing) &&
             !writable(db.string() + "-shm")) {
    cause = db.string() + "-shm is read-only for this user";
  } else if (fault == Fault::busy) {
    const std::string holders = lock_holders(db);
    cause = "another process holds its write lock (" +
            (holders.empty() ? std::string("which one cannot be told from /proc/locks") : holders) +
            "); stop that process or wait for it to finish, then start again";
  } else if (fault == Fault::read_only) {
    cause = "it cannot be written";
  } else if (fault == Fault::full) {
    cause = "the disk holding it is full";
  } else if (fault == Fault::corrupt) {
    cause =
        "it is not an investflow database, or it is damaged (`investflow verify` tells which; "
        "restore the latest backup)";
  } else if (fault == Fault::io) {
    cause = "the disk failed to read or write it";
  }
  return "cannot open the database for writing" + (cause.empty() ? "" : ": " + cause) + " [" +
         describe_failure(error) + "]";
}

}  // namespace investflow::storage
