#include "app/backup_schedule.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <vector>

#include "engine/date.hpp"
#include "storage/attachment_files.hpp"
#include "storage/operations.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;

// zone-20260210-093000.db: names sort by time.
std::string backup_name(const fs::path& db, engine::Timestamp now) {
  return db.stem().string() + "-" + file_stamp(now) + ".db";
}

std::vector<fs::path> existing_backups(const fs::path& db, const fs::path& dir) {
  std::vector<fs::path> found;
  const std::string prefix = db.stem().string() + "-";
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with(prefix) && name.ends_with(".db") &&
        name.size() == prefix.size() + 18) {
      found.push_back(entry.path());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

void remove_backup(const fs::path& file) {
  std::error_code ignored;
  fs::remove(file, ignored);
  fs::remove_all(storage::files_dir_of(file), ignored);
}

}  // namespace

std::string file_stamp(engine::Timestamp at) {
  const std::string stamp = engine::format_timestamp(at);  // 2026-02-10T09:30:00.000+08:00
  return stamp.substr(0, 4) + stamp.substr(5, 2) + stamp.substr(8, 2) + "-" + stamp.substr(11, 2) +
         stamp.substr(14, 2) + stamp.substr(17, 2);
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  long long count = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size() - 1, count);
  if (error != std::errc() || end != text.data() + text.size() - 1 || count <= 0 ||
      count > 100'000'000) {
    return std::nullopt;
  }
  switch (text.back()) {
    case 's':
      return std::chrono::seconds(count);
    case 'm':
      return std::chrono::seconds(count * 60);
    case 'h':
      return std::chrono::seconds(count * 3600);
    case 'd':
      return std::chrono::seconds(count * 86400);
    default:
      return std::nullopt;
  }
}

engine::Result<fs::path, std::string> backup_now(const fs::path& db, const BackupPolicy& policy) {
  std::error_code error;
  // A directory made here is its owner's alone (one chosen by the operator keeps its mode).
  if (fs::create_directories(policy.dir, error)) {
    fs::permissions(policy.dir, fs::perms::owner_all, fs::perm_options::replace, error);
  }
  if (error) return engine::fail(policy.dir.string() + ": " + error.message());
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const fs::path file = policy.dir / backup_name(db, now);
  if (fs::exists(file, error)) return engine::fail(file.string() + " exists already");
  if (auto copied = storage::backup_database(db, file); !copied) {
    return engine::fail(copied.error().message);
  }
  auto verified = storage::verify_database(file);
  if (!verified || !verified->ok()) {
    const std::string why = !verified
                                ? verified.error().message
                                : verified->problems.front().message + " (" +
                                      std::to_string(verified->problems.size()) + " problems)";
    remove_backup(file);
    return engine::fail(file.string() + " failed verification, removed: " + why);
  }
  std::vector<fs::path> all = existing_backups(db, policy.dir);
  const std::size_t keep = static_cast<std::size_t>(std::max(policy.keep, 1));
  for (std::size_t i = 0; i + keep < all.size(); ++i)
    remove_backup(all[i]);
  return file;
}

PeriodicJob::PeriodicJob(std::string name, std::chrono::seconds every, Job job,
                         std::function<bool()> on_duty)
    : name_(std::move(name)), every_(every), job_(std::move(job)), on_duty_(std::move(on_duty)) {
}

PeriodicJob::~PeriodicJob() {
  stop();
}

void PeriodicJob::start() {
  thread_ = std::thread([this] { run(); });
}

void PeriodicJob::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::int64_t PeriodicJob::written() const {
  std::lock_guard lock(mutex_);
  return written_;
}

std::int64_t PeriodicJob::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}

double PeriodicJob::last_success() const {
  std::lock_guard lock(mutex_);
  return last_success_;
}

void PeriodicJob::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, every_, [this] { return stopping_; })) {
    if (on_duty_ && !on_duty_()) continue;  // another server's turn
    lock.unlock();
    const auto result = job_();
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (result) {
      spdlog::info("{}: {}", name_, *result);
    } else {
      spdlog::error("{} failed: {}", name_, result.error());
    }
    lock.lock();
    if (result) {
      ++written_;
      last_success_ = now;
    } else {
      ++failed_;
    }
  }
}

}  // namespace investflow::app
