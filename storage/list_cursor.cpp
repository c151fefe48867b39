#include "storage/list_cursor.hpp"

#include <algorithm>

#include <sodium.h>

#include <boost/json.hpp>
#include <optional>
#include <string_view>

#include "storage/codec.hpp"

namespace investflow::storage {
namespace json = boost::json;

namespace {

// Each sort key's name in the API and the column it orders by.
struct SortKeyInfo {
  SortKey key;
  std::string_view name;
  std::string_view column;
};
constexpr SortKeyInfo kSortKeys[] = {
    {SortKey::updated, "updated", "updated_at"},
    {SortKey::created, "created", "created_at"},
    {SortKey::name, "name", "name"},
    {SortKey::investment, "investment", "total_investment"},
    {SortKey::due, "due", "next_due_on"},
    {SortKey::alert, "alert", "next_alert_on"},
};

const SortKeyInfo& sort_key_info(SortKey key) {
  for (const SortKeyInfo& info : kSortKeys) {
    if (info.key == key) return info;
  }
  return kSortKeys[0];
}

Error invalid(std::string message) {
  return Error{Error::Kind::invalid_request, std::move(message)};
}

std::string base64url(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::optional<std::string> from_base64url(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

}  // namespace

std::string_view sort_key_name(SortKey key) {
  return sort_key_info(key).name;
}

std::optional<SortKey> parse_sort_key(std::string_view name) {
  for (const SortKeyInfo& info : kSortKeys) {
    if (info.name == name && info.key != SortKey::alert) return info.key;
  }
  return std::nullopt;
}

std::string_view sort_column(SortKey key) {
  return sort_key_info(key).column;
}

std::string encode_list_cursor(const ProjectQuery& query, const ListCursor::Value& value,
                               const std::string& id) {
  json::array array{sort_key_name(query.sort), query.descending ? "desc" : "asc"};
  std::visit([&array](const auto& v) { array.emplace_back(v); }, value);
  array.emplace_back(id);
  return base64url(canonical_json(array));
}

Outcome<ListCursor> decode_list_cursor(const ProjectQuery& query) {
  const Error bad = invalid("the cursor is not one this list handed out");
  auto text = from_base64url(query.cursor);
  if (!text) return engine::fail(bad);
  auto parsed = parse_json(*text);
  if (!parsed || !parsed->is_array() || parsed->get_array().size() != 4) return engine::fail(bad);
  const json::array& array = parsed->get_array();
  if (!array[0].is_string() || array[0].get_string() != sort_key_name(query.sort) ||
      !array[1].is_string() || array[1].get_string() != (query.descending ? "desc" : "asc")) {
    return engine::fail(invalid("the cursor belongs to another sort order"));
  }
  if (!array[3].is_string()) return engine::fail(bad);
  ListCursor cursor;
  cursor.id = std::string(array[3].get_string());
  const json::value& value = array[2];
  switch (query.sort) {
    case SortKey::updated:
    case SortKey::created:
      if (!value.is_int64()) return engine::fail(bad);
      cursor.value = value.get_int64();
      break;
    case SortKey::investment:
      if (value.is_int64()) {
        cursor.value = static_cast<double>(value.get_int64());
      } else if (value.is_double()) {
        cursor.value = value.get_double();
      } else {
        return engine::fail(bad);
      }
      break;
    case SortKey::name:
    case SortKey::due:
    case SortKey::alert:
      if (!value.is_string()) return engine::fail(bad);
      cursor.value = std::string(value.get_string());
      break;
  }
  return cursor;
}

Outcome<Ok> check_list_query(const ProjectQuery& query) {
  const auto invalid = [](std::string message) {
    return engine::fail(Error{Error::Kind::invalid_request, std::move(message)});
  };
  if (query.limit < 1 || query.limit > 500) return invalid("limit must be between 1 and 500");
  const bool identifier = std::all_of(
      query.holder_field.begin(), query.holder_field.end(),
      [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
  if (!identifier) return invalid("holder_field must be a field name");
  return Ok{};
}

}  // namespace investflow::storage
