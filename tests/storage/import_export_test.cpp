#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "storage/csv.hpp"
#include "storage/field_text.hpp"
#include "storage/import_export.hpp"
#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

ImportOptions import_options(bool partial = false) {
  ImportOptions options;
  options.partial = partial;
  options.actor = engine::Actor{"importer", {"staff", "manager"}};
  options.id_prefix = "IMP";
  options.at = kMonday;
  return options;
}

// The report's first problem, for failure messages.
std::string first_problem(const ImportReport& report) {
  if (report.file_error) return report.file_error->zh;
  for (const auto& row : report.rows) {
    for (const auto& problem : row.problems)
      return import_problem_text(row, problem, "zh-CN");
  }
  return {};
}

int count_projects(const std::filesystem::path& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  return db.execAndGet("SELECT count(*) FROM projects").getInt();
}

TEST(Csv, ReadsQuotesLineBreaksCrlfAndAByteOrderMark) {
  std::istringstream in(
      "\xEF\xBB\xBFname,note\r\n\"清远, 华创\",\"say \"\"hi\"\"\nsecond line\"\r\nx,\n");
  CsvReader reader(in);
  auto header = reader.next();
  ASSERT_TRUE(header);
  EXPECT_EQ(*header, (std::vector<std::string>{"name", "note"}));
  auto row = reader.next();
  ASSERT_TRUE(row);
  EXPECT_EQ(reader.line(), 2);
  EXPECT_EQ(*row, (std::vector<std::string>{"清远, 华创", "say \"hi\"\nsecond line"}));
  row = reader.next();
  ASSERT_TRUE(row);
  EXPECT_EQ(reader.line(), 4);
  EXPECT_EQ(*row, (std::vector<std::string>{"x", ""}));
  EXPECT_FALSE(reader.next());

  std::ostringstream out;
  write_csv_record(out, {"清远, 华创", "say \"hi\"", "plain"});
  EXPECT_EQ(out.str(), "\"清远, 华创\",\"say \"\"hi\"\"\",plain\r\n");
}

TEST(FieldText, ReadsWhatPeopleWriteInSpreadsheets) {
  auto workflow = mini_workflow();
  ASSERT_TRUE(workflow);
  const engine::FieldDef& industry = *workflow->find_field("industry");
  EXPECT_EQ(*field_from_text(industry, "电子信息"), engine::Value::text("electronics"));
  EXPECT_EQ(*field_from_text(industry, "electronics"), engine::Value::text("electronics"));
  EXPECT_FALSE(field_from_text(industry, "农业"));
  const engine::FieldDef& money = *workflow->find_field("total_investment");
  EXPECT_EQ(*field_from_text(money, " 12,500.5 "), engine::Value::number(12500.5));
  EXPECT_FALSE(field_from_text(money, "一万"));
  EXPECT_EQ(column_header(money), "计划总投资（万元）");
  EXPECT_EQ(field_for_header(*workflow, "计划总投资（万元）"), &money);
  EXPECT_EQ(field_for_header(*workflow, "计划总投资"), &money);
  EXPECT_EQ(field_for_header(*workflow, "total_investment"), &money);
  const engine::FieldDef& signed_on = *workflow->find_field("signed_on");
  EXPECT_EQ(*field_from_text(signed_on, "2026/3/2"),
            engine::Value::date(*engine::Date::parse("2026-03-02")));
  const engine::FieldDef& priority = *workflow->find_field("priority");
  EXPECT_EQ(*field_from_text(priority, "是"), engine::Value::boolean(true));
  EXPECT_EQ(field_to_text(priority, engine::Value::boolean(false)), "否");
  EXPECT_TRUE(field_from_text(priority, "")->is_null());
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_test_store(path_);
    workflow_ = mini_workflow();
  }
  TempDir dir_;
  std::filesystem::path path_ = dir_.file("import.db");
  std::unique_ptr<Store> store_;
  std::shared_ptr<const engine::Workflow> workflow_;
};

