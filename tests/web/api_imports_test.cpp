// POST /api/workflows/{id}/imports: the preview (dry run), the import, a re-import with a
// key, messages in the request's language, and the refusals (role, media type, unknown
// columns). Every response is checked against the OpenAPI contract (api_test_support.hpp).

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/web/api_test_support.hpp"
#include "web/api_imports.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;

std::string percent_encoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

class ImportsApi : public ApiTest {
 protected:
  ClientResponse upload(const std::string& user, const std::string& query, std::string body,
                        std::string content_type = "text/csv", std::string lang = "zh-CN") {
    auto response =
        fetch(port(), "POST", "/api/workflows/qingyuan-investment/imports" + query, std::move(body),
              {{"Authorization", "Bearer " + tokens_.at(user)},
               {"Content-Type", std::move(content_type)},
               {"Accept-Language", std::move(lang)}});
    EXPECT_TRUE(response);
    return response.value_or(ClientResponse{});
  }
};

constexpr const char* kFile =
    "序号,项目编号,项目名称,计划总投资（万元）,所属产业,负责人\n"
    "1,Q-1,新材料产业园,\"12,000\",新材料,zhang\n"
    "2,Q-2,电子项目,很多,高端电子信息制造,zhang\n"
    "3,Q-3,装备项目,800,其他,nobody-xyz\n";

TEST_F(ImportsApi, APreviewListsEveryRowsActionProblemsAndValuesAndWritesNothing) {
  const auto response = upload("zhang", "", kFile);  // dry_run defaults to true
  ASSERT_EQ(response.status, 200) << response.body;
  const json::object body = parse(response);
  EXPECT_TRUE(body.at("dry_run").as_bool());
  EXPECT_FALSE(body.at("written").as_bool());
  const json::object& summary = body.at("summary").as_object();
  EXPECT_EQ(summary.at("rows").as_int64(), 3);
  EXPECT_EQ(summary.at("created").as_int64(), 1);
  EXPECT_EQ(summary.at("refused").as_int64(), 2);
  EXPECT_EQ(body.at("ignored_columns").as_array(), json::array{"序号"});
  const json::array& rows = body.at("rows").as_array();
  ASSERT_EQ(rows.size(), 3u);
  const json::object& first = rows[0].as_object();
  EXPECT_EQ(first.at("row").as_int64(), 2);
  EXPECT_EQ(first.at("action").as_string(), "create");
  EXPECT_EQ(first.at("project_id").as_string(), "Q-1");
  bool converted = false;
  for (const auto& value : first.at("values").as_array()) {
    converted = converted || (value.at("column").as_string() == "计划总投资（万元）" &&
                              value.at("value").as_string() == "12000 万元");
  }
  EXPECT_TRUE(converted) << json::serialize(first);
  const json::object& second = rows[1].as_object();
  EXPECT_EQ(second.at("action").as_string(), "refused");
  const json::object& problem = second.at("problems").as_array().at(0).as_object();
  EXPECT_EQ(problem.at("column").as_string(), "计划总投资（万元）");
  const std::string chinese(problem.at("message").as_string());
  EXPECT_FALSE(chinese.empty());
  const json::object& third_problem =
      rows[2].as_object().at("problems").as_array().at(0).as_object();
  EXPECT_EQ(third_problem.at("column").as_string(), "负责人");
  auto stored = store_->project("Q-1");
  ASSERT_TRUE(stored);
  EXPECT_FALSE(*stored);

  // In English when the request asks for it.
  const auto english = upload("zhang", "", kFile, "text/csv", "en");
  ASSERT_EQ(english.status, 200);
  const json::object english_body = parse(english);
  const json::object& english_problem =
      english_body.at("rows").as_array()[1].at("problems").as_array()[0].as_object();
  EXPECT_EQ(english_problem.at("column").as_string(), "Total investment (万元)");
  EXPECT_NE(std::string(english_problem.at("message").as_string()), chinese);
  EXPECT_EQ(english_body.at("message").as_string(),
            "created 1, updated 0, unchanged 0, refused 2 (dry run: nothing written)");
}

