#include "web/static_files.hpp"

#include <gtest/gtest.h>

namespace investflow::web {
namespace {

Request get(std::string path, std::optional<std::string> if_none_match = std::nullopt) {
  Request request;
  request.method = "GET";
  request.path = std::move(path);
  if (if_none_match) request.headers.add("If-None-Match", *if_none_match);
  return request;
}

TEST(StaticFiles, ServesBytesWithTypeAndEtag) {
  StaticFiles files;
  files.add("/index.html", "<!doctype html><title>investflow</title>");
  files.add("/app.js", "console.log(1)");
  files.add("/data.bin", "\x01\x02", "application/x-custom");
  const auto page = files.serve(get("/"));
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<!doctype html><title>investflow</title>");
  EXPECT_EQ(page.headers.get("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.headers.get("ETag"), entity_tag(page.body));
  EXPECT_EQ(files.serve(get("/app.js")).headers.get("Content-Type"),
            "text/javascript; charset=utf-8");
  EXPECT_EQ(files.serve(get("/data.bin")).headers.get("Content-Type"), "application/x-custom");
}

TEST(StaticFiles, EtagFollowsTheBytes) {
  EXPECT_EQ(entity_tag("abc"), entity_tag("abc"));
  EXPECT_NE(entity_tag("abc"), entity_tag("abd"));
  EXPECT_EQ(entity_tag("abc").front(), '"');
  EXPECT_EQ(entity_tag("abc").back(), '"');
}

TEST(StaticFiles, IfNoneMatchGivesNotModified) {
  StaticFiles files;
  files.add("/app.css", "body{}");
  const auto etag = files.find("/app.css")->etag;
  const auto cached = files.serve(get("/app.css", etag));
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.body.empty());
  EXPECT_EQ(cached.headers.get("ETag"), etag);
  EXPECT_EQ(files.serve(get("/app.css", "\"other\", W/" + etag)).status, 304);
  EXPECT_EQ(files.serve(get("/app.css", "*")).status, 304);
  EXPECT_EQ(files.serve(get("/app.css", "\"stale\"")).status, 200);
}

TEST(StaticFiles, UnknownPathIsAProblem404) {
  StaticFiles files;
  files.add("/index.html", "x");
  const auto missing = files.serve(get("/secret.txt"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers.get("Content-Type"), "application/problem+json");
  EXPECT_EQ(files.find("/index.htm"), nullptr);
  EXPECT_EQ(files.find("index.html"), nullptr);
}

TEST(IfNoneMatch, ParsesLists) {
  EXPECT_TRUE(if_none_match_hits("\"a\"", "\"a\""));
  EXPECT_TRUE(if_none_match_hits(" \"b\" ,\t\"a\"", "\"a\""));
  EXPECT_TRUE(if_none_match_hits("W/\"a\"", "\"a\""));
  EXPECT_FALSE(if_none_match_hits("\"ab\"", "\"a\""));
  EXPECT_FALSE(if_none_match_hits("", "\"a\""));
}

}  // namespace
}  // namespace investflow::web
