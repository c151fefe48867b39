// web/headers.hpp: header names compare case-insensitively; a header value's optional
// whitespace is spaces and tabs, never the wider blanks of people's text.

#include "web/headers.hpp"

#include <gtest/gtest.h>

#include <string>

namespace investflow::web {
namespace {

TEST(Headers, TrimOwsRemovesSpacesAndTabsOnly) {
  EXPECT_EQ(trim_ows(" \t\"3\"\t "), "\"3\"");
  EXPECT_EQ(trim_ows("a b"), "a b");
  EXPECT_EQ(trim_ows(" \t "), "");
  EXPECT_EQ(trim_ows(""), "");
  // No-break and ideographic spaces are not HTTP whitespace: they stay part of the value.
  const std::string nbsp = "\u00A0x\u00A0";
  const std::string ideographic = "\u3000x\u3000";
  EXPECT_EQ(trim_ows(nbsp), nbsp);
  EXPECT_EQ(trim_ows(" " + ideographic + "\t"), ideographic);
  // Nor are line breaks (a folded or smuggled header is not trimmed into a valid one).
  EXPECT_EQ(trim_ows("\r\nx"), "\r\nx");
}

TEST(Headers, NamesCompareIgnoringCase) {
  Headers headers;
  headers.add("If-None-Match", "\"abc\"");
  EXPECT_EQ(headers.get("if-none-match"), "\"abc\"");
  EXPECT_TRUE(equals_ignoring_case("Cookie", "COOKIE"));
  EXPECT_FALSE(equals_ignoring_case("Cookie", "Cookies"));
}

}  // namespace
}  // namespace investflow::web
