#include "web/static_files.hpp"

#include <cstdint>
#include <cstdio>

#include "web/headers.hpp"
#include "web/problem.hpp"

namespace investflow::web {
namespace {

std::string_view opaque_tag(std::string_view tag) {
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

}  // namespace

std::string content_type_for(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (path.ends_with(extension)) return std::string(type);
  }
  return "application/octet-stream";
}

std::string entity_tag(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  char text[24];
  std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return text;
}

bool if_none_match_hits(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    const auto candidate = trim_ows(if_none_match.substr(0, comma));
    if (candidate == "*" || opaque_tag(candidate) == opaque_tag(etag)) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

void StaticFiles::add(std::string path, std::string body, std::string content_type) {
  auto etag = entity_tag(body);
  add(std::move(path), std::move(body), std::move(content_type), std::move(etag));
}

void StaticFiles::add(std::string path, std::string body, std::string content_type,
                      std::string etag) {
  if (content_type.empty()) content_type = content_type_for(path);
  files_.insert_or_assign(std::move(path),
                          StaticFile{std::move(body), std::move(content_type), std::move(etag)});
}

const StaticFile* StaticFiles::find(std::string_view path) const {
  if (path == "/") path = "/index.html";
  const auto found = files_.find(path);
  return found == files_.end() ? nullptr : &found->second;
}

Response StaticFiles::serve(const Request& request) const {
  const auto* file = find(request.path);
  if (file == nullptr) return to_response(no_such_resource(request.path), language(request));
  Response response;
  response.headers.set("ETag", file->etag);
  // Revalidate every time: the console changes with each release and a 304 is cheap.
  response.headers.set("Cache-Control", "no-cache");
  const auto if_none_match = request.header("If-None-Match");
  if (if_none_match && if_none_match_hits(*if_none_match, file->etag)) {
    response.status = 304;
    return response;
  }
  response.headers.set("Content-Type", file->content_type);
  response.body = file->body;
  return response;
}

}  // namespace investflow::web
