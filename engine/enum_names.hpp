#pragma once
// One table per enum, read both ways. An enum with names (on the wire, in storage, in
// workflow files) declares them once,
//
//   constexpr EnumName<WebhookFormat> kWebhookFormatNames[] = {
//       {WebhookFormat::json, "json"}, {WebhookFormat::wecom, "wecom"}, ...};
//
// and both of its conversions read that table: name_in(kWebhookFormatNames, format) and
// value_in(kWebhookFormatNames, "wecom").

#include <cstddef>
#include <optional>
#include <string_view>

namespace investflow::engine {

template <typename Enum>
struct EnumName {
  Enum value;
  std::string_view name;
};

// The name of `value`; empty if the table leaves it out.
template <typename Enum, std::size_t N>
constexpr std::string_view name_in(const EnumName<Enum> (&table)[N], Enum value) {
  for (const EnumName<Enum>& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return {};
}

// The value named `name`; nullopt for a name the table does not have.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> value_in(const EnumName<Enum> (&table)[N], std::string_view name) {
  for (const EnumName<Enum>& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

}  // namespace investflow::engine
