#pragma once
// HTTP header fields as plain strings, so that handlers and the router never include Beast.
// Names compare case-insensitively (RFC 9110 section 5.1); order is kept.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace investflow::web {

// ASCII case-insensitive equality, for header names and tokens such as "close".
bool equals_ignoring_case(std::string_view a, std::string_view b);

// `text` without the optional whitespace around it (OWS, RFC 9110 section 5.6.3: spaces and
// horizontal tabs only). People's text has wider blanks: engine/typed_text.hpp.
std::string_view trim_ows(std::string_view text);

// The token of an `Authorization: Bearer <token>` header; nullopt when it has another form.
std::optional<std::string_view> bearer_secret(std::string_view authorization);

// Content-Disposition for a download (RFC 6266): `attachment; filename="<ascii_fallback>";
// filename*=UTF-8''<file_name percent-encoded>` (RFC 8187, formerly 5987), so browsers save
// the Chinese name and clients that know only `filename` get the ASCII one. Characters a
// quoted string or a file system would choke on become "_" in the fallback.
std::string attachment_disposition(std::string_view file_name, std::string_view ascii_fallback);

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // Appends a field; a repeated name keeps every value (Set-Cookie needs that).
  void add(std::string name, std::string value);
  // Replaces every field of this name with one.
  void set(std::string name, std::string value);
  void remove(std::string_view name);

  // The first value of the field, if present.
  std::optional<std::string_view> get(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }

  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }
  std::size_t size() const { return fields_.size(); }

 private:
  std::vector<Field> fields_;
};

}  // namespace investflow::web
