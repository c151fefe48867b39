// The projects' JSON cache: never ahead of the database (only committed writes are
// published), never behind it (a read that raced a commit is not kept; a write from another
// connection clears it), and bounded in memory.

#include "storage/project_json_cache.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "storage/codec.hpp"
#include "storage/wire_json.hpp"
#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

TEST(ProjectJsonCache, KeepsAReadOnlyWhenNoCommitRacedIt) {
  ProjectJsonCache cache(1 << 20);
  EXPECT_EQ(cache.find("P-1"), nullptr);

  const auto quiet = cache.ticket("P-1");
  cache.fill("P-1", quiet, {3, "{\"v\":3}"});
  ASSERT_NE(cache.find("P-1"), nullptr);
  EXPECT_EQ(cache.find("P-1")->version, 3);

  // A reader read version 3 while the writer committed and published version 4: what the
  // reader read must not replace (or, had it been evicted, stand in for) version 4.
  const auto raced = cache.ticket("P-1");
  cache.publish("P-1", {4, "{\"v\":4}"});
  cache.fill("P-1", raced, {3, "{\"v\":3}"});
  EXPECT_EQ(cache.find("P-1")->version, 4);
  cache.clear();
  cache.fill("P-1", raced, {3, "{\"v\":3}"});
  EXPECT_EQ(cache.find("P-1"), nullptr);

  // An older version never replaces a newer one, even with a fresh ticket.
  cache.publish("P-1", {5, "{\"v\":5}"});
  cache.fill("P-1", cache.ticket("P-1"), {4, "{\"v\":4}"});
  EXPECT_EQ(cache.find("P-1")->body, "{\"v\":5}");
}

TEST(ProjectJsonCache, StaysWithinItsBudget) {
  constexpr std::size_t kBudget = 256 * 1024;
  ProjectJsonCache cache(kBudget);
  const std::string body(1000, 'x');
  for (int i = 0; i < 2000; ++i)
    cache.publish("P-" + std::to_string(i), {1, body});
  const auto stats = cache.stats();
  EXPECT_LE(stats.bytes, kBudget);
  EXPECT_GT(stats.entries, 100u);  // most of the budget is used
  EXPECT_LT(stats.entries, 2000u);
  ASSERT_NE(cache.find("P-1999"), nullptr);  // the newest stays
}

TEST(ProjectJsonCache, OffWithNoBudget) {
  ProjectJsonCache cache(0);
  cache.publish("P-1", {1, "{}"});
  cache.fill("P-1", cache.ticket("P-1"), {1, "{}"});
  EXPECT_EQ(cache.find("P-1"), nullptr);
}

class StoreJsonCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_test_store(dir_.file("cache.db"));
    ASSERT_TRUE(store_);
    ASSERT_TRUE(store_->write(create_request("P-1", "一号项目")).get().accepted());
  }

  // The stored (canonical) projection.
  engine::Project stored_project() {
    SQLite::Database db(dir_.file("cache.db"));
    auto project =
        decode_project(db.execAndGet("SELECT body FROM projects WHERE id = 'P-1'").getString());
    EXPECT_TRUE(project) << project.error().to_string();
    return project ? *project : engine::Project{};
  }
  // What the API sends for it: the wire form, not the stored text.
  std::string wire_body() { return encode_project_wire(stored_project()); }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreJsonCacheTest, ACommittedWriteIsReadBackAtOnce) {
  auto first = store_->project_json("P-1");
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->version, 1);
  ASSERT_NE(store_->cached_project_json("P-1"), nullptr);  // published by the writer

  ASSERT_TRUE(store_->write(transition_request("P-1", "submit", staff(), submit_fields()))
                  .get()
                  .accepted());
  auto second = store_->project_json("P-1");
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->version, 2);
  EXPECT_EQ((*second)->body, wire_body());
  EXPECT_EQ(store_->cached_project_json("P-1")->body, wire_body());
  EXPECT_NE(wire_body(), encode_project(stored_project()));  // timestamps differ
}

TEST_F(StoreJsonCacheTest, ARejectedCommandPublishesNothing) {
  const auto before = store_->project_json("P-1");
  ASSERT_TRUE(before && *before);
  // Submitting without the required fields is refused: the cache keeps version 1.
  EXPECT_FALSE(store_->write(transition_request("P-1", "submit", staff(), {})).get().accepted());
  EXPECT_EQ(store_->cached_project_json("P-1")->version, 1);
  // Creating a project that exists is refused too: nothing changes.
  EXPECT_FALSE(store_->write(create_request("P-1", "重复")).get().accepted());
  EXPECT_EQ(store_->cached_project_json("P-1")->version, 1);
}

TEST_F(StoreJsonCacheTest, AWriteFromAnotherProcessIsSeenWithinASecond) {
  ASSERT_TRUE(store_->project_json("P-1"));
  ASSERT_NE(store_->cached_project_json("P-1"), nullptr);
  engine::Project changed = stored_project();
  changed.owner = "changed";
  {
    SQLite::Database db(dir_.file("cache.db"), SQLite::OPEN_READWRITE);
    SQLite::Statement update(db, "UPDATE projects SET body = ? WHERE id = 'P-1'");
    update.bind(1, encode_project(changed));
    update.exec();
  }
  // The idle writer looks every 250 ms.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (store_->cached_project_json("P-1") != nullptr &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(store_->cached_project_json("P-1"), nullptr);
  auto read = store_->project_json("P-1");
  ASSERT_TRUE(read && *read);
  EXPECT_EQ((*read)->body, encode_project_wire(changed));
}

}  // namespace
}  // namespace investflow::storage