TEST_F(ImportsApi, ImportsAndReimportsWithAKeyThroughTheEngine) {
  const std::string file =
      "项目编号,项目名称,计划总投资,所属产业\nQ-1,新材料产业园,12000,新材料\nQ-2,电子项目,800,"
      "其他\n";
  auto first = upload("zhang", "?dry_run=false", file);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_TRUE(parse(first).at("written").as_bool());
  EXPECT_EQ(parse(first).at("summary").at("created").as_int64(), 2);

  const std::string changed =
      "项目编号,项目名称,计划总投资,所属产业\nQ-1,新材料产业园,15000,新材料\nQ-2,电子项目,800,"
      "其他\n"
      "Q-3,新项目,100,其他\n";
  auto again = upload("zhang", "?dry_run=false&key=" + percent_encoded("项目编号"), changed);
  ASSERT_EQ(again.status, 200) << again.body;
  const json::object body = parse(again);
  EXPECT_EQ(body.at("key").as_string(), "项目编号");
  EXPECT_EQ(body.at("summary").at("created").as_int64(), 1);
  EXPECT_EQ(body.at("summary").at("updated").as_int64(), 1);
  EXPECT_EQ(body.at("summary").at("unchanged").as_int64(), 1);
  EXPECT_EQ(body.at("summary").at("refused").as_int64(), 0);
  EXPECT_EQ(body.at("rows").as_array()[0].at("action").as_string(), "update");
  auto history = call_as("zhang", "GET", "/api/projects/Q-1/history");
  ASSERT_EQ(history.status, 200);
  const json::object history_body = parse(history);
  const json::array& events = history_body.at("events").as_array();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].at("actor").as_string(), "zhang");
  EXPECT_EQ(events[1].at("version").as_int64(), 2);
}

TEST_F(ImportsApi, RefusesWhatItCannotUseWithAChineseDetail) {
  // Unknown columns: 422 listing them, with the hint.
  auto unknown = upload("zhang", "", "项目名称,联系人电话\n甲,1\n");
  ASSERT_EQ(unknown.status, 422) << unknown.body;
  const json::object problem = parse(unknown);
  EXPECT_EQ(problem.at("code").as_string(), "import_unknown_columns");
  EXPECT_NE(std::string(problem.at("detail").as_string()).find("“联系人电话”"), std::string::npos);
  EXPECT_EQ(problem.at("errors").as_array()[0].at("field").as_string(), "联系人电话");
  auto ignored = upload("zhang", "?ignore_columns=" + percent_encoded("联系人电话"),
                        "项目名称,联系人电话\n甲,1\n");
  EXPECT_EQ(ignored.status, 200) << ignored.body;

  auto auditor = upload("audit", "", kFile);
  EXPECT_EQ(auditor.status, 403);
  EXPECT_NE(std::string(parse(auditor).at("detail").as_string()).find("角色"), std::string::npos);

  auto json_body = upload("zhang", "", "{}", "application/json");
  EXPECT_EQ(json_body.status, 415);
  auto empty = upload("zhang", "", "");
  EXPECT_EQ(empty.status, 400);
  auto bad_flag = upload("zhang", "?dry_run=maybe", kFile);
  EXPECT_EQ(bad_flag.status, 400);
  auto key = upload("zhang", "?key=nothing", kFile);
  EXPECT_EQ(key.status, 422);

  auto missing =
      fetch(port(), "POST", "/api/workflows/no-such/imports", kFile,
            {{"Authorization", "Bearer " + tokens_.at("zhang")}, {"Content-Type", "text/csv"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("没有流程"), std::string::npos);
}

TEST_F(ImportsApi, AFileMayBeLargerThanTheServersLimitForOtherBodies) {
  // Over the server's 1 MiB, read in full here and judged as a file: a cell this long is
  // refused by the reader (422), not by the transport (413).
  const std::string big =
      std::string("项目名称,投资主体\n新材料产业园,") + std::string(1200 * 1024, 'x') + "\n";
  const auto read = upload("zhang", "", big);
  EXPECT_EQ(read.status, 422) << read.body;
  EXPECT_EQ(parse(read).at("code").as_string(), "import_file_invalid");
  static_assert(api::kImportBodyLimit > 1024 * 1024);
}

}  // namespace
}  // namespace investflow::web::testing
