#include "web/security_headers.hpp"

namespace investflow::web {
namespace {

void set_default(Headers& headers, std::string name, std::string_view value) {
  if (!headers.contains(name)) headers.set(std::move(name), std::string(value));
}

bool is_html(const Headers& headers) {
  const auto type = headers.get("Content-Type");
  return type && type->starts_with("text/html");
}

}  // namespace

void add_security_headers(Response& response, bool over_tls) {
  auto& headers = response.headers;
  if (over_tls) set_default(headers, "Strict-Transport-Security", kStrictTransportSecurity);
  set_default(headers, "X-Content-Type-Options", "nosniff");
  set_default(headers, "Referrer-Policy", "no-referrer");
  // A 304 carries no body, and caches merge its fields into the stored response: a policy
  // sent here would replace the stored HTML page's own.
  if (response.status == 304) return;
  if (is_html(headers)) {
    set_default(headers, "Content-Security-Policy", kHtmlContentSecurityPolicy);
    set_default(headers, "X-Frame-Options", "DENY");
  } else {
    set_default(headers, "Content-Security-Policy", kApiContentSecurityPolicy);
  }
}

}  // namespace investflow::web
