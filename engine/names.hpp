#pragma once
// Names of enum values and of variant alternatives, each read from one table: an array of
// {value, name} pairs in declaration order, which a static_assert checks (in_order, or
// names_alternatives_in_order for a variant), and two functions reading it either way.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace investflow::engine {

template <typename Enum>
struct EnumName {
  Enum value;
  std::string_view name;
};

// The name of `value` in `table`; empty when the table does not list it.
template <typename Enum, std::size_t N>
constexpr std::string_view name_in(const EnumName<Enum> (&table)[N], Enum value) {
  for (const EnumName<Enum>& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return {};
}

// The value named `name` in `table`, or nullopt.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> value_named(const EnumName<Enum> (&table)[N], std::string_view name) {
  for (const EnumName<Enum>& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

// Every name of `table`, in its order: the enum's vocabulary for a document or a message.
template <typename Enum, std::size_t N>
std::vector<std::string_view> names_of(const EnumName<Enum> (&table)[N]) {
  std::vector<std::string_view> names;
  names.reserve(N);
  for (const EnumName<Enum>& entry : table)
    names.push_back(entry.name);
  return names;
}

// Whether the table lists the enum's values from `first` on, each once, in declaration
// order (an enum with no gaps in its values).
template <typename Enum, std::size_t N>
constexpr bool in_order(const EnumName<Enum> (&table)[N], Enum first = Enum{}) {
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(table[i].value) != static_cast<std::size_t>(first) + i) {
      return false;
    }
  }
  return true;
}

// The index of `T` among the alternatives of `Variant`.
template <typename T, typename Variant>
struct alternative_index;
template <typename T, typename... Types>
struct alternative_index<T, std::variant<Types...>> {
  static constexpr std::size_t value = [] {
    constexpr bool same[] = {std::is_same_v<T, Types>...};
    return static_cast<std::size_t>(std::find(std::begin(same), std::end(same), true) -
                                    std::begin(same));
  }();
};

// The name of one alternative of a variant: alternative<CreateProject, Body>("create").
struct AlternativeName {
  std::size_t index;
  std::string_view name;
};
template <typename T, typename Variant>
constexpr AlternativeName alternative(std::string_view name) {
  static_assert(alternative_index<T, Variant>::value < std::variant_size_v<Variant>);
  return {alternative_index<T, Variant>::value, name};
}

// Whether the table names every alternative of `Variant` once, in index order, so that
// table[v.index()].name is the name of v's alternative.
template <typename Variant, std::size_t N>
constexpr bool names_alternatives_in_order(const AlternativeName (&table)[N]) {
  if (N != std::variant_size_v<Variant>) return false;
  for (std::size_t i = 0; i < N; ++i) {
    if (table[i].index != i) return false;
  }
  return true;
}

}  // namespace investflow::engine
