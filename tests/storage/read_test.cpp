// The read path: filters, sorting, keyset paging, full-text search, overdue.

#include <gtest/gtest.h>

#include <set>

#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

const char* const kIndustries[] = {"new_materials", "electronics", "other"};
const char* const kInvestors[] = {"广东华创新材料集团", "深圳鹏芯电子股份", "清远宏达装备制造"};

class ReadTest : public ::testing::Test {
 protected:
  static constexpr int kProjects = 60;

  void SetUp() override {
    store_ = open_test_store(dir_.file("read.db"));
    ASSERT_TRUE(store_);
    std::vector<std::future<WriteResult>> pending;
    for (int i = 0; i < kProjects; ++i) {
      const std::string id = "P-" + std::to_string(100 + i);
      WriteRequest create =
          create_request(id, "项目" + std::to_string(i % 7) + "号",
                         {{"investor", engine::Value::text(kInvestors[i % 3])},
                          {"industry", engine::Value::text(kIndustries[i % 3])},
                          {"total_investment", engine::Value::number((i * 37) % 100 * 100.0)}});
      create.actor = staff("staff-" + std::to_string(i % 4));
      create.at = kMonday + i * 60000;
      pending.push_back(store_->write(std::move(create)));
      if (i % 2 == 0) {  // half move on to review
        WriteRequest submit = transition_request(id, "submit", staff(), submit_fields());
        submit.at = kMonday + i * 60000 + 1;
        pending.push_back(store_->write(std::move(submit)));
      }
    }
    for (auto& result : pending)
      ASSERT_TRUE(result.get().accepted());
  }

