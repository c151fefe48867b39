// GET /api/stream: server-sent events of committed events, live and resumed with
// Last-Event-ID, over a real socket.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/web/api_test_support.hpp"
#include "tests/web/sse_client.hpp"
#include "web/event_feed.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::string accept_lead() {
  return R"({"transition":"accept_lead","fields":{},"comment":""})";
}

class StreamTest : public ApiTest {};

TEST_F(StreamTest, SendsCommittedEventsAndResumesAfterLastEventId) {
  const std::string first = create_lead();
  const std::string second = create_lead();
  const std::string third = create_lead();

  // An auditor may watch; the stream starts at the log's end (the creations are past).
  SseClient live;
  ASSERT_TRUE(live.open(port(), tokens_.at("audit")));
  ASSERT_TRUE(live.read_until("retry: 3000\n\n")) << live.head();
  EXPECT_NE(live.head().find("HTTP/1.1 200"), std::string::npos) << live.head();
  EXPECT_NE(live.head().find("text/event-stream"), std::string::npos) << live.head();
  EXPECT_EQ(live.head().find("Content-Length"), std::string::npos) << live.head();

  ASSERT_EQ(
      call_as("zhang", "POST", "/api/projects/" + first + "/transitions", accept_lead()).status,
      200);
  ASSERT_TRUE(live.read_until("event: transition_taken\n")) << live.head();
  ASSERT_TRUE(live.read_until("\n\n", 1s));
  live.read_for(200ms);
  const auto seen = live.events();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].type, "transition_taken");
  EXPECT_EQ(seen[0].data.at("project_id").as_string(), first);
  EXPECT_EQ(seen[0].data.at("version").as_int64(), 2);
  EXPECT_EQ(seen[0].data.at("from").as_string(), "lead");
  EXPECT_EQ(seen[0].data.at("to").as_string(), "screening");
  EXPECT_EQ(seen[0].data.at("transition").as_string(), "accept_lead");
  EXPECT_FALSE(seen[0].data.at("actor").as_string().empty());
  EXPECT_EQ(seen[0].data.at("at").as_string(), "2026-03-02T09:00:00.000+08:00");
  EXPECT_EQ(seen[0].id, std::to_string(seen[0].data.at("id").as_int64()));
  live.close();

  // Two more while nobody listens.
  for (const auto& id : {second, third}) {
    ASSERT_EQ(
        call_as("zhang", "POST", "/api/projects/" + id + "/transitions", accept_lead()).status,
        200);
  }

  SseClient resumed;
  ASSERT_TRUE(resumed.open(port(), tokens_.at("audit"), seen[0].id));
  ASSERT_TRUE(resumed.read_until("\"project_id\":\"" + third + "\"")) << resumed.head();
  resumed.read_for(300ms);  // nothing else may follow
  const auto missed = resumed.events();
  ASSERT_EQ(missed.size(), 2u);
  EXPECT_EQ(missed[0].data.at("project_id").as_string(), second);
  EXPECT_EQ(missed[1].data.at("project_id").as_string(), third);
  EXPECT_GT(std::stoll(missed[0].id), std::stoll(seen[0].id));
  EXPECT_GT(std::stoll(missed[1].id), std::stoll(missed[0].id));
  for (const auto& event : missed)
    EXPECT_EQ(event.type, "transition_taken");
}

TEST_F(StreamTest, DeliversEventsCommittedOutsideTheApi) {
  const std::string id = create_lead();
  SseClient live;
  ASSERT_TRUE(live.open(port(), tokens_.at("chen")));
  ASSERT_TRUE(live.read_until("retry: 3000\n\n"));

  // As the CLI or an import would: straight to the store, no API write to wake the feed.
  storage::WriteRequest write;
  write.command.project_id = id;
  write.command.body = engine::TakeTransition{"accept_lead", {}, ""};
  write.actor = engine::Actor{"zhang", {"staff"}};
  ASSERT_TRUE(store_->write(std::move(write)).get().accepted());

  ASSERT_TRUE(live.read_until("event: transition_taken\n", 5s));
  ASSERT_TRUE(live.read_until("}\n\n", 1s));
  const auto seen = live.events();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].data.at("project_id").as_string(), id);
}

TEST_F(StreamTest, StaysOpenLongerThanTheWriteTimeout) {
  const std::string id = create_lead();
  SseClient live;
  ASSERT_TRUE(live.open(port(), tokens_.at("zhang")));
  ASSERT_TRUE(live.read_until("retry: 3000\n\n"));
  // The test server's write timeout is 1 s; an idle stream is not a stalled write.
  ASSERT_TRUE(live.read_for(1500ms)) << "the server closed an idle stream";
  ASSERT_EQ(call_as("zhang", "POST", "/api/projects/" + id + "/transitions", accept_lead()).status,
            200);
  EXPECT_TRUE(live.read_until("event: transition_taken\n"));
}

