// `investflow user ...` in-process, and `investflow serve` as a real process that answers
// HTTP and exits 0 on SIGTERM.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "app/cli.hpp"
#include "storage/auth.hpp"
#include "storage/open_store.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/pg_server.hpp"
#include "tests/support/scratch_dir.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;

using testing::cli;
using testing::CliRun;

class ServerCommands : public investflow::testing::ScratchDirTest {
 protected:
  ServerCommands() : ScratchDirTest("investflow-server-cli") {}
};

TEST_F(ServerCommands, UserAddGeneratesAPasswordThatLogsIn) {
  const auto added =
      cli({"user", "add", "zhang", "--role", "staff", "--role", "manager", "--db", db_});
  ASSERT_EQ(added.code, 0) << added.err;
  const std::string marker = "password: ";
  const auto at = added.out.find(marker);
  ASSERT_NE(at, std::string::npos) << added.out;
  const std::string password = added.out.substr(at + marker.size(), 16);

  auto auth = storage::AuthStore::open(db_);
  ASSERT_TRUE(auth);
  auto user = (*auth)->check_password("zhang", password);
  ASSERT_TRUE(user && *user);
  EXPECT_EQ((*user)->roles, (std::vector<std::string>{"staff", "manager"}));
  auto wrong = (*auth)->check_password("zhang", "not-the-password");
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(*wrong);
}

TEST_F(ServerCommands, PasswdAndTokenAndUsageErrors) {
  ASSERT_EQ(
      cli({"user", "add", "li", "--role", "manager", "--password", "first-password", "--db", db_})
          .code,
      0);
  EXPECT_EQ(cli({"user", "add", "li", "--role", "manager", "--db", db_}).code, 1);  // exists
  EXPECT_EQ(cli({"user", "add", "li2", "--db", db_}).code, 2);                      // no role
  EXPECT_EQ(cli({"user", "passwd", "li", "--password", "second-password", "--db", db_}).code, 0);
  EXPECT_EQ(cli({"user", "passwd", "nobody", "--password", "second-password", "--db", db_}).code,
            1);
  const auto token = cli({"user", "token", "li", "--db", db_});
  ASSERT_EQ(token.code, 0) << token.err;
  ASSERT_EQ(token.out.size(), 65u);  // 64 hex digits and a newline

  auto auth = storage::AuthStore::open(db_);
  ASSERT_TRUE(auth);
  auto by_token = (*auth)->token_user(token.out.substr(0, 64));
  ASSERT_TRUE(by_token && *by_token);
  EXPECT_EQ((*by_token)->id, "li");
  EXPECT_TRUE(*(*auth)->check_password("li", "second-password"));
  EXPECT_FALSE(*(*auth)->check_password("li", "first-password"));
  EXPECT_EQ(cli({"user", "fly"}).code, 2);
}

