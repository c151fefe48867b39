#pragma once
// Security headers on every response (docs/api.md, "Other headers"). A handler
// that set one of them keeps its own value.
//   all:  X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer
//   HTML: a strict Content-Security-Policy (same-origin scripts, styles, images, fetches;
//         no plugins, no <base>, forms only to us, frame-ancestors 'none'), X-Frame-Options
//   else: Content-Security-Policy: default-src 'none'; frame-ancestors 'none' (an API
//         response opened as a document can run nothing and cannot be framed)
// A 304 gets no policy: caches would merge it into the stored page's fields.
// Over TLS (ServerOptions::tls_certificate) every response also carries
// Strict-Transport-Security (kStrictTransportSecurity): browsers use https only from then on.

#include "web/response.hpp"

namespace investflow::web {

inline constexpr std::string_view kHtmlContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";
inline constexpr std::string_view kApiContentSecurityPolicy =
    "default-src 'none'; frame-ancestors 'none'";

// A year, as HSTS preload lists ask; subdomains are the zone's own business.
inline constexpr std::string_view kStrictTransportSecurity = "max-age=31536000";

void add_security_headers(Response& response, bool over_tls = false);

}  // namespace investflow::web
