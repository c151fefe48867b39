#pragma once
// What every JSON value the server sends must look like (storage/wire_json.hpp): no tagged
// {"date": ...} object anywhere, and every time (`at`, `*_at`) an RFC 3339 string in China
// Standard Time.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace investflow::wire_testing {

inline bool is_china_time(std::string_view text) {
  // 2026-03-02T09:00:00.000+08:00
  return text.size() == 29 && text[4] == '-' && text[10] == 'T' && text[19] == '.' &&
         text.substr(23) == "+08:00";
}

inline void expect_wire_shapes(const boost::json::value& value, const std::string& path = "") {
  if (const auto* object = value.if_object()) {
    EXPECT_FALSE(object->size() == 1 && object->contains("date")) << "a tagged date at " << path;
    for (const auto& member : *object) {
      const std::string_view key = member.key();
      const std::string here = path + "/" + std::string(key);
      if ((key == "at" || key.ends_with("_at")) && !member.value().is_null()) {
        EXPECT_TRUE(member.value().is_string() && is_china_time(member.value().get_string()))
            << here << " = " << boost::json::serialize(member.value());
      }
      expect_wire_shapes(member.value(), here);
    }
  } else if (const auto* array = value.if_array()) {
    for (std::size_t i = 0; i < array->size(); ++i)
      expect_wire_shapes((*array)[i], path + "/" + std::to_string(i));
  }
}

}  // namespace investflow::wire_testing
