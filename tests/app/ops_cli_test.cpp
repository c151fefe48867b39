// issue 20 item 8 and the configuration (item 2): the CLI's consistency, in-process.

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/args.hpp"
#include "app/backup_schedule.hpp"
#include "app/commands_server.hpp"
#include "app/config.hpp"
#include "tests/support/cli_run.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;

using testing::cli;

class OpsCli : public ::testing::Test {
 protected:
  fs::path dir =
      fs::temp_directory_path() / ("investflow-ops-cli-" + std::to_string(::getpid()) + "-" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
};

TEST(OpsCliVersion, VersionAndShortFlags) {
  for (const char* flag : {"--version", "-V", "version"}) {
    const auto run = cli({flag});
    EXPECT_EQ(run.code, 0) << flag;
    EXPECT_EQ(run.out, std::string("investflow ") + INVESTFLOW_VERSION + "\n") << flag;
  }
  const auto help = cli({"-h"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("actions: deploy list diff migrate"), std::string::npos);
}

TEST(OpsCliHelp, HelpCommandPrintsTheCommandsOwnHelp) {
  const auto help = cli({"help", "export"});
  EXPECT_EQ(help.code, 0);
  EXPECT_EQ(help.out, cli({"export", "--help"}).out);
  EXPECT_NE(help.out.find("Usage: investflow export"), std::string::npos);
  EXPECT_EQ(cli({"help", "user"}).out, cli({"user", "--help"}).out);
  const auto unknown = cli({"help", "exprot"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("did you mean 'export'?"), std::string::npos) << unknown.err;
}

TEST(OpsCliHelp, DidYouMeanForCommandsActionsAndOptions) {
  const auto command = cli({"serv"});
  EXPECT_EQ(command.code, 2);
  EXPECT_NE(command.err.find("unknown command 'serv'; did you mean 'serve'?"), std::string::npos)
      << command.err;
  const auto option = cli({"export", "x.db", "--wrkflow", "a"});
  EXPECT_EQ(option.code, 2);
  EXPECT_NE(option.err.find("unknown option '--wrkflow'; did you mean '--workflow'?"),
            std::string::npos)
      << option.err;
  const auto action = cli({"workflow", "deplyo"});
  EXPECT_EQ(action.code, 2);
  EXPECT_NE(action.err.find("did you mean 'deploy'?"), std::string::npos) << action.err;
  const auto report = cli({"report", "pipelin"});
  EXPECT_NE(report.err.find("did you mean 'pipeline'?"), std::string::npos) << report.err;
  EXPECT_EQ(closest_match("zzzzzz", {"serve", "export"}), "");
  EXPECT_EQ(closest_match("imp", {"import", "init"}), "import");
}

TEST_F(OpsCli, TheDatabaseIsGivenTheSameWayEverywhere) {
  const std::string db = (dir / "zone.db").string();
  ASSERT_EQ(cli({"init", "--db", db}).code, 0);
  ASSERT_EQ(cli({"seed", db, "--projects", "2", "--synchronous", "off"}).code, 0);
  // Positional DB and --db give the same answers, for commands of either kind.
  const auto positional =
      cli({"report", "pipeline", db, "--workflow", "qingyuan-investment", "--format", "json"});
  const auto option = cli(
      {"report", "pipeline", "--db", db, "--workflow", "qingyuan-investment", "--format", "json"});
  ASSERT_EQ(positional.code, 0) << positional.err;
  EXPECT_EQ(positional.out, option.out);
  EXPECT_EQ(cli({"verify", "--db", db}).out, cli({"verify", db}).out);
  const auto twice = cli({"verify", db, "--db", db});
  EXPECT_EQ(twice.code, 2);
  EXPECT_NE(twice.err.find("given once"), std::string::npos) << twice.err;
  ASSERT_EQ(
      cli({"user", "add", "wang", "--role", "staff", "--password", "a-long-password", db}).code, 0);
  EXPECT_EQ(cli({"user", "token", "wang", "--db", db}).code, 0);
  // One --out: export and report write a file with it.
  const std::string out = (dir / "p.csv").string();
  ASSERT_EQ(cli({"export", "--db", db, "--workflow", "qingyuan-investment", "--out", out}).code, 0);
  EXPECT_TRUE(fs::exists(out));
  EXPECT_EQ(
      cli({"report", "pipeline", db, "--workflow", "qingyuan-investment", "--output", "x"}).code,
      2);
}

TEST(OpsCliListen, ListenForms) {
  using Listen = std::pair<std::string, std::uint16_t>;
  EXPECT_EQ(parse_listen_address("127.0.0.1:8080"), Listen("127.0.0.1", 8080));
  EXPECT_EQ(parse_listen_address(":8080"), Listen("0.0.0.0", 8080));
  EXPECT_EQ(parse_listen_address("localhost:8080"), Listen("127.0.0.1", 8080));
  EXPECT_EQ(parse_listen_address("[::1]:8080"), Listen("::1", 8080));
  EXPECT_EQ(parse_listen_address("[::]:0"), Listen("::", 0));
  for (const char* bad : {"8080", "::1:8080", "host:", "127.0.0.1:65536", "[127.0.0.1]:80",
                          "example.invalid:80", "1.2.3.4:8x"}) {
    EXPECT_EQ(parse_listen_address(bad), std::nullopt) << bad;
  }
  const auto refused = cli({"serve", "--db", "x.db", "--listen", "nowhere"});
  EXPECT_EQ(refused.code, 2);
  EXPECT_EQ(refused.err.find("investflow serve: --listen takes HOST:PORT"), 0u) << refused.err;
}

TEST_F(OpsCli, ConfigurationFileEnvironmentAndCommandLineInThatOrder) {
  const std::string file = write("investflow.yaml",
                                 "# the server\n"
                                 "db: /srv/zone.db\n"
                                 "listen: 127.0.0.1:9000\n"
                                 "threads: 3\n"
                                 "access-log: true\n");
  const ArgSpec spec = serve_spec();
  std::vector<std::string> args{"--config", file, "--threads", "5"};
  ParsedArgs parsed = ParsedArgs::parse(spec, args);
  ASSERT_EQ(parsed.error(), "");
  std::string read;
  const auto errors = apply_configuration(
      spec, parsed,
      [](const char* name) -> const char* {
        return std::string(name) == "INVESTFLOW_LISTEN" ? ":7000" : nullptr;
      },
      read);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(read, file);
  EXPECT_EQ(parsed.value("db"), "/srv/zone.db");
  EXPECT_EQ(parsed.origin("db"), file + ":2:5: db");
  EXPECT_EQ(parsed.value("listen"), ":7000");  // the environment over the file
  EXPECT_EQ(parsed.origin("listen"), "INVESTFLOW_LISTEN");
  EXPECT_EQ(parsed.value("threads"), "5");  // the command line over both
  EXPECT_TRUE(parsed.flag("access-log"));
  EXPECT_EQ(parsed.value("attachment-limit"), "50");  // the default
  EXPECT_EQ(environment_name("attachment-limit"), "INVESTFLOW_ATTACHMENT_LIMIT");
}

TEST_F(OpsCli, ConfigCheckPrintsTheEffectiveSettingsAndEveryErrorWithLineAndColumn) {
  const std::string good = write("good.yaml", "db: zone.db\nlisten: localhost:9000\n");
  const auto ok = cli({"config", "check", "--config", good});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("listen: localhost:9000  # " + good + ":2:9"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("threads: 2  # default"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("# ok"), std::string::npos);

  const std::string bad = write("bad.yaml",
                                "db: zone.db\n"
                                "listen: 8080\n"
                                "acces-log: true\n"
                                "no-dispatch: maybe\n"
                                "keep: [1, 2]\n"
                                "db: other.db\n");
  const auto check = cli({"config", "check", "--config", bad});
  EXPECT_EQ(check.code, 1);
  for (const std::string& expected :
       {bad + ":3:1: unknown setting 'acces-log'; did you mean 'access-log'?",
        bad + ":4:14: no-dispatch takes true or false, not 'maybe'",
        bad + ":5:7: keep takes one value (N)",
        bad + ":6:1: 'db' is set twice (first at " + bad + ":1:1)",
        "investflow serve: " + bad + ":2:9: listen takes HOST:PORT"}) {
    EXPECT_NE(check.err.find(expected), std::string::npos) << expected << "\n" << check.err;
  }
  const std::string broken = write("broken.yaml", "db: [unclosed\n");
  const auto syntax = cli({"config", "check", "--config", broken});
  EXPECT_EQ(syntax.code, 1);
  EXPECT_NE(syntax.err.find(broken + ":"), std::string::npos) << syntax.err;
  EXPECT_NE(syntax.err.find("not valid YAML"), std::string::npos) << syntax.err;
  const auto missing = cli({"config", "check", "--config", (dir / "none.yaml").string()});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("cannot read the configuration file"), std::string::npos);
}

TEST_F(OpsCli, AbuseLimitsAndMetricsAccessAreSettings) {
  const auto resolve = [&](std::vector<std::string> args, std::string* errors = nullptr) {
    const ArgSpec spec = serve_spec();
    args.insert(args.begin(), {"--db", "zone.db"});
    const ParsedArgs parsed = ParsedArgs::parse(spec, args);
    std::ostringstream out;
    std::ostringstream err;
    Io captured{out, err};
    auto settings = resolve_serve_settings(parsed, captured);
    if (errors != nullptr) *errors = err.str();
    return settings;
  };
  const auto defaults = resolve({});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->max_connections_per_address, 64u);
  EXPECT_EQ(defaults->max_streams_per_user, 8u);
  EXPECT_EQ(defaults->sse_memory, 64u * 1024 * 1024);
  EXPECT_EQ(defaults->metrics_token, "");
  EXPECT_EQ(defaults->metrics_listen, std::nullopt);

  const std::string token_file = write("metrics.token", "  0123456789abcdef0123\n");
  const auto set =
      resolve({"--max-connections-per-address", "0", "--max-streams-per-user", "2", "--sse-memory",
               "16", "--metrics-token-file", token_file, "--metrics-listen", "127.0.0.1:9090"});
  ASSERT_TRUE(set);
  EXPECT_EQ(set->max_connections_per_address, 0u);
  EXPECT_EQ(set->max_streams_per_user, 2u);
  EXPECT_EQ(set->sse_memory, 16u * 1024 * 1024);
  EXPECT_EQ(set->metrics_token, "0123456789abcdef0123");  // without the blanks around it
  EXPECT_EQ(set->metrics_listen, std::pair(std::string("127.0.0.1"), std::uint16_t{9090}));

  std::string errors;
  EXPECT_FALSE(resolve({"--sse-memory", "0"}, &errors));
  EXPECT_NE(errors.find("--sse-memory"), std::string::npos) << errors;
  EXPECT_FALSE(resolve({"--metrics-listen", "127.0.0.1:8080"}, &errors));
  EXPECT_NE(errors.find("give the metrics their own port"), std::string::npos) << errors;
  EXPECT_FALSE(resolve({"--metrics-token-file", write("short.token", "secret\n")}, &errors));
  EXPECT_NE(errors.find("at least 16 characters"), std::string::npos) << errors;
  EXPECT_FALSE(resolve({"--metrics-token-file", (dir / "none.token").string()}, &errors));
  EXPECT_NE(errors.find("cannot read the file"), std::string::npos) << errors;
  // The two network lists are read the same way, each named in its message.
  EXPECT_FALSE(resolve({"--trusted-proxies", "10.0.0.0/33"}, &errors));
  EXPECT_NE(errors.find("--trusted-proxies: "), std::string::npos) << errors;
  EXPECT_FALSE(resolve({"--webhook-allow", "10.0.0.0/33"}, &errors));
  EXPECT_NE(errors.find("--webhook-allow: "), std::string::npos) << errors;
}

TEST(OpsCliBackup, Durations) {
  EXPECT_EQ(parse_duration("24h"), std::chrono::seconds(86400));
  EXPECT_EQ(parse_duration("30m"), std::chrono::seconds(1800));
  EXPECT_EQ(parse_duration("7d"), std::chrono::seconds(7 * 86400));
  EXPECT_EQ(parse_duration("1s"), std::chrono::seconds(1));
  for (const char* bad : {"", "h", "0h", "-1h", "24", "1.5h", "24x"})
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
}

TEST(OpsCliShare, SharedDataIsFoundRelativeToTheBinaryNotTheSourceTree) {
  // The test binary is in build/<preset>/tests/: ../share/investflow is the build tree's
  // mirror of the installed layout, which links to workflows/.
  const fs::path share = workflows::share_directory();
  EXPECT_EQ(share.filename(), "investflow");
  EXPECT_EQ(share.parent_path().filename(), "share");
  EXPECT_TRUE(
      fs::exists(workflows::shipped_workflows_directory() / "calendars" / "cn-mainland.yaml"));
  ::setenv("INVESTFLOW_SHARE_DIR", "/opt/elsewhere", 1);
  EXPECT_EQ(workflows::shipped_workflows_directory(), fs::path("/opt/elsewhere/workflows"));
  ::unsetenv("INVESTFLOW_SHARE_DIR");
}

}  // namespace
}  // namespace investflow::app
