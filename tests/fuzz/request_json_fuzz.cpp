// libFuzzer target: any bytes as the JSON body of each write the API takes, through the
// handlers the server runs (web/api_commands.cpp, api_auth.cpp, api_notify.cpp: parse_object,
// string_member, field_values, date and vote parsing, If-Match), into an engine::Command
// that the store decides with the engine. Whatever the body, the answer is a 2xx or a
// problem+json 4xx with a code, never a 500, a hang or a dropped reply; and the same body
// typed by the workflow through field_values never crashes either.
//
// Input: the first byte picks the route ('0'..'8' in the seeds), the rest is the body.
// Seeds: tests/fuzz/corpus/request_json/.
//
//   build/fuzz/tests/fuzz/request_json_fuzz tests/fuzz/corpus/request_json

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tests/fuzz/api_world.hpp"
#include "web/api_support.hpp"

namespace {

using investflow::fuzz::world;

struct Route {
  const char* method;
  std::string_view path;
  bool preconditions = false;  // send If-Match and Idempotency-Key
};

// The write routes, on the fuzz project where they take one.
constexpr Route kRoutes[] = {
    {"POST", "/api/projects"},
    {"PATCH", "/api/projects/FUZZ-1"},
    {"POST", "/api/projects/FUZZ-1/transitions"},
    {"POST", "/api/projects/FUZZ-1/votes"},
    {"POST", "/api/projects/FUZZ-1/milestones"},
    {"POST", "/api/projects/FUZZ-1/followups"},
    {"POST", "/api/login"},
    {"POST", "/api/projects/FUZZ-1/transitions", true},
    {"POST", "/api/webhooks"},
};
constexpr std::size_t kRouteCount = sizeof(kRoutes) / sizeof(kRoutes[0]);

std::size_t route_index(std::uint8_t selector) {
  const std::size_t digit = static_cast<std::size_t>(selector) - '0';
  return selector >= '0' && digit < kRouteCount ? digit : selector % kRouteCount;
}

// field_values on every member of the body that is an object, as "fields" would be.
void type_every_object(const investflow::engine::Workflow& workflow, std::string_view body) {
  boost::system::error_code error;
  const boost::json::value parsed = boost::json::parse(body, error);
  if (error || !parsed.is_object()) return;
  for (const auto& member : parsed.as_object()) {
    (void)investflow::web::api::field_values(workflow, member.value(), member.key());
    (void)investflow::web::api::string_member(parsed.as_object(), member.key());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto& api = world();
  const Route& route = kRoutes[route_index(data[0])];
  const std::string body =
      api.with_token(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));

  investflow::web::Request request;
  request.method = route.method;
  request.target = request.path = std::string(route.path);
  request.headers.add("Authorization", "Bearer " + std::string(api.token()));
  request.headers.add("Content-Type", "application/json");
  if (route.preconditions) {
    request.headers.add("If-Match", "\"" + std::to_string(size % 7) + "\"");
    request.headers.add("Idempotency-Key", "fuzz-" + std::to_string(size % 13));
  }
  request.body = body;
  investflow::fuzz::check_response(api.call(std::move(request)));
  type_every_object(api.workflow(), body);
  return 0;
}
