// kill -9 while the dispatcher delivers: every event the store acknowledged reaches the
// webhook receiver at least once (identified by its event id), however often the process
// died between the commit and the delivery. The child is tests/support/crash_writer.cpp in
// its deliver mode.
#include <algorithm>
#include <boost/json.hpp>
#include <iterator>
#include <map>
#include <random>
#include <set>

#include "notify/dispatcher.hpp"
#include "notify/webhook_format.hpp"
#include "storage/system_clock.hpp"
#include "tests/notify/notify_test_support.hpp"
#include "tests/notify/webhook_receiver.hpp"
#include "tests/storage/mini_workflow.hpp"
#include "tests/support/crash_harness.hpp"

namespace investflow::notify::testing {
namespace {

TEST(NotifyCrash, EveryAcknowledgedEventIsDeliveredAfterKillNine) {
  TempDir dir;
  NOTIFY_DATABASE_OR_SKIP(db, dir, "crash.db");  // or a PostgreSQL database
  WebhookReceiver receiver;
  {
    auto store = storage::open_store_at(db);
    ASSERT_TRUE(store);
    auto notify = NotifyStore::open(db);
    ASSERT_TRUE(notify);
    Webhook webhook;
    webhook.url = receiver.url();
    webhook.secret = "crash";
    webhook.events = {engine::EventFilter{}};  // every event
    webhook.format = "json";
    webhook.created_by = "test";
    ASSERT_TRUE((*notify)->add_webhook(webhook));
  }
  std::random_device device;
  const unsigned seed = device();
  std::mt19937 random(seed);
  SCOPED_TRACE("random seed " + std::to_string(seed));
  std::uniform_int_distribution<int> lifetime_ms(200, 800);
  std::vector<investflow::testing::Ack> acks;
  for (int round = 0; round < 8; ++round) {
    const auto round_acks =
        investflow::testing::run_and_kill(investflow::testing::CrashWriterMode::deliver, db, round,
                                          std::chrono::milliseconds(lifetime_ms(random)));
    acks.insert(acks.end(), round_acks.begin(), round_acks.end());
  }
  ASSERT_GT(acks.size(), 20u) << "the child hardly wrote anything; the test proves little";

  std::set<std::int64_t> wanted;
  {
    std::map<std::pair<std::string, std::int64_t>, std::int64_t> ids;  // (project, seq) -> id
    for (const auto& row : query_rows(db, "SELECT project_id, seq, id FROM events", 3))
      ids[{row.at(0), std::stoll(row.at(1))}] = std::stoll(row.at(2));
    for (const auto& ack : acks) {
      const auto found = ids.find({ack.project, ack.version});
      ASSERT_NE(found, ids.end()) << ack.project << " v" << ack.version << " is missing";
      wanted.insert(found->second);
    }
  }
  // A last start of the dispatcher delivers whatever the kills left pending.
  auto store = storage::open_store_at(db);
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
  // On PostgreSQL a row claimed by a killed child waits out its claim's lease
  // (PgNotifyStore::kClaimLeaseMs, 30 s) before this dispatcher may take it: wait longer.
  EXPECT_TRUE(eventually(
      [&] {
        const auto ids = received();
        return std::includes(ids.begin(), ids.end(), wanted.begin(), wanted.end());
      },
      std::chrono::seconds(45)));
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
