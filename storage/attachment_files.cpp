#include "storage/attachment_files.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <system_error>
#include <vector>

namespace investflow::storage {
namespace fs = std::filesystem;

namespace {

static_assert(sizeof(crypto_hash_sha256_state) <= 128);

constexpr std::string_view kPdf = "application/pdf";
constexpr std::string_view kJpeg = "image/jpeg";
constexpr std::string_view kPng = "image/png";
constexpr std::string_view kOfd = "application/ofd";
constexpr std::string_view kDocx =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
constexpr std::string_view kXlsx =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
constexpr std::string_view kZip = "application/zip";

// Reads up to `size` bytes at `offset`.
std::string read_at(std::ifstream& in, std::uint64_t offset, std::size_t size) {
  std::string bytes(size, '\0');
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  bytes.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return bytes;
}

std::uint32_t le16(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8;
}
std::uint32_t le32(std::string_view bytes, std::size_t at) {
  return le16(bytes, at) | le16(bytes, at + 2) << 16;
}

// The names of a ZIP archive's entries: from its central directory, or (when that cannot
// be read, e.g. ZIP64) from the local headers at the start of the file.
std::vector<std::string> zip_entry_names(std::ifstream& in, std::uint64_t size) {
  std::vector<std::string> names;
  const std::uint64_t tail_size = std::min<std::uint64_t>(size, 65536 + 22);
  const std::string tail = read_at(in, size - tail_size, static_cast<std::size_t>(tail_size));
  const std::size_t eocd = tail.size() >= 22 ? tail.rfind("PK\x05\x06") : std::string::npos;
  if (eocd != std::string::npos && eocd + 22 <= tail.size()) {
    const std::uint32_t directory_size = le32(tail, eocd + 12);
    const std::uint32_t directory_offset = le32(tail, eocd + 16);
    if (directory_size <= 8u * 1024 * 1024 &&
        static_cast<std::uint64_t>(directory_offset) + directory_size <= size) {
      const std::string directory = read_at(in, directory_offset, directory_size);
      std::size_t at = 0;
      while (at + 46 <= directory.size() && directory.compare(at, 4, "PK\x01\x02") == 0) {
        const std::size_t name_length = le16(directory, at + 28);
        const std::size_t extra = le16(directory, at + 30) + le16(directory, at + 32);
        if (at + 46 + name_length > directory.size()) break;
        names.push_back(directory.substr(at + 46, name_length));
        at += 46 + name_length + extra;
      }
      if (!names.empty()) return names;
    }
  }
  const std::string head =
      read_at(in, 0, static_cast<std::size_t>(std::min<std::uint64_t>(size, 1 << 20)));
  std::size_t at = 0;
  while (at + 30 <= head.size() && head.compare(at, 4, "PK\x03\x04") == 0) {
    const std::size_t name_length = le16(head, at + 26);
    const std::size_t extra = le16(head, at + 28);
    const std::uint32_t compressed = le32(head, at + 18);
    if (at + 30 + name_length > head.size()) break;
    names.push_back(head.substr(at + 30, name_length));
    at += 30 + name_length + extra + compressed;
  }
  return names;
}

bool has_entry(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool has_prefix(const std::vector<std::string>& names, std::string_view prefix) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& name) { return name.starts_with(prefix); });
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Markup or a script a browser (or a shell) would run, by the first bytes.
std::string active_label(std::string_view head) {
  std::size_t at = head.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (at < head.size() && std::isspace(static_cast<unsigned char>(head[at])) != 0)
    ++at;
  const std::string text = lower(head.substr(at));
  if (text.starts_with("#!")) return "script";
  if (!text.starts_with("<")) {
    return text.find("<script") != std::string::npos || text.find("<html") != std::string::npos
               ? "HTML"
               : "";
  }
  if (text.find("<svg") != std::string::npos) return "SVG";
  if (text.starts_with("<?xml")) return "XML";
  return "HTML";
}

void sync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0)
    throw std::system_error(error, std::generic_category(), "fsync " + path.string());
}

void make_private_dir(const fs::path& dir) {
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
}

bool is_valid_utf8(std::string_view text, std::size_t at, std::size_t& length) {
  const auto byte = static_cast<unsigned char>(text[at]);
  length = byte < 0x80           ? 1
           : (byte >> 5) == 0x6  ? 2
           : (byte >> 4) == 0xE  ? 3
           : (byte >> 3) == 0x1E ? 4
                                 : 0;
  if (length == 0 || at + length > text.size()) return false;
  for (std::size_t i = 1; i < length; ++i) {
    if ((static_cast<unsigned char>(text[at + i]) & 0xC0) != 0x80) return false;
  }
  return true;
}

}  // namespace

fs::path files_dir_of(const fs::path& database) {
  fs::path dir = database;
  dir += ".files";
  return dir;
}

Sha256Stream::Sha256Stream() {
  crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_));
}

void Sha256Stream::update(const void* data, std::size_t size) {
  crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(state_),
                            static_cast<const unsigned char*>(data), size);
}

std::string Sha256Stream::hex_digest() {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_), digest.data());
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (const unsigned char byte : digest) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0f]);
  }
  return hex;
}

