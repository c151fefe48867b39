#include "web/request_target.hpp"

#include <cstdint>

namespace investflow::web {
namespace {

std::optional<int> hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

// Strips "scheme://authority" from an absolute-form target, leaving its path and query.
std::string_view origin_part(std::string_view target) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (target.starts_with(scheme)) {
      const auto rest = target.substr(scheme.size());
      const auto slash = rest.find_first_of("/?");
      if (slash == std::string_view::npos) return "/";
      if (rest[slash] == '?') return {};  // "http://host?x" has no path: refuse
      return rest.substr(slash);
    }
  }
  return target;
}

// One decoded path segment, or an error sentence.
engine::Result<std::string, std::string> decode_segment(std::string_view raw) {
  auto decoded = percent_decode(raw, false);
  if (!decoded) return engine::fail(std::string("malformed percent-escape in path"));
  for (const char c : *decoded) {
    if (c == '/') return engine::fail(std::string("encoded '/' in a path segment"));
    if (c == '\\') return engine::fail(std::string("backslash in path"));
    if (c == '\0' || is_control(c)) return engine::fail(std::string("control character in path"));
  }
  if (*decoded == "." || *decoded == "..") {
    return engine::fail(std::string("dot segment in path"));
  }
  return std::move(*decoded);
}

engine::Result<std::string, std::string> decode_path(std::string_view raw) {
  std::string path;
  std::size_t start = 1;  // raw[0] == '/'
  while (true) {
    const auto end = raw.find('/', start);
    const auto segment = decode_segment(raw.substr(start, end - start));
    if (!segment) return engine::fail(segment.error());
    path += '/';
    path += *segment;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (!is_valid_utf8(path)) return engine::fail(std::string("path is not valid UTF-8"));
  return path;
}

engine::Result<QueryParams, std::string> decode_query(std::string_view raw) {
  QueryParams params;
  while (!raw.empty()) {
    const auto amp = raw.find('&');
    const auto pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!name || !value) return engine::fail(std::string("malformed percent-escape in query"));
    params.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const auto high = hex_value(text[i + 1]);
      const auto low = hex_value(text[i + 2]);
      if (!high || !low) return std::nullopt;
      out += static_cast<char>(*high * 16 + *low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xe0) == 0xc0) {
      length = 2;
      code_point = lead & 0x1fu;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      code_point = lead & 0x0fu;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      code_point = lead & 0x07u;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3fu);
    }
    static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kSmallest[length] || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return false;
    }
    i += length;
  }
  return true;
}

engine::Result<RequestTarget, std::string> parse_request_target(std::string_view target) {
  const auto origin = origin_part(target);
  if (origin.empty() || origin.front() != '/') {
    return engine::fail(std::string("request target must be an absolute path"));
  }
  for (const char c : origin) {
    if (c == '\\') return engine::fail(std::string("backslash in path"));
    if (c == '#') return engine::fail(std::string("fragment in request target"));
    if (is_control(c)) return engine::fail(std::string("control character in request target"));
  }
  const auto question = origin.find('?');
  auto path = decode_path(origin.substr(0, question));
  if (!path) return engine::fail(std::move(path).error());
  auto query = decode_query(question == std::string_view::npos ? std::string_view{}
                                                               : origin.substr(question + 1));
  if (!query) return engine::fail(std::move(query).error());
  return RequestTarget{std::move(*path), std::move(*query)};
}

}  // namespace investflow::web
