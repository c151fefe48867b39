#pragma once
// The web console's files, held in memory (embedded at build time): path -> bytes,
// content type and a strong ETag over the bytes. Lookups are exact matches in a map, so no
// request can reach anything that was not added; request paths were already refused for
// any traversal spelling by parse_request_target.

#include <map>
#include <string>
#include <string_view>

#include "web/request.hpp"
#include "web/response.hpp"

namespace investflow::web {

struct StaticFile {
  std::string body;
  std::string content_type;
  std::string etag;  // quoted, e.g. "\"5c1e...\""
};

class StaticFiles {
 public:
  // path starts with '/'; the content type comes from the extension when not given.
  void add(std::string path, std::string body, std::string content_type = {});
  // With an ETag computed beforehand (the embedded console's, at build time).
  void add(std::string path, std::string body, std::string content_type, std::string etag);

  // "/" serves "/index.html".
  const StaticFile* find(std::string_view path) const;
  bool empty() const { return files_.empty(); }

  // 200 with the file, 304 when If-None-Match names its ETag, a 404 problem when the path
  // is unknown. The server answers HEAD from the GET response.
  Response serve(const Request& request) const;

 private:
  std::map<std::string, StaticFile, std::less<>> files_;
};

std::string content_type_for(std::string_view path);
// A strong entity tag for these bytes (64-bit FNV-1a, quoted).
std::string entity_tag(std::string_view bytes);
// RFC 9110 section 13.1.2: does an If-None-Match value name this (strong) ETag? Uses the
// weak comparison, and "*" matches any.
bool if_none_match_hits(std::string_view if_none_match, std::string_view etag);

}  // namespace investflow::web