DetectedType detect_media_type(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::error_code error;
  const std::uint64_t size = fs::file_size(file, error);
  if (!in || error || size == 0) return {"", "empty", false};
  const std::string head =
      read_at(in, 0, static_cast<std::size_t>(std::min<std::uint64_t>(size, 1024)));
  if (head.starts_with("%PDF-")) return {std::string(kPdf), "PDF", false};
  if (head.starts_with("\xFF\xD8\xFF")) return {std::string(kJpeg), "JPEG", false};
  if (head.starts_with("\x89PNG\r\n\x1A\n")) return {std::string(kPng), "PNG", false};
  if (head.starts_with("PK\x03\x04") || head.starts_with("PK\x05\x06")) {
    const auto names = zip_entry_names(in, size);
    if (has_entry(names, "OFD.xml")) return {std::string(kOfd), "OFD", false};
    if (has_entry(names, "[Content_Types].xml") && has_prefix(names, "word/")) {
      return {std::string(kDocx), "DOCX", false};
    }
    if (has_entry(names, "[Content_Types].xml") && has_prefix(names, "xl/")) {
      return {std::string(kXlsx), "XLSX", false};
    }
    return {std::string(kZip), "ZIP", false};
  }
  const std::string active = active_label(head);
  if (!active.empty()) return {"", active, true};
  return {"", "unknown", false};
}

std::string_view accepted_types_text() {
  return "PDF、JPEG、PNG、OFD、DOCX、XLSX、ZIP";
}

bool shows_inline(std::string_view media_type) {
  return media_type == kPdf || media_type == kJpeg || media_type == kPng;
}

std::string clean_filename(std::string_view name) {
  const std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  std::size_t at = 0;
  while (at < name.size()) {
    std::size_t length = 0;
    if (!is_valid_utf8(name, at, length)) {
      out += '_';
      ++at;
      continue;
    }
    const auto byte = static_cast<unsigned char>(name[at]);
    if (length == 1 && (byte < 0x20 || byte == 0x7F)) {
      ++at;
      continue;
    }
    if (out.size() + length > 200) break;
    out.append(name.substr(at, length));
    at += length;
  }
  const auto first = out.find_first_not_of(" .");
  if (first == std::string::npos) return "";
  out.erase(0, first);
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

AttachmentFiles::AttachmentFiles(fs::path dir) : dir_(std::move(dir)) {
  make_private_dir(dir_);
  make_private_dir(upload_dir());
  worker_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      job = nullptr;
      lock.lock();
    }
  });
}

AttachmentFiles::~AttachmentFiles() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.get_id() == std::this_thread::get_id()) {
    worker_.detach();  // the last holder let go inside a job
  } else if (worker_.joinable()) {
    worker_.join();
  }
}

void AttachmentFiles::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

fs::path AttachmentFiles::path_of(std::string_view sha256) const {
  return dir_ / std::string(sha256.substr(0, 2)) / std::string(sha256);
}

bool AttachmentFiles::contains(std::string_view sha256) const {
  std::error_code error;
  return fs::is_regular_file(path_of(sha256), error);
}

Outcome<bool> AttachmentFiles::place(const fs::path& upload, std::string_view sha256) {
  {
    std::lock_guard lock(mutex_);
    ++in_flight_[std::string(sha256)];
  }
  try {
    const fs::path target = path_of(sha256);
    if (contains(sha256)) {
      fs::remove(upload);
      return false;
    }
    sync_path(upload, O_RDONLY);
    make_private_dir(target.parent_path());
    fs::permissions(upload, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
    fs::rename(upload, target);
    sync_path(target.parent_path(), O_RDONLY | O_DIRECTORY);
    return true;
  } catch (const std::exception& failure) {
    std::error_code ignored;
    fs::remove(upload, ignored);
    return engine::fail(storage_error(failure, "cannot store the attachment: "));
  }
}

void AttachmentFiles::settle(std::string_view sha256, bool kept,
                             const std::function<bool()>& referenced) {
  std::lock_guard lock(mutex_);
  const auto it = in_flight_.find(sha256);
  if (it != in_flight_.end() && --it->second <= 0) in_flight_.erase(it);
  if (kept || in_flight_.contains(sha256)) return;
  if (referenced && referenced()) return;
  std::error_code ignored;
  fs::remove(path_of(sha256), ignored);
}

FileCheck check_stored_file(const fs::path& dir, std::string_view sha256, std::int64_t size) {
  const fs::path path = dir / std::string(sha256.substr(0, 2)) / std::string(sha256);
  std::ifstream in(path, std::ios::binary);
  if (!in) return FileCheck::missing;
  Sha256Stream hash;
  std::vector<char> buffer(1 << 16);
  std::int64_t total = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = in.gcount();
    if (got <= 0) break;
    hash.update(buffer.data(), static_cast<std::size_t>(got));
    total += got;
  }
  return total == size && hash.hex_digest() == sha256 ? FileCheck::ok : FileCheck::altered;
}

Outcome<std::int64_t> copy_attachment_files(const fs::path& from, const fs::path& to) {
  std::error_code error;
  if (!fs::is_directory(from, error)) return std::int64_t{0};
  try {
    make_private_dir(to);
    std::int64_t copied = 0;
    for (const auto& shard : fs::directory_iterator(from)) {
      if (!shard.is_directory() || shard.path().filename() == "tmp") continue;
      const fs::path target_dir = to / shard.path().filename();
      make_private_dir(target_dir);
      for (const auto& file : fs::directory_iterator(shard.path())) {
        if (!file.is_regular_file()) continue;
        const fs::path target = target_dir / file.path().filename();
        fs::copy_file(file.path(), target, fs::copy_options::overwrite_existing);
        fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write,
                        fs::perm_options::replace);
        sync_path(target, O_RDONLY);
        ++copied;
      }
      sync_path(target_dir, O_RDONLY | O_DIRECTORY);
    }
    return copied;
  } catch (const std::exception& failure) {
    return engine::fail(Error{Error::Kind::storage,
                              std::string("copying the attached files failed: ") + failure.what()});
  }
}

}  // namespace investflow::storage
