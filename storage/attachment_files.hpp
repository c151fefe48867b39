#pragma once
// Files attached to projects (evidence: contracts, licences, photos), stored beside the
// database in `<database>.files/`, each under its SHA-256 (content-addressed, so one file
// attached to many projects is stored once): `<database>.files/ab/abcdef…`. The project's
// chain holds each attachment's id (the hash), name, size and type (engine::FileAttached);
// `investflow verify` checks every stored file against its hash and `investflow backup`
// copies them. Uploads arrive in `<database>.files/tmp/` and are renamed into place once
// complete and synced; an upload that fails leaves nothing behind.
//
// Files are 0600 and the directories 0700: only the server's user reads them.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "storage/store.hpp"

namespace investflow::storage {

// `<database>.files`, beside the database file.
std::filesystem::path files_dir_of(const std::filesystem::path& database);

// SHA-256 fed piece by piece (an upload as it arrives).
class Sha256Stream {
 public:
  Sha256Stream();
  void update(const void* data, std::size_t size);
  std::string hex_digest();  // once, at the end

 private:
  alignas(16) unsigned char state_[128];  // crypto_hash_sha256_state, opaque here
};

// What a file is, by its first bytes (and, for ZIP containers, the names of its entries):
// never by its name or the type the client declared.
struct DetectedType {
  std::string media_type;  // empty: not a type attachments accept
  std::string label;       // PDF, JPEG, PNG, OFD, DOCX, XLSX, ZIP; or what it looked like
  bool active = false;     // HTML, SVG, XML or a script: content a browser could run
};
DetectedType detect_media_type(const std::filesystem::path& file);
// The media types attachments accept, for messages: "PDF、JPEG、PNG、OFD、DOCX、XLSX、ZIP".
std::string_view accepted_types_text();
// Whether an image or PDF (a browser shows it itself, and may open it in a tab).
bool shows_inline(std::string_view media_type);

// A file name as people gave it, made safe to store and send back: the part after the last
// '/' or '\', without control characters, at most 200 bytes (cut on a UTF-8 boundary).
// Empty when nothing usable is left.
std::string clean_filename(std::string_view name);

class AttachmentFiles {
 public:
  // Creates the directory (0700) and its tmp/ when missing; starts the worker thread.
  explicit AttachmentFiles(std::filesystem::path dir);
  // Runs the jobs queued, then stops the worker.
  ~AttachmentFiles();
  AttachmentFiles(const AttachmentFiles&) = delete;
  AttachmentFiles& operator=(const AttachmentFiles&) = delete;

  // Runs `job` on the worker thread, after the jobs queued before it: the slow part of an
  // upload (syncing, detecting the type, moving it into place) stays off the server's
  // threads. A job must not throw.
  void post(std::function<void()> job);

  const std::filesystem::path& dir() const { return dir_; }
  // Where uploads arrive (same file system: the rename into place is atomic).
  std::filesystem::path upload_dir() const { return dir_ / "tmp"; }
  std::filesystem::path path_of(std::string_view sha256) const;
  bool contains(std::string_view sha256) const;

  // Moves a complete upload into place under its hash: syncs it, renames it (or, when the
  // same content is stored already, removes it), syncs the directory. True when this call
  // stored the file. Every place() must be followed by settle() for the same hash.
  Outcome<bool> place(const std::filesystem::path& upload, std::string_view sha256);
  // After the attachment's event committed (`kept`) or failed: when it failed, no other
  // upload of the same content is under way and no committed event names the hash
  // (`referenced`, asked only then), the file is removed again.
  void settle(std::string_view sha256, bool kept, const std::function<bool()>& referenced);

 private:
  std::filesystem::path dir_;
  std::mutex mutex_;
  std::map<std::string, int, std::less<>> in_flight_;  // GUARDED_BY(mutex_): hash -> uploads
  std::deque<std::function<void()>> jobs_;             // GUARDED_BY(mutex_)
  bool stopping_ = false;                              // GUARDED_BY(mutex_)
  std::condition_variable wake_;
  std::thread worker_;
};

// For `verify`: whether the stored file is there and has this hash and size.
enum class FileCheck { ok, missing, altered };
FileCheck check_stored_file(const std::filesystem::path& dir, std::string_view sha256,
                            std::int64_t size);

// For `backup`: copies the stored files (not tmp/) from `from` to `to` (created 0700; files
// 0600). Returns how many were copied; `from` missing copies nothing.
Outcome<std::int64_t> copy_attachment_files(const std::filesystem::path& from,
                                            const std::filesystem::path& to);

}  // namespace investflow::storage