TEST_F(ServerCommands, UserDeleteRemovesTheAccountSessionsAndTokensButKeepsTheLastAdmin) {
  const auto help = cli({"user", "delete", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("last\nenabled admin"), std::string::npos) << help.out;
  ASSERT_EQ(
      cli({"user", "add", "root", "--role", "admin", "--password", "root-password-1", "--db", db_})
          .code,
      0);
  ASSERT_EQ(cli({"user", "add", "zhang", "--role", "staff", "--password", "zhang-password-1",
                 "--db", db_})
                .code,
            0);
  std::string secret;
  std::string session;
  {
    auto auth = storage::AuthStore::open(db_);
    ASSERT_TRUE(auth);
    auto token = (*auth)->issue_token("zhang", "etl");
    ASSERT_TRUE(token);
    secret = *token;
    auto started = (*auth)->start_session("zhang");
    ASSERT_TRUE(started);
    session = started->id;
  }

  const auto last = cli({"user", "delete", "root", "--db", db_});
  EXPECT_EQ(last.code, 1);
  EXPECT_NE(last.err.find("'root' is the last enabled admin"), std::string::npos) << last.err;
  const auto unknown = cli({"user", "delete", "nobody", "--db", db_});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("no user 'nobody'"), std::string::npos) << unknown.err;
  EXPECT_EQ(cli({"user", "delete", "--db", db_}).code, 2);  // no name

  const auto deleted = cli({"user", "delete", "zhang", "--db", db_});
  ASSERT_EQ(deleted.code, 0) << deleted.err;
  EXPECT_EQ(deleted.out, "zhang deleted; sessions ended, API tokens removed\n");
  auto auth = storage::AuthStore::open(db_);
  ASSERT_TRUE(auth);
  EXPECT_FALSE(*(*auth)->user("zhang"));
  EXPECT_FALSE(*(*auth)->token_user(secret));
  EXPECT_FALSE(*(*auth)->session(session));
  EXPECT_TRUE((*auth)->tokens("zhang")->empty());
  EXPECT_TRUE(*(*auth)->user("root"));
  EXPECT_EQ(cli({"user", "list", "--db", db_}).out.find("zhang"), std::string::npos);

  const auto audited = cli({"audit", db_, "--action", "user_deleted"});
  ASSERT_EQ(audited.code, 0) << audited.err;
  EXPECT_NE(audited.out.find("user_deleted  zhang"), std::string::npos) << audited.out;
  // The name may be used again, by a new account with nothing of the old one.
  ASSERT_EQ(cli({"user", "add", "zhang", "--role", "staff", "--password", "zhang-password-2",
                 "--db", db_})
                .code,
            0);
  EXPECT_FALSE(*(*auth)->token_user(secret));
}