constexpr const char* kCsvWithBadRows =
    "项目名称,投资主体,所属产业,计划总投资（万元）,签约日期\n"
    "新材料产业园,广东华创集团,新材料,\"12,000\",2026-01-05\n"
    "电子元器件项目,深圳鹏芯电子,电子信息,abc,\n"   // line 3: not a number
    "装备制造项目,清远宏达,农业,3000,\n"            // line 4: not an option
    ",无名公司,其他,100,\n"                         // line 5: name is required
    "生物医药项目,珠海康成,其他,-5,\n"              // line 6: below min 0
    "智慧物流中心,东莞汇通,其他,800,2026-02-30\n";  // line 7: no such day

TEST_F(ImportTest, AFileWithBadRowsWritesNothingAndReportsEveryBadRow) {
  ImportReport report = import_projects(*store_, *workflow_, kCsvWithBadRows, import_options());
  EXPECT_FALSE(report.file_error) << report.file_error->zh;
  EXPECT_EQ(report.rows.size(), 6u);
  EXPECT_EQ(report.created, 1);  // would be created: nothing is written
  EXPECT_EQ(report.refused, 5);
  EXPECT_FALSE(report.written);
  std::vector<int> lines;
  for (const auto& row : report.rows) {
    if (row.action != ImportAction::refused) continue;
    lines.push_back(row.row);
    EXPECT_FALSE(row.problems.empty());
  }
  EXPECT_EQ(lines, (std::vector<int>{3, 4, 5, 6, 7}));
  EXPECT_EQ(report.rows[1].problems[0].column.zh, "计划总投资（万元）");
  EXPECT_EQ(count_projects(path_), 0);
}

TEST_F(ImportTest, PartialKeepsTheGoodRows) {
  ImportReport report = import_projects(*store_, *workflow_, kCsvWithBadRows, import_options(true));
  EXPECT_TRUE(report.written);
  EXPECT_EQ(report.created, 1);
  EXPECT_EQ(report.refused, 5);
  auto project = store_->project("IMP-2");  // PREFIX-<row in the file>
  ASSERT_TRUE(project && project->has_value());
  EXPECT_EQ((*project)->field("total_investment"), engine::Value::number(12000));
  EXPECT_EQ((*project)->field("industry"), engine::Value::text("new_materials"));
}

TEST_F(ImportTest, RowsClashingWithStoredProjectsAbortTheWholeImport) {
  ASSERT_TRUE(store_->write(create_request("P-9", "已有项目")).get().accepted());
  ImportReport report = import_projects(
      *store_, *workflow_, "项目编号,项目名称\nP-1,一号\nP-9,九号\nP-2,二号\n", import_options());
  EXPECT_EQ(report.refused, 1);
  EXPECT_FALSE(report.written);
  ASSERT_EQ(report.rows.size(), 3u);
  EXPECT_EQ(report.rows[1].action, ImportAction::refused);
  ASSERT_FALSE(report.rows[1].problems.empty());
  EXPECT_NE(report.rows[1].problems[0].message.zh.find("已存在"), std::string::npos);
  EXPECT_EQ(count_projects(path_), 1);
}

TEST_F(ImportTest, AnUnknownColumnRejectsTheFile) {
  ImportReport report =
      import_projects(*store_, *workflow_, "项目名称,不存在的列\n项目,1\n", import_options());
  ASSERT_TRUE(report.file_error);
  EXPECT_NE(report.file_error->zh.find("不存在的列"), std::string::npos);
  EXPECT_NE(report.file_error->zh.find("--ignore-columns"), std::string::npos);
  EXPECT_EQ(report.unknown_columns, (std::vector<std::string>{"不存在的列"}));
  EXPECT_EQ(count_projects(path_), 0);
}

