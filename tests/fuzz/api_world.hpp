#pragma once
// What the API fuzz targets share: the real API routes (and the server's built-in ones) over
// a SQLite store (and the notifications' store) in a scratch directory on tmpfs (synchronous=OFF:
// the fuzzers test parsing and rules, not durability), the shipped qingyuan-investment workflow,
// one user holding every role with a bearer token, a fixed clock, and one lead project "FUZZ-1".
//
// Requests go through web::dispatch, the function the server's sessions call, on a real
// ServerState (router, static files, worker pool); the fuzzer waits for the reply.
//
// Inputs may spell the bearer token as @TOKEN@: the world substitutes the real one, so the
// fuzzer reaches past authentication without guessing 256 random bits.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "engine/date.hpp"
#include "notify/notify_store.hpp"
#include "storage/auth.hpp"
#include "storage/sqlite_store.hpp"
#include "web/api.hpp"
#include "web/builtin_routes.hpp"
#include "web/dispatcher.hpp"
#include "web/server_state.hpp"
#include "workflows/loader.hpp"

namespace investflow::fuzz {

inline constexpr std::string_view kTokenPlaceholder = "@TOKEN@";
inline constexpr std::string_view kProjectId = "FUZZ-1";

// Stops the run with a message: libFuzzer reports the input that got here.
[[noreturn]] inline void fail(std::string_view what) {
  std::fprintf(stderr, "fuzz invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

class ApiWorld {
 public:
  ApiWorld() {
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                           ? "/dev/shm"
                                           : std::filesystem::temp_directory_path();
    dir_ = base / ("investflow-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    scratch() = dir_;
    std::atexit([] { std::filesystem::remove_all(scratch()); });
    const std::filesystem::path db = dir_ / "fuzz.db";
    clock_ = std::make_shared<engine::FixedClock>(
        engine::start_of_day(*engine::Date::parse("2026-03-02")) + 9 * 3600 * 1000);

    storage::SqliteOptions options;
    options.clock = clock_;
    options.synchronous = storage::Synchronous::off;
    options.read_connections = 1;
    auto store = storage::open_sqlite_store(db, options);
    if (!store) fail("cannot open the store: " + store.error().message);
    store_ = std::move(*store);
    const std::filesystem::path definitions =
        std::filesystem::path(INVESTFLOW_SOURCE_DIR) / "workflows" / "definitions";
    workflows::CalendarRegistry calendars;
    (void)workflows::load_calendar_directory(
        workflows::calendars_directory_for(definitions / "x.yaml"), calendars);
    auto load = workflows::load_workflow_file(definitions / "qingyuan-investment.yaml", calendars);
    if (!load.workflow) fail("cannot load the shipped workflow");
    workflow_ = load.workflow;
    if (!store_->register_workflow(load.workflow, load.source)) fail("cannot register it");

    auto auth =
        storage::AuthStore::open(db, storage::AuthOptions{std::chrono::hours(8), 10000, clock_});
    if (!auth) fail("cannot open the auth store: " + auth.error().message);
    auth_ = std::move(*auth);
    if (!auth_->add_user(
            "fuzz", {"staff", "secretariat", "reviewer", "manager", "leader", "auditor", "admin"},
            "password-fuzz")) {
      fail("cannot add the user");
    }
    auto token = auth_->issue_token("fuzz", "fuzz");
    if (!token) fail("cannot issue a token");
    token_ = *token;

    auto context = std::make_shared<web::ApiContext>(*store_, *auth_, clock_);
    // Webhooks and inboxes too (no dispatcher runs: nothing is delivered anywhere).
    if (auto notify_store = notify::NotifyStore::open(db)) context->notify = *notify_store;
    web::Router router;
    web::add_api_routes(router, context);
    web::ServerOptions server_options;
    server_options.log =
        std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>());
    web::StaticFiles files;
    files.add("/index.html", "<!doctype html><title>investflow</title>");
    files.add("/assets/app.js", "console.log('investflow');");
    state_ = std::make_shared<web::ServerState>(std::move(server_options), std::move(router),
                                                std::move(files));
    web::add_builtin_routes(state_->router, *state_);
    state_->workers.emplace(1);

    web::Request create;
    create.method = "POST";
    create.target = create.path = "/api/projects";
    create.headers.add("Authorization", "Bearer " + token_);
    create.body =
        R"({"workflow":"qingyuan-investment","id":"FUZZ-1","fields":{"name":"模糊测试项目",
      "investor":"投资方","contact":"联系人","industry":"electronics","total_investment":30000,
      "promoting_unit":"招商一科"}})";
    create.request_id = "fuzz-setup";
    if (call(std::move(create)).status != 201) fail("cannot create the fuzz project");
  }

  ApiWorld(const ApiWorld&) = delete;
  ApiWorld& operator=(const ApiWorld&) = delete;

  // The first @TOKEN@ becomes the bearer token.
  std::string with_token(std::string text) const {
    const std::size_t at = text.find(kTokenPlaceholder);
    if (at != std::string::npos) text.replace(at, kTokenPlaceholder.size(), token_);
    return text;
  }

  // Dispatches as the server does and waits for the answer; a reply that never comes
  // (a hang) or is dropped unsent (a lost callback) breaks an invariant.
  web::Response call(web::Request request) {
    if (request.request_id.empty()) request.request_id = "fuzz";
    if (request.remote_address.empty()) request.remote_address = "127.0.0.1";
    auto promise = std::make_shared<std::promise<std::optional<web::Response>>>();
    auto answer = promise->get_future();
    web::dispatch(state_, std::make_shared<const web::Request>(std::move(request)),
                  [promise](std::optional<web::Response> response) {
                    promise->set_value(std::move(response));
                  });
    if (answer.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      fail("no reply within 20 s");
    }
    auto response = answer.get();
    if (!response) fail("the handler dropped its reply");
    return std::move(*response);
  }

  const engine::Workflow& workflow() const { return *workflow_; }
  std::string_view token() const { return token_; }

 private:
  static std::filesystem::path& scratch() {
    static std::filesystem::path path;
    return path;
  }

  std::filesystem::path dir_;
  std::shared_ptr<engine::FixedClock> clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::AuthStore> auth_;
  std::shared_ptr<const engine::Workflow> workflow_;
  std::string token_;
  std::shared_ptr<web::ServerState> state_;
};

// Built on first use and never destroyed: the store's writer thread must not race static
// destruction when libFuzzer exits.
inline ApiWorld& world() {
  static ApiWorld* const instance = new ApiWorld();
  return *instance;
}

// What every answer must be, whatever was asked: a real status; never a 500 (a client
// mistake is never a server error, docs/api.md); errors as problem+json objects with a code;
// JSON bodies that parse.
inline void check_response(const web::Response& response) {
  if (response.status < 100 || response.status > 599) fail("status out of range");
  if (response.status == 500) fail("a 500: " + response.body);
  const std::string_view type = response.headers.get("Content-Type").value_or("");
  if (response.status >= 400 && type != web::kProblemJsonType) {
    fail("an error that is not problem+json: " + std::string(type));
  }
  if (type == web::kJsonType || type == web::kProblemJsonType) {
    boost::system::error_code error;
    const boost::json::value body = boost::json::parse(response.body, error);
    if (error) fail("a JSON response that does not parse: " + response.body);
    if (type == web::kProblemJsonType &&
        (!body.is_object() || !body.as_object().contains("code"))) {
      fail("a problem without a code: " + response.body);
    }
  }
}

}  // namespace investflow::fuzz
