// The console embedded at build time: every file of web/console/public, byte for byte,
// with the ETag the build computed, plus the vendored chart library.
#include "web/console_assets.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace investflow::web {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

Request get(std::string path, std::optional<std::string> if_none_match = std::nullopt) {
  Request request;
  request.method = "GET";
  request.path = std::move(path);
  if (if_none_match) request.headers.add("If-None-Match", *if_none_match);
  return request;
}

TEST(ConsoleAssets, EmbedsEveryPublicFileByteForByte) {
  const StaticFiles files = embedded_console();
  const fs::path root = fs::path(INVESTFLOW_SOURCE_DIR) / "web" / "console" / "public";
  int count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string url = "/" + fs::relative(entry.path(), root).generic_string();
    const StaticFile* file = files.find(url);
    ASSERT_NE(file, nullptr) << url;
    EXPECT_EQ(file->body, read_file(entry.path())) << url;
    EXPECT_EQ(file->content_type, content_type_for(url)) << url;
    ++count;
  }
  EXPECT_GT(count, 10);
  EXPECT_NE(files.find("/"), nullptr);
  EXPECT_NE(files.find("/js/main.js"), nullptr);
}

TEST(ConsoleAssets, ServesWithBuildTimeEtags) {
  const StaticFiles files = embedded_console();
  const auto page = files.serve(get("/"));
  ASSERT_EQ(page.status, 200);
  const auto etag = page.headers.get("ETag");
  ASSERT_TRUE(etag);
  // Quoted 16 hex digits (a SHA-256 prefix computed by the build).
  EXPECT_EQ(etag->size(), 18u);
  EXPECT_EQ(etag->front(), '"');
  EXPECT_EQ(files.serve(get("/index.html", std::string(*etag))).status, 304);
  EXPECT_NE(files.find("/css/app.css")->etag, files.find("/index.html")->etag);
}

TEST(ConsoleAssets, VendorsTheChartLibraryWhenNpmRan) {
  const StaticFiles files = embedded_console();
  const fs::path echarts =
      fs::path(INVESTFLOW_SOURCE_DIR) / "web/console/node_modules/echarts/dist/echarts.esm.min.js";
  if (!fs::exists(echarts)) GTEST_SKIP() << "npm ci has not run: the console has no charts";
  const StaticFile* file = files.find("/vendor/echarts.esm.min.js");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->body.size(), fs::file_size(echarts));
  EXPECT_EQ(file->content_type, "text/javascript; charset=utf-8");
}

}  // namespace
}  // namespace investflow::web