// Connects to 127.0.0.1:port and returns the whole answer to GET /healthz, or "".
std::string healthz(int port) {
  const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string reply;
  if (::connect(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if (::write(socket_fd, request.data(), request.size()) > 0) {
      char buffer[4096];
      ssize_t got = 0;
      while ((got = ::read(socket_fd, buffer, sizeof buffer)) > 0)
        reply.append(buffer, static_cast<std::size_t>(got));
    }
  }
  ::close(socket_fd);
  return reply;
}

std::string healthz_status(int port) {
  const std::string reply = healthz(port);
  return reply.substr(0, reply.find("\r\n"));
}

// The shipped calendar with one more year: a test fixture, not the official 2027 notice.
std::string calendar_with_2027() {
  std::ifstream in(std::string(INVESTFLOW_SOURCE_DIR) + "/workflows/calendars/cn-mainland.yaml");
  std::ostringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  const std::string years = "years: [2025, 2026]";
  yaml.replace(yaml.find(years), years.size(), "years: [2025, 2027]");
  return yaml +
         "  - name: {zh-CN: 元旦, en: New Year's Day}\n"
         "    from: 2027-01-01\n"
         "    to: 2027-01-03\n"
         "    make_up: []\n";
}

TEST_F(ServerCommands, ServeAnswersAndExitsZeroOnSigterm) {
  const std::string out = (dir_ / "serve.out").string();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::freopen(out.c_str(), "w", stdout);
    std::freopen((dir_ / "serve.err").c_str(), "w", stderr);
    const std::string workflows = std::string(INVESTFLOW_SOURCE_DIR) + "/workflows/definitions";
    ::execl(INVESTFLOW_BINARY, "investflow", "serve", "--db", db_.c_str(), "--listen",
            "127.0.0.1:0", "--workflows", workflows.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // "investflow: serving DB on http://127.0.0.1:PORT/ ..."
  int port = 0;
  for (int i = 0; i < 300 && port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    FILE* file = std::fopen(out.c_str(), "r");
    if (file == nullptr) continue;
    char line[512] = {};
    if (std::fgets(line, sizeof line, file) != nullptr) {
      const std::string text(line);
      const auto colon = text.find("127.0.0.1:");
      if (colon != std::string::npos) port = std::atoi(text.c_str() + colon + 10);
    }
    std::fclose(file);
  }
  ASSERT_GT(port, 0) << "serve did not start";
  EXPECT_EQ(healthz_status(port), "HTTP/1.1 200 OK");
  // The shipped calendar's data end with 2026.
  EXPECT_NE(healthz(port).find(R"("calendar_ends":"2026-12-31")"), std::string::npos)
      << healthz(port);
  EXPECT_NE(healthz(port).find(R"({"name":"cn-mainland","ends":"2026-12-31")"), std::string::npos);

  // A calendar with 2027 deployed into the database is taken by the running server.
  const fs::path file = dir_ / "cn-mainland.yaml";
  std::ofstream(file) << calendar_with_2027();
  CliRun deployed = cli({"calendar", "deploy", db_, file.string()});
  EXPECT_EQ(deployed.code, 0) << deployed.err;
  EXPECT_NE(deployed.out.find("deployed cn-mainland (official data 2025-2027)"), std::string::npos)
      << deployed.out;
  bool taken = false;
  for (int i = 0; i < 200 && !taken; ++i) {
    taken = healthz(port).find(R"("calendar_ends":"2027-12-31")") != std::string::npos;
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(taken) << healthz(port);
  EXPECT_EQ(healthz(port).find("warnings"), std::string::npos) << healthz(port);

  ASSERT_EQ(::kill(child, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(ServerCommands, CalendarDeployAndList) {
  const fs::path longer = dir_ / "longer.yaml";
  std::ofstream(longer) << calendar_with_2027();
  const fs::path broken = dir_ / "broken.yaml";
  std::ofstream(broken) << "calendar: cn-mainland\nyears: [2027]\nholidays:\n  - name: 元旦\n"
                           "    from: 2027-13-01\n    to: 2027-01-03\n";
  const std::string shipped =
      std::string(INVESTFLOW_SOURCE_DIR) + "/workflows/calendars/cn-mainland.yaml";

  CliRun run = cli({"calendar", "deploy", "--help"});
  EXPECT_EQ(run.code, 0);
  EXPECT_NE(run.out.find("without a restart"), std::string::npos) << run.out;
  EXPECT_EQ(cli({"calendar", "deploy", db_}).code, 2);  // FILE missing
  // A mistyped database is not created.
  run = cli({"calendar", "deploy", (dir_ / "nowhere.db").string(), longer.string()});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("no database at"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(dir_ / "nowhere.db"));
  ASSERT_EQ(cli({"init", db_}).code, 0);

  // A file with errors changes nothing and says where.
  run = cli({"calendar", "deploy", db_, broken.string()});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("broken.yaml:5:"), std::string::npos) << run.err;
  run = cli({"calendar", "list", db_});
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("none deployed"), std::string::npos);

  run = cli({"calendar", "deploy", db_, longer.string()});
  EXPECT_EQ(run.code, 0) << run.err;
  run = cli({"calendar", "deploy", db_, longer.string()});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("nothing changed"), std::string::npos) << run.out;
  // The shipped file has 2025-2026 only: deploying it would drop 2027.
  run = cli({"calendar", "deploy", db_, shipped});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("keeps every year it had"), std::string::npos) << run.err;
  run = cli({"calendar", "list", db_});
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.out.rfind("cn-mainland\t2025-2027\t2026-", 0), 0u) << run.out;
}

TEST_F(ServerCommands, CalendarDeployAndListOnAPostgresqlDatabase) {
  PG_DATABASE_OR_SKIP(uri);
  const fs::path longer = dir_ / "longer.yaml";
  std::ofstream(longer) << calendar_with_2027();
  const std::string shipped =
      std::string(INVESTFLOW_SOURCE_DIR) + "/workflows/calendars/cn-mainland.yaml";
  ASSERT_EQ(cli({"init", uri}).code, 0);
  CliRun run = cli({"calendar", "list", uri});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("none deployed"), std::string::npos) << run.err;

  run = cli({"calendar", "deploy", uri, longer.string()});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("deployed cn-mainland (official data 2025-2027); servers on " + uri),
            std::string::npos)
      << run.out;
  run = cli({"calendar", "deploy", uri, longer.string()});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("nothing changed"), std::string::npos) << run.out;
  run = cli({"calendar", "deploy", uri, shipped});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("keeps every year it had"), std::string::npos) << run.err;
  run = cli({"calendar", "list", uri});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("cn-mainland\t2025-2027\t2026-", 0), 0u) << run.out;

  // In the database, for every server on it to take.
  auto store = storage::open_store_at(uri);
  ASSERT_TRUE(store) << store.error().message;
  auto stored = (*store)->stored_calendars();
  ASSERT_TRUE(stored) << stored.error().message;
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().last_year, 2027);
}

