#include "web/request_target.hpp"

#include <gtest/gtest.h>

namespace investflow::web {
namespace {

TEST(RequestTarget, DecodesPathAndQuery) {
  const auto target =
      parse_request_target("/api/projects/%E9%A1%B9%E7%9B%AE?q=a+b&stage=lead&x=%26");
  ASSERT_TRUE(target.ok()) << target.error();
  EXPECT_EQ(target->path, "/api/projects/项目");
  ASSERT_EQ(target->query.size(), 3u);
  EXPECT_EQ(target->query[0], (std::pair<std::string, std::string>{"q", "a b"}));
  EXPECT_EQ(target->query[1], (std::pair<std::string, std::string>{"stage", "lead"}));
  EXPECT_EQ(target->query[2], (std::pair<std::string, std::string>{"x", "&"}));
}

TEST(RequestTarget, AcceptsAbsoluteForm) {
  const auto target = parse_request_target("http://example.org:8080/healthz?x=1");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->path, "/healthz");
  EXPECT_EQ(parse_request_target("http://example.org")->path, "/");
}

TEST(RequestTarget, KeepsPlusInPathsAndEmptyQueryValues) {
  const auto target = parse_request_target("/a+b?flag&empty=&&=v");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->path, "/a+b");
  ASSERT_EQ(target->query.size(), 3u);
  EXPECT_EQ(target->query[0].first, "flag");
  EXPECT_EQ(target->query[1].second, "");
  EXPECT_EQ(target->query[2].first, "");
}

class TraversalAttempt : public ::testing::TestWithParam<const char*> {};

TEST_P(TraversalAttempt, IsRefused) {
  const auto target = parse_request_target(GetParam());
  EXPECT_FALSE(target.ok()) << GetParam() << " decoded to " << target->path;
}

INSTANTIATE_TEST_SUITE_P(
    PathTraversal, TraversalAttempt,
    ::testing::Values("/../etc/passwd", "/static/../index.html", "/..", "/.", "/./index.html",
                      "/%2e%2e/secret", "/%2E%2E/secret", "/.%2e/secret", "/%2e./secret",
                      "/a/%2e%2e%2fsecret", "/a%2fb", "/a%2F..%2Fb", "/..%5csecret", "/a\\b",
                      "/a%5cb", "/a%00b", "/a%0d%0aX-Injected:1", "/%c0%ae%c0%ae/secret", "/%ff",
                      "/a%2", "/a%zz", "relative/path", "*", "", "/a#frag", "/a?x=%zz", "/a\tb"));

TEST(RequestTarget, NulInsideTheRawTargetIsRefused) {
  EXPECT_FALSE(parse_request_target(std::string_view("/a\0b", 4)).ok());
}

TEST(PercentDecode, HandlesEscapesAndPlus) {
  EXPECT_EQ(percent_decode("a%20b+c", false), "a b+c");
  EXPECT_EQ(percent_decode("a%20b+c", true), "a b c");
  EXPECT_EQ(percent_decode("%41%6a", false), "Aj");
  EXPECT_FALSE(percent_decode("%4", false).has_value());
  EXPECT_FALSE(percent_decode("%", false).has_value());
  EXPECT_FALSE(percent_decode("%g1", false).has_value());
}

TEST(Utf8, RejectsOverlongSurrogatesAndTruncation) {
  EXPECT_TRUE(is_valid_utf8("ascii 项目 🚀"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xae"));          // overlong '.'
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xe9\xa1"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\x80"));
}

}  // namespace
}  // namespace investflow::web
