#pragma once
// Parsing of the request-target (RFC 9112 section 3.2) into a decoded path and query.
// This is the first line of defence against path traversal: a path that could climb out
// of its directory in any spelling is refused here, for every route, before any handler or
// the static files see it. Pure and allocation-bounded, so the HTTP fuzz target can call it.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/result.hpp"

namespace investflow::web {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct RequestTarget {
  // Percent-decoded, valid UTF-8, starts with '/'. Never contains a "." or ".." segment, a
  // backslash, a NUL or other control character, and no segment held an encoded '/'.
  std::string path;
  QueryParams query;  // decoded ('+' is a space), in request order
};

// Accepts origin-form ("/a/b?x=1") and absolute-form ("http://host/a/b"); the error is a
// sentence for the problem's detail.
engine::Result<RequestTarget, std::string> parse_request_target(std::string_view target);

// Decodes %XX escapes (and '+' as a space when asked, as in queries); nullopt when an
// escape is malformed.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// True when text is well-formed UTF-8 (no overlong forms, no surrogates).
bool is_valid_utf8(std::string_view text);

}  // namespace investflow::web