TEST_F(StreamTest, OtherRequestsAreServedWhileStreamsAreOpen) {
  std::vector<std::unique_ptr<SseClient>> streams;
  for (int i = 0; i < 6; ++i) {  // more streams than worker and I/O threads
    streams.push_back(std::make_unique<SseClient>());
    ASSERT_TRUE(streams.back()->open(port(), tokens_.at("zhang")));
    ASSERT_TRUE(streams.back()->read_until("retry: 3000\n\n"));
  }
  const auto me = call_as("zhang", "GET", "/api/me");
  EXPECT_EQ(me.status, 200);
  const std::string id = create_lead();
  EXPECT_FALSE(id.empty());
  for (auto& stream : streams)
    EXPECT_TRUE(stream->read_until("event: project_created\n"));
}

TEST_F(StreamTest, AnswersProblemsForMissingCredentialsAndBadLastEventId) {
  const auto anonymous = fetch(port(), "GET", "/api/stream");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->header("Content-Type").value_or(""), "application/problem+json");

  const auto bad = call_as("zhang", "GET", "/api/stream", {}, {{"Last-Event-ID", "abc"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(parse(bad).at("errors").as_array()[0].at("field").as_string(), "Last-Event-ID");
}

TEST_F(StreamTest, AUserPastEightOpenStreamsGets429UntilOneCloses) {
  std::vector<std::unique_ptr<SseClient>> streams;
  for (int i = 0; i < 8; ++i) {
    streams.push_back(std::make_unique<SseClient>());
    ASSERT_TRUE(streams.back()->open(port(), tokens_.at("zhang")));
    ASSERT_TRUE(streams.back()->read_until("retry: 3000\n\n")) << "stream " << i;
  }
  const auto ninth = call_as("zhang", "GET", "/api/stream");
  EXPECT_EQ(ninth.status, 429);
  EXPECT_EQ(ninth.header("Content-Type").value_or(""), "application/problem+json");
  EXPECT_EQ(ninth.header("Retry-After").value_or(""), "10");
  EXPECT_EQ(parse(ninth).at("code").as_string(), "too_many_streams");
  EXPECT_NE(parse(ninth).at("detail").as_string().find("实时更新连接已达上限（8 个）"),
            std::string::npos)
      << ninth.body;
  const auto in_english = call_as("zhang", "GET", "/api/stream", {}, {{"Accept-Language", "en"}});
  EXPECT_EQ(in_english.status, 429);
  EXPECT_NE(parse(in_english).at("detail").as_string().find("8 live update streams"),
            std::string::npos);

  // Another user is not affected.
  SseClient other;
  ASSERT_TRUE(other.open(port(), tokens_.at("chen")));
  EXPECT_TRUE(other.read_until("retry: 3000\n\n"));

  // A closed stream frees its place as soon as the server sees it go.
  streams.front()->close();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  bool reopened = false;
  while (!reopened && std::chrono::steady_clock::now() < deadline) {
    SseClient again;
    ASSERT_TRUE(again.open(port(), tokens_.at("zhang")));
    reopened = again.read_until("retry: 3000\n\n", 1s);
    if (!reopened) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(reopened);
}

TEST_F(StreamTest, GracefulShutdownClosesOpenStreamsPromptly) {
  SseClient live;
  ASSERT_TRUE(live.open(port(), tokens_.at("zhang")));
  ASSERT_TRUE(live.read_until("retry: 3000\n\n"));
  const auto started = std::chrono::steady_clock::now();
  server_.reset();  // stop(2 s), then join
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
  EXPECT_FALSE(live.read_for(1s)) << "the stream should be closed";
}

// The feed's thread reads the store: it must end when the server and the API's context are
// gone, before the store is. A subscriber's sink holding the server (and so the router, the
// routes and the context) would keep the thread alive past the store, reading freed memory.
TEST_F(StreamTest, TheFeedEndsWithTheServerAndItsContextWhileAStreamIsOpen) {
  SseClient live;
  ASSERT_TRUE(live.open(port(), tokens_.at("zhang")));
  ASSERT_TRUE(live.read_until("retry: 3000\n\n"));
  const std::weak_ptr<EventFeed> feed = context_->feed;
  server_.reset();
  context_.reset();
  EXPECT_TRUE(feed.expired()) << "the feed outlives its server and context";
}

TEST_F(StreamTest, SendsKeepAliveComments) {
  ServerOptions options = test_options();
  options.stream_keepalive = 100ms;
  Router router;
  add_api_routes(router, std::make_shared<ApiContext>(*store_, *auth_, clock_));
  RunningServer quick(std::move(router), options);
  SseClient live;
  ASSERT_TRUE(live.open(quick.port(), tokens_.at("zhang")));
  EXPECT_TRUE(live.read_until(": keep-alive\n\n", 2s));
}

// A stream closed because its client fell too far behind for the memory budget loses
// nothing: what reached the client is a run of whole events from where it started (a cut
// one after them is no event), and reconnecting with the last id it got picks up at the
// next. The producer keeps the feed's contract: every event after Last-Event-ID, in order.
TEST(StreamBudgetResume, AStreamClosedForFallingBehindResumesWithoutLosingAnEvent) {
  constexpr int kEvents = 4000;  // 8 KiB each: more than socket buffers and the budget hold
  ServerOptions options = test_options();
  options.stream_memory = 1024 * 1024;
  options.write_timeout = 60s;  // the budget, not the timeout, must act
  std::mutex producers_mutex;
  std::vector<std::thread> producers;
  Router router;
  router.add("GET", "/api/stream", [&](const Request& request, const RouteParams&) {
    const int after = std::stoi(std::string(request.header("Last-Event-ID").value_or("0")));
    Response response;
    response.status = 200;
    response.headers.set("Content-Type", "text/event-stream");
    response.stream = [&, after](std::shared_ptr<StreamSink> sink) {
      std::lock_guard lock(producers_mutex);
      producers.emplace_back([sink, after] {
        const std::string padding(8 * 1024, 'x');
        for (int id = after + 1; id <= kEvents; ++id) {
          const std::string event =
              "id: " + std::to_string(id) + "\ndata: {\"p\":\"" + padding + "\"}\n\n";
          if (!sink->send(event)) return;
        }
      });
    };
    return response;
  });
  RunningServer running(std::move(router), options);
  const auto closed_slow = [&running] {
    return running.server().metrics().render().find(
               "investflow_http_streams_closed_slow_total 0\n") == std::string::npos;
  };
  const auto deadline = std::chrono::steady_clock::now() + 120s;

  // The first client reads nothing until the server gives up on it...
  SseClient stalled;
  ASSERT_TRUE(stalled.open(running.port(), "unused"));
  while (!closed_slow() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(closed_slow()) << "the stalled stream was never closed";
  // ...then reads what had reached it, up to the close.
  while (stalled.read_for(50ms) && std::chrono::steady_clock::now() < deadline) {
  }
  int last = 0;
  std::vector<SseEvent> got = stalled.events();
  ASSERT_FALSE(got.empty());
  for (const SseEvent& event : got)
    ASSERT_EQ(event.id, std::to_string(++last)) << "a gap in the stalled stream";
  EXPECT_LT(last, kEvents) << "the stalled stream got everything: the budget did not act";

  // Reconnecting with Last-Event-ID, as browsers do, until every event has arrived. A
  // reader slower than the producer may be closed again; each time it resumes where it was.
  int connections = 1;
  while (last < kEvents && std::chrono::steady_clock::now() < deadline) {
    SseClient resumed;
    ASSERT_TRUE(resumed.open(running.port(), "unused", std::to_string(last)));
    ++connections;
    resumed.read_until("id: " + std::to_string(kEvents) + "\n", 30s);
    resumed.read_for(50ms);
    got = resumed.events();
    for (const SseEvent& event : got)
      ASSERT_EQ(event.id, std::to_string(++last)) << "a gap after resuming";
  }
  EXPECT_EQ(last, kEvents) << "after " << connections << " connections";
  std::lock_guard lock(producers_mutex);
  for (auto& producer : producers)
    producer.join();
}

TEST(ServerSentEvent, FormatsIdTypeAndOneDataLine) {
  storage::StoredEvent stored;
  stored.id = 42;
  stored.event.project_id = "p-1";
  stored.event.version = 3;
  stored.event.at = 1'000;
  stored.event.actor = "li";
  engine::TransitionTaken taken;
  taken.transition = "pass_screening";
  taken.from = "screening";
  taken.to = "negotiating";
  stored.event.body = taken;
  const std::string text = server_sent_event(stored);
  EXPECT_EQ(text.rfind("id: 42\nevent: transition_taken\ndata: {", 0), 0u) << text;
  EXPECT_EQ(text.substr(text.size() - 3), "}\n\n");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
  EXPECT_NE(text.find(R"("from":"screening")"), std::string::npos);
  EXPECT_NE(text.find(R"("to":"negotiating")"), std::string::npos);
}

}  // namespace
}  // namespace investflow::web::testing
