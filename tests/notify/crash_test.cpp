// kill -9 while the dispatcher delivers: every event the store acknowledged reaches the
// webhook receiver at least once (identified by its event id), however often the process
// died between the commit and the delivery.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <iterator>
#include <random>
#include <set>
#include <sstream>

#include "notify/dispatcher.hpp"
#include "notify/webhook_format.hpp"
#include "storage/system_clock.hpp"
#include "tests/notify/notify_test_support.hpp"
#include "tests/notify/webhook_receiver.hpp"
#include "tests/storage/mini_workflow.hpp"

namespace investflow::notify::testing {
namespace {

// Runs the child for `lifetime`, kills it, and returns every complete line it printed.
std::string run_and_kill(const std::filesystem::path& db, int round,
                         std::chrono::milliseconds lifetime) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    const std::string round_text = std::to_string(round);
    execl(INVESTFLOW_NOTIFY_CRASH_WRITER, "notify_crash_writer", db.c_str(), round_text.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + lifetime;
  bool killed = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!killed && left.count() <= 0) {
      kill(pid, SIGKILL);
      killed = true;
    }
    pollfd fd{fds[0], POLLIN, 0};
    poll(&fd, 1, killed ? 1000 : static_cast<int>(std::max<long long>(left.count(), 1)));
    if ((fd.revents & (POLLIN | POLLHUP)) == 0) continue;
    char buffer[4096];
    const ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    output.append(buffer, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  output.resize(output.rfind('\n') == std::string::npos ? 0 : output.rfind('\n') + 1);
  return output;
}

TEST(NotifyCrash, EveryAcknowledgedEventIsDeliveredAfterKillNine) {
  TempDir dir;
  const auto db = dir.file("crash.db");
  WebhookReceiver receiver;
  {
    auto store = storage::open_sqlite_store(db);
    ASSERT_TRUE(store);
    auto notify = NotifyStore::open(db);
    ASSERT_TRUE(notify);
    Webhook webhook;
    webhook.url = receiver.url();
    webhook.secret = "crash";
    webhook.events = {"*"};
    webhook.format = "json";
    webhook.created_by = "test";
    ASSERT_TRUE((*notify)->add_webhook(webhook));
  }
  std::random_device device;
  const unsigned seed = device();
  std::mt19937 random(seed);
  SCOPED_TRACE("random seed " + std::to_string(seed));
  std::uniform_int_distribution<int> lifetime_ms(200, 800);
  std::vector<std::pair<std::string, std::int64_t>> acks;
  for (int round = 0; round < 8; ++round) {
    std::istringstream lines(
        run_and_kill(db, round, std::chrono::milliseconds(lifetime_ms(random))));
    std::string word;
    std::string project;
    std::int64_t version = 0;
    while (lines >> word >> project >> version) {
      if (word == "ACK") acks.emplace_back(project, version);
    }
  }
  ASSERT_GT(acks.size(), 20u) << "the child hardly wrote anything; the test proves little";

  std::set<std::int64_t> wanted;
  {
    SQLite::Database check(db.string(), SQLite::OPEN_READONLY);
    SQLite::Statement event(check, "SELECT id FROM events WHERE project_id = ? AND seq = ?");
    for (const auto& [project, version] : acks) {
      event.reset();
      event.bind(1, project);
      event.bind(2, version);
      ASSERT_TRUE(event.executeStep()) << project << " v" << version << " is missing";
      wanted.insert(event.getColumn(0).getInt64());
    }
  }
  // A last start of the dispatcher delivers whatever the kills left pending.
  auto store = storage::open_sqlite_store(db);
  ASSERT_TRUE(store);
  auto notify = NotifyStore::open(db);
  ASSERT_TRUE(notify);
  DispatchOptions options;
  options.poll = std::chrono::milliseconds(20);
  options.backoff_base = std::chrono::milliseconds(20);
  options.backoff_cap = std::chrono::milliseconds(200);
  Dispatcher dispatcher(**store, *notify, std::make_shared<storage::SystemClock>(), options);
  dispatcher.start();
  const auto received = [&] {
    std::set<std::int64_t> ids;
    for (const auto& request : receiver.requests()) {
      EXPECT_EQ(request.headers.at("x-investflow-signature"),
                signature_header_value("crash", request.body));
      ids.insert(boost::json::parse(request.body).at("event_id").as_int64());
    }
    return ids;
  };
  EXPECT_TRUE(eventually(
      [&] {
        const auto ids = received();
        return std::includes(ids.begin(), ids.end(), wanted.begin(), wanted.end());
      },
      std::chrono::seconds(30)));
  const auto ids = received();
  std::vector<std::int64_t> missing;
  std::set_difference(wanted.begin(), wanted.end(), ids.begin(), ids.end(),
                      std::back_inserter(missing));
  EXPECT_TRUE(missing.empty()) << missing.size() << " acknowledged events never delivered, e.g. "
                               << (missing.empty() ? 0 : missing.front());
  dispatcher.stop();
}

}  // namespace
}  // namespace investflow::notify::testing
