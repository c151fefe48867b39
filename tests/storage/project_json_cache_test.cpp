// The projects' JSON cache: never ahead of the database (only committed writes are
// published), never behind it (a read that raced a commit is not kept; a write from another
// connection clears it), and bounded in memory.

#include "storage/project_json_cache.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "storage/codec.hpp"
#include "storage/wire_json.hpp"
#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

// Project P-1 at `version`: what the writer publishes (its stored, canonical JSON) and what
// the cache answers for it (its wire JSON).
engine::Project project_at(std::int64_t version, std::string owner = "staff-01") {
  engine::Project project;
  project.id = "P-1";
  project.workflow = "qingyuan-investment";
  project.workflow_version = 1;
  project.state = "lead";
  project.version = version;
  project.owner = std::move(owner);
  project.created_at = 1'772'413'200'000;  // 2026-03-02T09:00:00+08:00
  project.updated_at = project.created_at + version;
  project.state_entered_at = project.created_at;
  return project;
}
ProjectJson canonical_at(std::int64_t version) {
  return {version, encode_project(project_at(version))};
}
ProjectJson wire_at(std::int64_t version) {
  return {version, encode_project_wire(project_at(version))};
}

TEST(ProjectJsonCache, KeepsAReadOnlyWhenNoCommitRacedIt) {
  ProjectJsonCache cache(1 << 20);
  EXPECT_EQ(cache.find("P-1"), nullptr);

  const auto quiet = cache.ticket("P-1");
  cache.fill("P-1", quiet, wire_at(3));
  ASSERT_NE(cache.find("P-1"), nullptr);
  EXPECT_EQ(cache.find("P-1")->version, 3);
  EXPECT_EQ(cache.find("P-1")->body, wire_at(3).body);

  // A reader read version 3 while the writer committed and published version 4: what the
  // reader read must not replace (or, had it been evicted, stand in for) version 4.
  const auto raced = cache.ticket("P-1");
  cache.publish("P-1", canonical_at(4));
  cache.fill("P-1", raced, wire_at(3));
  EXPECT_EQ(cache.find("P-1")->version, 4);
  cache.clear();
  cache.fill("P-1", raced, wire_at(3));
  EXPECT_EQ(cache.find("P-1"), nullptr);

  // An older version never replaces a newer one, even with a fresh ticket.
  cache.publish("P-1", canonical_at(5));
  cache.fill("P-1", cache.ticket("P-1"), wire_at(4));
  EXPECT_EQ(cache.find("P-1")->body, wire_at(5).body);
}

TEST(ProjectJsonCache, PublishedStoredJsonIsReadInTheWireFormOncePerVersion) {
  ProjectJsonCache cache(1 << 20);
  cache.publish("P-1", canonical_at(2));
  ASSERT_NE(wire_at(2).body, canonical_at(2).body);  // timestamps differ
  const auto first = cache.find("P-1");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->version, 2);
  EXPECT_EQ(first->body, wire_at(2).body);
  // Converted once: later finds share the first one's text.
  EXPECT_EQ(cache.find("P-1").get(), first.get());

  // Readers racing on a fresh version all get the same wire JSON.
  cache.publish("P-1", canonical_at(3));
  std::vector<std::shared_ptr<const ProjectJson>> seen(8);
  std::vector<std::thread> readers;
  for (auto& slot : seen)
    readers.emplace_back([&cache, &slot] { slot = cache.find("P-1"); });
  for (auto& reader : readers)
    reader.join();
  for (const auto& json : seen) {
    ASSERT_NE(json, nullptr);
    EXPECT_EQ(json.get(), seen.front().get());
    EXPECT_EQ(json->body, wire_at(3).body);
  }
  // The version the readers held stays valid after a newer one replaces it.
  cache.publish("P-1", canonical_at(4));
  EXPECT_EQ(first->body, wire_at(2).body);
  EXPECT_EQ(cache.find("P-1")->body, wire_at(4).body);
}

TEST(ProjectJsonCache, PublishedJsonThatDoesNotDecodeIsAMiss) {
  ProjectJsonCache cache(1 << 20);
  cache.publish("P-1", {1, "{\"not\":\"a project\"}"});
  EXPECT_EQ(cache.find("P-1"), nullptr);  // the database read reports the error
  cache.publish("P-1", canonical_at(2));
  ASSERT_NE(cache.find("P-1"), nullptr);
  EXPECT_EQ(cache.find("P-1")->body, wire_at(2).body);
}

TEST(ProjectJsonCache, StaysWithinItsBudget) {
  constexpr std::size_t kBudget = 256 * 1024;
  ProjectJsonCache cache(kBudget);
  const std::string body = encode_project(project_at(1, std::string(1000, 'x')));
  for (int i = 0; i < 2000; ++i)
    cache.publish("P-" + std::to_string(i), {1, body});
  const auto stats = cache.stats();
  EXPECT_LE(stats.bytes, kBudget);
  EXPECT_GT(stats.entries, 100u);  // most of the budget is used
  EXPECT_LT(stats.entries, 2000u);
  ASSERT_NE(cache.find("P-1999"), nullptr);  // the newest stays
  EXPECT_EQ(cache.find("P-1999")->body, encode_project_wire(project_at(1, std::string(1000, 'x'))));
}

TEST(ProjectJsonCache, OffWithNoBudget) {
  ProjectJsonCache cache(0);
  cache.publish("P-1", canonical_at(1));
  cache.fill("P-1", cache.ticket("P-1"), wire_at(1));
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