// Former labels (`aliases:`, `option_aliases:`) are read on import, and a column for a
// computed value (a typed-in field of older files) is left to the workflow to compute.
TEST_F(ImportTest, FormerLabelsAndComputedColumnsOfOlderFiles) {
  constexpr const char* kRenamed = R"yaml(
workflow: renamed
version: 1
calendar: weekends
roles: [staff]
fields:
  name: {type: text, required: true, label: {zh-CN: 项目名称, en: Name}}
  chain_role:
    type: enum
    label: {zh-CN: 产业链定位, en: Chain role}
    aliases: [链条定位]
    options: [build, fill]
    option_labels: {build: {zh-CN: 建链, en: Build}, fill: {zh-CN: 补链, en: Fill}}
    option_aliases: {fill: [补齐链条]}
  investment: {type: money, unit: 万元, label: {zh-CN: 计划总投资, en: Investment}, aliases: [投资总额]}
  land_area: {type: area, unit: 亩, label: {zh-CN: 用地面积, en: Land}}
computed:
  intensity: {expr: "round(investment / land_area, 2)", label: {zh-CN: 投资强度, en: Intensity}}
initial: open
states:
  open:
  closed: {terminal: true}
transitions:
  - {id: close, from: open, to: closed, roles: [staff]}
)yaml";
  auto load = workflows::load_workflow_text(kRenamed, "renamed.yaml", test_calendars());
  ASSERT_TRUE(load.workflow) << (load.diagnostics.empty() ? "" : load.diagnostics[0].to_string());
  ASSERT_TRUE(store_->register_workflow(load.workflow, kRenamed));
  const engine::Workflow& workflow = *load.workflow;
  EXPECT_EQ(field_for_header(workflow, "链条定位"), workflow.find_field("chain_role"));
  EXPECT_EQ(field_for_header(workflow, "投资总额（万元）"), workflow.find_field("investment"));
  EXPECT_EQ(*field_from_text(*workflow.find_field("chain_role"), "补齐链条"),
            engine::Value::text("fill"));
  ImportReport report =
      import_projects(*store_, workflow,
                      "项目名称,链条定位,投资总额（万元）,用地面积（亩）,投资强度（万元/亩）\n"
                      "甲项目,补齐链条,6000,20,300\n",
                      import_options());
  EXPECT_FALSE(report.file_error) << report.file_error->zh;
  EXPECT_TRUE(report.ok());
  ASSERT_EQ(report.created, 1);
  EXPECT_EQ(report.ignored_columns, (std::vector<std::string>{"投资强度（万元/亩）"}));
  auto project = store_->project("IMP-2");
  ASSERT_TRUE(project && project->has_value());
  EXPECT_EQ((*project)->field("chain_role"), engine::Value::text("fill"));
  EXPECT_EQ((*project)->field("investment"), engine::Value::number(6000));
  EXPECT_TRUE((*project)->field("intensity").is_null());  // never stored: it is computed
}

TEST_F(ImportTest, ExportedCsvImportsBackToTheSameFields) {
  for (int i = 0; i < 30; ++i) {
    engine::FieldMap fields = {
        {"investor", engine::Value::text("投资方, \"引号\" " + std::to_string(i))},
        {"industry", engine::Value::text(i % 2 ? "electronics" : "new_materials")},
        {"total_investment", engine::Value::number(1234.5 + i)},
        {"land_area", engine::Value::number(0.125 * i)},
        {"priority", engine::Value::boolean(i % 3 == 0)}};
    if (i % 4 == 0) fields["signed_on"] = engine::Value::date(engine::Date(20500 + i));
    ASSERT_TRUE(store_
                    ->write(create_request("E-" + std::to_string(i), "导出项目" + std::to_string(i),
                                           fields))
                    .get()
                    .accepted());
  }
  const auto csv_path = dir_.file("export.csv");
  std::int64_t last = 0;
  auto written = export_projects(*store_, *workflow_, ExportFormat::csv, csv_path,
                                 [&](std::int64_t done, std::int64_t) { last = done; });
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(*written, 30);
  EXPECT_EQ(last, 30);

  auto other = open_test_store(dir_.file("other.db"));
  std::ifstream csv(csv_path, std::ios::binary);
  std::ostringstream bytes;
  bytes << csv.rdbuf();
  ImportReport report = import_projects(*other, *workflow_, bytes.str(), import_options());
  ASSERT_TRUE(report.ok()) << first_problem(report);
  EXPECT_EQ(report.created, 30);
  for (int i = 0; i < 30; ++i) {
    const std::string id = "E-" + std::to_string(i);
    auto original = store_->project(id);
    auto copy = other->project(id);
    ASSERT_TRUE(original && original->has_value() && copy && copy->has_value()) << id;
    EXPECT_EQ((*copy)->fields, (*original)->fields) << id;
    EXPECT_EQ((*copy)->owner, (*original)->owner) << id;
  }
}

