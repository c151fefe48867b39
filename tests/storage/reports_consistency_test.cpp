// Property: whatever the workload (concurrent commands grouped into batches, rejected
// commands, atomic batches undone as a whole, edits of the fields reports group by), the
// summaries the writer keeps equal a full recomputation from the event log.

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>

#include <random>

#include "storage/reports_ledger.hpp"
#include "tests/storage/reports_test_support.hpp"

namespace investflow::storage::testing {
namespace {

using engine::Value;

const std::vector<std::string> kTransitions = {"submit",         "back",     "escalate", "approve",
                                               "sign",           "start",    "complete", "produce",
                                               "reach_capacity", "withdraw", "exit"};
const std::vector<std::string> kIndustries = {"new_materials", "electronics", "other"};

class Workload {
 public:
  explicit Workload(std::uint32_t seed) : random_(seed) {}

  WriteRequest next(int projects, engine::Timestamp at) {
    const std::string id = "R-" + std::to_string(pick(projects));
    switch (pick(6)) {
      case 0:
        return create_at(id, at,
                         {{"total_investment", Value::number(pick(100000) / 10.0)},
                          {"industry", Value::text(kIndustries[pick(3)])},
                          {"investor", Value::text("企业" + std::to_string(pick(7)))},
                          {"floor_area", Value::number(pick(5000))}});
      case 1:
        return edit_at(id, at,
                       {{"total_investment", Value::number(pick(100000) / 10.0)},
                        {"industry", Value::text(kIndustries[pick(3)])},
                        {"funds_in_place", Value::number(pick(300))},
                        {"committed_investment", Value::number(pick(500))}});
      case 2:
        return milestone_at(id, pick(2) == 0 ? "pay_bond" : "start_construction", at,
                            engine::local_date(at).plus_days(-pick(3)));
      default:
        return take_at(id, kTransitions[pick(kTransitions.size())], at);
    }
  }

  int pick(std::size_t n) {
    return static_cast<int>(std::uniform_int_distribution<std::size_t>(0, n - 1)(random_));
  }

 private:
  std::mt19937 random_;
};

void run_workload(Store& store, std::uint32_t seed, int commands) {
  Workload workload(seed);
  engine::Timestamp at = on(3, 2);
  std::vector<std::future<WriteResult>> singles;
  std::vector<std::future<std::vector<WriteResult>>> batches;
  int accepted = 0;
  for (int i = 0; i < commands; ++i) {
    at += workload.pick(20) * 3600 * 1000;  // hours apart: SLAs met and missed
    if (workload.pick(8) == 0) {
      // An atomic batch: all or nothing, often undone by one rejected command.
      std::vector<WriteRequest> requests;
      for (int j = 0, n = 1 + workload.pick(4); j < n; ++j)
        requests.push_back(workload.next(30, at));
      batches.push_back(store.write_atomic(std::move(requests)));
    } else {
      singles.push_back(store.write(workload.next(30, at)));
    }
    // Queue up to a few dozen before waiting, so the writer groups them into batches.
    if (singles.size() >= 40) {
      for (auto& future : singles)
        accepted += future.get().accepted() ? 1 : 0;
      singles.clear();
    }
  }
  for (auto& future : singles)
    accepted += future.get().accepted() ? 1 : 0;
  for (auto& future : batches)
    future.get();
  EXPECT_GT(accepted, commands / 10) << "the workload should move projects";
}

TEST(ReportsConsistency, SummariesEqualARecomputationFromEventsAfterRandomWorkloads) {
  for (std::uint32_t seed : {1u, 2u, 3u, 4u}) {
    TempDir dir;
    const auto path = dir.file("random.db");
    {
      auto store = open_pipe_store(path);
      ASSERT_NE(store, nullptr);
      run_workload(*store, seed, 600);
    }
    const Snapshot kept = snapshot_reports(path);
    EXPECT_FALSE(kept.at("report_projects").empty());
    EXPECT_FALSE(kept.at("report_durations").empty());
    EXPECT_FALSE(kept.at("report_deadlines").empty());
    {
      SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
      ReportLedger::rebuild(db);
    }
    const Snapshot rebuilt = snapshot_reports(path);
    for (const auto& [table, rows] : kept) {
      EXPECT_EQ(rows, rebuilt.at(table)) << "seed " << seed << ", table " << table;
    }
  }
}

}  // namespace
}  // namespace investflow::storage::testing