  std::vector<engine::Project> all_pages(ProjectQuery query) {
    std::vector<engine::Project> all;
    for (int page = 0; page < 1000; ++page) {
      auto result = store_->list_projects(query);
      EXPECT_TRUE(result) << result.error().message;
      if (!result) break;
      for (auto& project : result->projects)
        all.push_back(std::move(project));
      if (result->next_cursor.empty()) break;
      query.cursor = result->next_cursor;
    }
    return all;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ReadTest, PagingVisitsEveryProjectOnceInOrderForEverySort) {
  for (SortKey sort :
       {SortKey::updated, SortKey::created, SortKey::name, SortKey::investment, SortKey::due}) {
    for (bool descending : {false, true}) {
      SCOPED_TRACE(std::string(sort_key_name(sort)) + (descending ? " desc" : " asc"));
      ProjectQuery query;
      query.sort = sort;
      query.descending = descending;
      query.limit = 7;
      const auto all = all_pages(query);
      ASSERT_EQ(all.size(), static_cast<std::size_t>(kProjects));
      std::set<std::string> ids;
      for (const auto& project : all)
        ids.insert(project.id);
      EXPECT_EQ(ids.size(), all.size());
      if (sort == SortKey::created) {
        for (std::size_t i = 1; i < all.size(); ++i) {
          EXPECT_EQ(all[i - 1].created_at < all[i].created_at, !descending);
        }
      }
    }
  }
}

TEST_F(ReadTest, FiltersByStateIndustryOwnerAndWorkflow) {
  ProjectQuery query;
  query.limit = 500;
  query.state = "review";
  EXPECT_EQ(all_pages(query).size(), static_cast<std::size_t>(kProjects / 2));

  query = ProjectQuery{};
  query.industry = "electronics";
  query.limit = 500;
  for (const auto& project : all_pages(query)) {
    EXPECT_EQ(project.field("industry"), engine::Value::text("electronics"));
  }
  query.owner = "staff-1";
  const auto owned = all_pages(query);
  EXPECT_FALSE(owned.empty());
  for (const auto& project : owned)
    EXPECT_EQ(project.owner, "staff-1");

  query = ProjectQuery{};
  query.workflow = "another";
  EXPECT_TRUE(all_pages(query).empty());
}

TEST_F(ReadTest, SearchesNamesAndInvestorsByAnySubstring) {
  ProjectQuery query;
  query.limit = 500;
  query.text = "华创新材料";  // full-text (trigram) search on the investor
  auto found = all_pages(query);
  EXPECT_EQ(found.size(), static_cast<std::size_t>(kProjects / 3));
  for (const auto& project : found) {
    EXPECT_EQ(project.field("investor"), engine::Value::text(kInvestors[0]));
  }
  query.text = "3号";  // two characters: a substring scan of the name
  found = all_pages(query);
  EXPECT_FALSE(found.empty());
  for (const auto& project : found) {
    EXPECT_EQ(project.field("name"), engine::Value::text("项目3号"));
  }
  query.text = "不存在的公司";
  EXPECT_TRUE(all_pages(query).empty());
  query.text = "100%_\"";  // LIKE and FTS metacharacters are taken literally
  EXPECT_TRUE(all_pages(query).empty());
}

// q also finds a project by the start of its id (issue 22), in capitals or small letters;
// the two ways of matching (looked up in the indexes, tested row by row) agree.
TEST_F(ReadTest, SearchesTheStartOfAnIdInAnyCase) {
  ProjectQuery query;
  query.limit = 500;
  query.text = "p-15";  // looked up in the id index
  auto found = all_pages(query);
  ASSERT_EQ(found.size(), 10u);
  for (const auto& project : found)
    EXPECT_TRUE(project.id.starts_with("P-15")) << project.id;
  query.text = "p-";  // two characters: tested project by project
  EXPECT_EQ(all_pages(query).size(), static_cast<std::size_t>(kProjects));
  query.text = "-15";  // inside an id, not at its start
  EXPECT_TRUE(all_pages(query).empty());
  query.text = "P-15";
  query.state = "review";  // with other filters
  for (const auto& project : all_pages(query)) {
    EXPECT_TRUE(project.id.starts_with("P-15")) << project.id;
    EXPECT_EQ(project.state, "review");
  }
}

TEST_F(ReadTest, FindsProjectsOverdueAsOfADay) {
  // `lead` has an SLA of 2 working days: entered on Monday 2026-03-02, due Wednesday.
  ProjectQuery query;
  query.limit = 500;
  query.overdue_on = engine::Date::parse("2026-03-05");
  const auto overdue = all_pages(query);
  EXPECT_EQ(overdue.size(), static_cast<std::size_t>(kProjects / 2));
  for (const auto& project : overdue)
    EXPECT_EQ(project.state, "lead");
  query.overdue_on = engine::Date::parse("2026-03-04");
  EXPECT_TRUE(all_pages(query).empty());
}

TEST_F(ReadTest, PagesStayStableWhileNewProjectsArrive) {
  ProjectQuery query;
  query.sort = SortKey::created;
  query.descending = false;
  query.limit = 9;
  std::set<std::string> seen;
  int added = 0;
  for (;;) {
    auto page = store_->list_projects(query);
    ASSERT_TRUE(page);
    for (const auto& project : page->projects) {
      EXPECT_TRUE(seen.insert(project.id).second) << "seen twice: " << project.id;
    }
    // Someone creates a project between two pages.
    WriteRequest create = create_request("N-" + std::to_string(added), "新项目");
    create.at = kMonday + 86400000LL * 10 + added++;
    ASSERT_TRUE(store_->write(std::move(create)).get().accepted());
    if (page->next_cursor.empty()) break;
    query.cursor = page->next_cursor;
  }
  for (int i = 0; i < kProjects; ++i)
    EXPECT_TRUE(seen.contains("P-" + std::to_string(100 + i)));
}

TEST_F(ReadTest, BadQueriesAreTheCallersMistake) {
  ProjectQuery query;
  query.limit = 0;
  auto zero = store_->list_projects(query);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().kind, Error::Kind::invalid_request);

  query.limit = 5;
  query.cursor = "not-a-cursor!";
  auto garbage = store_->list_projects(query);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().kind, Error::Kind::invalid_request);

  query.cursor.clear();
  auto first = store_->list_projects(query);
  ASSERT_TRUE(first);
  query.cursor = first->next_cursor;
  query.sort = SortKey::name;  // a cursor from another sort
  auto mixed = store_->list_projects(query);
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().kind, Error::Kind::invalid_request);
}

}  // namespace
}  // namespace investflow::storage