// OWASP's CSV injection: a text cell a spreadsheet would run as a formula or a command is
// written with a leading ', numbers are not touched, NUL is never written; import reads
// the cell back as it was.
TEST(Csv, TextCellsAreWrittenSoThatSpreadsheetsDoNotRunThem) {
  for (const char* text : {"=HYPERLINK(\"http://x\",\"y\")", "=cmd|' /C calc'!A0", "+1+2", "-2+3",
                           "@SUM(A1)", "\tx", "\rx"}) {
    EXPECT_EQ(spreadsheet_text(text), "'" + std::string(text)) << text;
    EXPECT_EQ(from_spreadsheet_text(spreadsheet_text(text)), text);
  }
  for (const char* text : {"清远新材料项目", "A=B", "", "'quoted", "1,200"}) {
    EXPECT_EQ(spreadsheet_text(text), text);
    EXPECT_EQ(from_spreadsheet_text(text), text);
  }
  EXPECT_EQ(spreadsheet_text(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(spreadsheet_text(std::string("\0=x", 3)), "'=x");
}

TEST_F(ImportTest, ExportedCsvCarriesNoFormulaAndImportsBackTheSameNames) {
  const std::vector<std::string> names = {"=HYPERLINK(\"http://evil\",\"点此\")",
                                          "=cmd|' /C calc'!A0", "+项目", "-项目", "@项目"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    ASSERT_TRUE(store_
                    ->write(create_request("F-" + std::to_string(i), names[i],
                                           {{"total_investment", engine::Value::number(5.5)}}))
                    .get()
                    .accepted());
  }
  std::ostringstream out;
  auto written = export_projects_csv(*store_, *workflow_, out);
  ASSERT_TRUE(written) << written.error().message;
  // Read as a spreadsheet would: no cell starts with a formula character unless quoted
  // with ' (the amounts are numbers and stay as they are).
  std::istringstream in(out.str());
  CsvReader reader(in);
  ASSERT_TRUE(reader.next());
  int rows = 0;
  while (auto row = reader.next()) {
    ++rows;
    for (const std::string& cell : *row) {
      EXPECT_TRUE(cell.empty() ||
                  std::string_view("=+-@\t\r").find(cell.front()) == std::string_view::npos)
          << cell;
    }
  }
  EXPECT_EQ(rows, static_cast<int>(names.size()));
  auto other = open_test_store(dir_.file("other.db"));
  ImportReport report = import_projects(*other, *workflow_, out.str(), import_options());
  ASSERT_TRUE(report.ok()) << first_problem(report);
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto copy = other->project("F-" + std::to_string(i));
    ASSERT_TRUE(copy && copy->has_value());
    EXPECT_EQ((*copy)->field("name"), engine::Value::text(names[i]));
  }
}

// One date format for people in every sheet: a date field as YYYY-MM-DD, created and
// updated times as YYYY-MM-DD HH:MM:SS in China Standard Time.
TEST_F(ImportTest, ExportedDatesAndTimesReadAsPeopleWriteThem) {
  ASSERT_TRUE(store_
                  ->write(create_request(
                      "D-1", "日期项目",
                      {{"signed_on", engine::Value::date(*engine::Date::parse("2026-03-05"))}}))
                  .get()
                  .accepted());
  std::ostringstream csv;
  auto written = export_projects_csv(*store_, *workflow_, csv);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_NE(csv.str().find(",2026-03-05,2026-03-02 09:00:00,2026-03-02 09:00:00\r\n"),
            std::string::npos)
      << csv.str();
}

TEST_F(ImportTest, ExportsXlsx) {
  ASSERT_TRUE(store_
                  ->write(create_request("X-1", "表格项目",
                                         {{"total_investment", engine::Value::number(64300)}}))
                  .get()
                  .accepted());
  const auto xlsx_path = dir_.file("export.xlsx");
  auto written = export_projects(*store_, *workflow_, ExportFormat::xlsx, xlsx_path);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(*written, 1);
  std::ifstream file(xlsx_path, std::ios::binary);
  char magic[2] = {};
  file.read(magic, 2);
  EXPECT_EQ(std::string(magic, 2), "PK");  // a zip container, as XLSX is
  EXPECT_GT(std::filesystem::file_size(xlsx_path), 1000u);
}

}  // namespace
}  // namespace investflow::storage