// Several servers on one PostgreSQL database, each with --digest-dir: the one holding the
// duty lease signs the digests, and when it stops another takes over. Each digest checks.
TEST_F(ServerCommands, OnPostgresqlTheServerOnDutySignsTheDigests) {
  PG_DATABASE_OR_SKIP(uri);
  ASSERT_EQ(cli({"init", uri}).code, 0);
  ASSERT_EQ(cli({"seed", uri, "--projects", "3"}).code, 0);
  const std::string key = (dir_ / "digest.key").string();
  ASSERT_EQ(cli({"keygen", "--out", key}).code, 0);
  const std::string workflows = std::string(INVESTFLOW_SOURCE_DIR) + "/workflows/definitions";
  const auto args = [&](const std::string& digests) {
    return std::vector<std::string>{"--files-dir",    (dir_ / "files").string(),
                                    "--secret-key",   (dir_ / "secret.key").string(),
                                    "--digest-dir",   (dir_ / digests).string(),
                                    "--digest-key",   key,
                                    "--digest-every", "1s"};
  };
  // --no-dispatch takes no duties, digests included: refused.
  std::vector<std::string> idle = {"serve", "--db", uri};
  for (const std::string& arg : args("digests-idle"))
    idle.push_back(arg);
  idle.push_back("--no-dispatch");
  const CliRun refused = cli(idle);
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("--no-dispatch takes no duties"), std::string::npos) << refused.err;

  const auto digests_in = [&](const std::string& name) {
    std::vector<std::string> files;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir_ / name, error))
      files.push_back(entry.path().string());
    return files;
  };
  const auto wait_for_digest = [&](const std::string& name) {
    for (int i = 0; i < 100 && digests_in(name).empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return !digests_in(name).empty();
  };
  investflow::testing::ServedChild first = investflow::testing::start_serve(
      INVESTFLOW_BINARY, uri, dir_, workflows, args("digests-1"), "first");
  ASSERT_GT(first.port, 0) << "serve did not start";
  ASSERT_TRUE(wait_for_digest("digests-1")) << "the server on duty signed no digest";
  investflow::testing::ServedChild second = investflow::testing::start_serve(
      INVESTFLOW_BINARY, uri, dir_, workflows, args("digests-2"), "second");
  ASSERT_GT(second.port, 0) << "the second server did not start";
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_TRUE(digests_in("digests-2").empty()) << "a server off duty signed a digest";

  const int status = first.stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_TRUE(wait_for_digest("digests-2")) << "no server took the digests over";
  second.stop();

  for (const char* name : {"digests-1", "digests-2"}) {
    for (const std::string& digest : digests_in(name)) {
      EXPECT_NE(digest.find("-digest-"), std::string::npos) << digest;
      const CliRun checked = cli({"verify", uri, "--digest", digest, "--public-key", key + ".pub"});
      EXPECT_EQ(checked.code, 0) << checked.out << checked.err;
    }
  }
}

}  // namespace
}  // namespace investflow::app
