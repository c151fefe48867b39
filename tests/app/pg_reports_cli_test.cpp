// The reports on a PostgreSQL database (the summaries its writer keeps, reports_ledger.hpp,
// read by the same queries as on SQLite, sql_statement.hpp), through `investflow report`,
// `target` and `funds`: the same data seeded into a SQLite file and a PostgreSQL database
// must give the same reports, byte for byte. On a real PostgreSQL 15 the test starts itself
// (tests/support/pg_server.hpp); skipped, saying why, where PostgreSQL cannot start.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/args.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_store.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/pg_server.hpp"
#include "tests/support/scratch_dir.hpp"

namespace investflow::app::testing {
namespace {

class PgReportsCli : public investflow::testing::ScratchDirTest {
 protected:
  PgReportsCli() : ScratchDirTest("investflow-pg-reports") {}
};

// Both stores seeded alike (the same seed gives the same data).
void seed_both(const std::vector<std::string>& stores) {
  for (const std::string& db : stores) {
    const auto init = cli({"init", db});
    ASSERT_EQ(init.code, kExitOk) << init.err;
    const auto seeded = cli({"seed", db, "--projects", "120", "--problems", "20", "--seed", "5",
                             "--now", "2026-11-02"});
    ASSERT_EQ(seeded.code, kExitOk) << seeded.err;
  }
}

// Every report the CLI gives, over both stores; each must succeed, say something, and say
// the same on both.
void expect_same_reports(const std::string& file, const std::string& uri) {
  std::vector<std::vector<std::string>> requests;
  for (const char* workflow : {"qingyuan-investment", "tech-renovation", "service-problem"}) {
    const std::vector<std::vector<std::string>> per_workflow = {
        {"pipeline"},
        {"pipeline", "--from", "2026-01-01", "--to", "2026-06-30"},
        {"pipeline", "--industry", "electronics"},
        {"funnel", "--from", "2025-01-01", "--to", "2026-11-02"},
        {"aging", "--from", "2025-01-01", "--to", "2026-11-02"},
        {"kpis", "--from", "2026-01-01", "--to", "2026-10-31"},
        {"kpis", "--from", "2025-03-05", "--to", "2026-10-17"},
    };
    for (std::vector<std::string> request : per_workflow) {
      request.insert(request.end(), {"--workflow", workflow});
      requests.push_back(std::move(request));
    }
  }
  requests.push_back({"period", "--from", "2025-02-03", "--to", "2026-09-09"});
  requests.push_back({"funds", "--month", "2026-10"});
  requests.push_back({"targets", "--year", "2026"});
  requests.push_back({"problems", "--from", "2025-01-01", "--to", "2026-11-02"});
  requests.push_back({"monthly", "--month", "2026-10", "--format", "json"});
  for (std::vector<std::string> request : requests) {
    request.insert(request.begin(), "report");
    if (request.back() != "json") request.insert(request.end(), {"--format", "json"});
    std::string shown;
    for (const std::string& arg : request)
      shown += arg + " ";
    request.insert(request.end(), {"--db", file});
    const auto on_file = cli(request);
    request.back() = uri;
    const auto on_pg = cli(request);
    ASSERT_EQ(on_file.code, kExitOk) << shown << on_file.err;
    ASSERT_EQ(on_pg.code, kExitOk) << shown << on_pg.err;
    EXPECT_GT(on_pg.out.size(), 40u) << shown << on_pg.out;
    EXPECT_EQ(on_pg.out, on_file.out) << shown;
  }
}

TEST_F(PgReportsCli, EveryReportIsTheSameAsOnASqliteFile) {
  PG_DATABASE_OR_SKIP(uri);
  const std::string file = db_;
  seed_both({uri, file});
  // Targets and funds, set through the commands on each store.
  for (const std::string& db : {file, uri}) {
    const auto target = cli({"target", "set", db, "--year", "2026", "--unit", "招商一科",
                             "--figure", "funds", "--value", "5000", "--as", "li"});
    ASSERT_EQ(target.code, kExitOk) << target.err;
    const auto again = cli({"target", "set", db, "--year", "2026", "--unit", "招商一科", "--figure",
                            "funds", "--value", "5000", "--as", "li"});
    ASSERT_EQ(again.code, kExitOk) << again.err;
    EXPECT_EQ(again.out, "unchanged\n");
    const auto funds = cli({"funds", "add", db, "QI-000003", "--month", "2026-10", "--amount",
                            "321.5", "--source", "local"});
    ASSERT_EQ(funds.code, kExitOk) << funds.err;
  }
  const auto listed = cli({"target", "list", uri, "--year", "2026"});
  ASSERT_EQ(listed.code, kExitOk) << listed.err;
  EXPECT_NE(listed.out.find("招商一科\t到位资金\t5000万元\tli\t"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.size(), cli({"target", "list", file, "--year", "2026"}).out.size());

  expect_same_reports(file, uri);
  auto verified = storage::verify_pg_database(uri);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_TRUE(verified->ok());
}

// `verify` rebuilds the summaries from the events and compares: a summary row changed
// behind the writer's back is found.
TEST_F(PgReportsCli, VerifyFindsASummaryThatDiffersFromTheEvents) {
  PG_DATABASE_OR_SKIP(uri);
  ASSERT_EQ(cli({"init", uri}).code, kExitOk);
  ASSERT_EQ(cli({"seed", uri, "--projects", "30", "--seed", "3", "--now", "2026-11-02"}).code,
            kExitOk);
  const auto clean = cli({"verify", uri});
  ASSERT_EQ(clean.code, kExitOk) << clean.err << clean.out;
  storage::PgConnection connection(uri);
  connection.exec(
      "UPDATE report_funnel SET projects = projects + 1 WHERE ctid = (SELECT ctid FROM "
      "report_funnel WHERE projects > 0 LIMIT 1)");
  const auto tampered = cli({"verify", uri});
  EXPECT_EQ(tampered.code, kExitFailed) << tampered.out;
  EXPECT_NE((tampered.out + tampered.err).find("report_funnel"), std::string::npos)
      << tampered.out << tampered.err;
}

// A database whose events were written before the summaries existed (schema 4) gets them
// from its events when it is migrated, and its reports are then those of a SQLite file.
TEST_F(PgReportsCli, MigratingAnOlderDatabaseFillsItsSummaries) {
  PG_DATABASE_OR_SKIP(uri);
  const std::string file = db_;
  seed_both({uri, file});
  {
    // Back to schema 4: what migration 5 adds is gone.
    storage::PgConnection connection(uri);
    connection.exec_script(
        "DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE "
        "schemaname = 'public' AND (tablename LIKE 'report\\_%' OR tablename LIKE 'target%') "
        "LOOP EXECUTE 'DROP TABLE ' || t; END LOOP; END $$; "
        "DROP AGGREGATE total(double precision); DROP INDEX events_attachment; "
        "UPDATE investflow_schema SET version = 4");
  }
  expect_same_reports(file, uri);
  const auto verified = cli({"verify", uri});
  EXPECT_EQ(verified.code, kExitOk) << verified.err << verified.out;
}

}  // namespace
}  // namespace investflow::app::testing
