// engine/names.hpp: one {value, name} table gives both directions.

#include "engine/names.hpp"

#include <gtest/gtest.h>

namespace investflow::engine {
namespace {

enum class Colour { red, green, blue };
constexpr EnumName<Colour> kColourNames[] = {
    {Colour::red, "red"},
    {Colour::green, "green"},
};

TEST(EnumNames, ReadsOneTableBothWays) {
  for (const EnumName<Colour>& entry : kColourNames) {
    EXPECT_EQ(name_in(kColourNames, entry.value), entry.name);
    EXPECT_EQ(value_named(kColourNames, entry.name), entry.value);
  }
  static_assert(name_in(kColourNames, Colour::green) == "green");
  static_assert(value_named(kColourNames, "red") == Colour::red);
}

TEST(EnumNames, WhatTheTableLacksHasNoNameAndNoValue) {
  EXPECT_EQ(name_in(kColourNames, Colour::blue), "");
  EXPECT_EQ(value_named(kColourNames, "blue"), std::nullopt);
  EXPECT_EQ(value_named(kColourNames, "Red"), std::nullopt);  // names are exact
  EXPECT_EQ(value_named(kColourNames, ""), std::nullopt);
}

}  // namespace
}  // namespace investflow::engine
