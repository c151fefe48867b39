// The import pipeline's rules (issue 18, item 1): headers matched to fields (ids, labels,
// units, former labels), columns left out, owners checked against the users, messages with
// the row and the column's label in both languages, dry runs, and re-imports with a key that
// update through the engine.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "storage/import_export.hpp"
#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

std::vector<User> zone_users() {
  return {User{"zhang", "张伟", {"staff"}, false}, User{"li", "李娜", {"staff"}, false},
          User{"gone", "王强", {"staff"}, true}};
}

class ImportPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_test_store(path_);
    workflow_ = mini_workflow();
    options_.actor = engine::Actor{"importer", {"staff", "manager"}};
    options_.id_prefix = "IMP";
    options_.at = kMonday;
    options_.users = zone_users();
  }
  ImportReport run(std::string_view file) {
    return import_projects(*store_, *workflow_, file, options_);
  }
  int count_projects() {
    SQLite::Database db(path_, SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT count(*) FROM projects").getInt();
  }
  engine::Value field(const std::string& id, const std::string& name) {
    auto project = store_->project(id);
    if (!project || !*project) return engine::Value::text("<no project " + id + ">");
    return (*project)->field(name);
  }
  std::string problems(const ImportReport& report, std::string_view lang = "zh-CN") {
    std::string all;
    if (report.file_error) all += report.file_error->in(lang) + "\n";
    for (const auto& row : report.rows) {
      for (const auto& problem : row.problems)
        all += import_problem_text(row, problem, lang) + "\n";
    }
    return all;
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_.file("import.db");
  std::unique_ptr<Store> store_;
  std::shared_ptr<const engine::Workflow> workflow_;
  ImportOptions options_;
};

// --- columns ------------------------------------------------------------------------------

TEST_F(ImportPipeline, HeadersMatchByIdLabelAndLabelWithTheUnitInEitherBrackets) {
  const ImportReport report =
      run("name,所属产业,计划总投资(万元),用地面积 （亩）,Signed on\n"
          "甲项目,新材料,1200,30,2026-03-02\n");
  ASSERT_TRUE(report.ok()) << problems(report);
  EXPECT_EQ(report.created, 1);
  EXPECT_EQ(field("IMP-2", "name"), engine::Value::text("甲项目"));
  EXPECT_EQ(field("IMP-2", "industry"), engine::Value::text("new_materials"));
  EXPECT_EQ(field("IMP-2", "total_investment"), engine::Value::number(1200));
  EXPECT_EQ(field("IMP-2", "land_area"), engine::Value::number(30));
  EXPECT_EQ(field("IMP-2", "signed_on"), engine::Value::date(*engine::Date::parse("2026-03-02")));

  options_.dry_run = true;
  for (const char* header : {"计划总投资", "计划总投资（万元）", "total_investment"}) {
    const ImportReport again = run(std::string("项目名称,") + header + "\n乙,5\n");
    EXPECT_TRUE(again.ok()) << header << ": " << problems(again);
  }
}

TEST_F(ImportPipeline, BlanksAroundHeadersAndCellsAreTrimmed) {
  // A no-break space (what spreadsheets paste) and an ideographic space (Chinese input).
  const ImportReport report =
      run("\xC2\xA0项目名称\xE3\x80\x80,所属产业\xC2\xA0\n\xE3\x80\x80丙项目\xC2\xA0,"
          "电子信息\xC2\xA0\n");
  ASSERT_TRUE(report.ok()) << problems(report);
  EXPECT_EQ(field("IMP-2", "name"), engine::Value::text("丙项目"));
  EXPECT_EQ(field("IMP-2", "industry"), engine::Value::text("electronics"));
}

TEST_F(ImportPipeline, SerialNumbersEmptyHeadersAndIgnoredColumnsAreLeftOut) {
  options_.ignore_columns = {"备注", "联系人"};
  const ImportReport report =
      run("序号,项目名称,备注,,联系人,,\n"
          "1,丁项目,随便写写,表头为空的列,赵六,,\n"
          "2,戊项目,,,,,\n");
  ASSERT_TRUE(report.ok()) << problems(report);
  EXPECT_EQ(report.created, 2);
  EXPECT_EQ(report.ignored_columns, (std::vector<std::string>{"序号", "备注", "联系人"}));
  EXPECT_TRUE(report.unknown_columns.empty());
  EXPECT_EQ(field("IMP-2", "name"), engine::Value::text("丁项目"));
}

TEST_F(ImportPipeline, UnknownColumnsRefuseTheFileAndAreListed) {
  const ImportReport report = run("项目名称,计划总投姿,联系人\n甲,1,2\n");
  ASSERT_TRUE(report.file_error);
  EXPECT_EQ(report.unknown_columns, (std::vector<std::string>{"计划总投姿", "联系人"}));
  EXPECT_NE(report.file_error->zh.find("“计划总投姿”、“联系人”"), std::string::npos)
      << report.file_error->zh;
  EXPECT_NE(report.file_error->zh.find("--ignore-columns"), std::string::npos);
  EXPECT_NE(report.file_error->en.find("--ignore-columns"), std::string::npos);
  EXPECT_EQ(count_projects(), 0);
}

TEST_F(ImportPipeline, TwoColumnsForOneFieldRefuseTheFile) {
  const ImportReport report = run("项目名称,name\n甲,乙\n");
  ASSERT_TRUE(report.file_error);
  EXPECT_NE(report.file_error->zh.find("同一字段"), std::string::npos) << report.file_error->zh;
}

TEST_F(ImportPipeline, AnEmptyFileOrAnotherEncodingIsAFileError) {
  EXPECT_TRUE(run("").file_error);
  EXPECT_TRUE(run("\n,,\n").file_error);
}

// --- owners -------------------------------------------------------------------------------

TEST_F(ImportPipeline, OwnersMustBeExistingUsersByLoginOrName) {
  const ImportReport report =
      run("项目名称,负责人\n"
          "甲,zhang\n"
          "乙,李娜\n"
          "丙,nobody-xyz\n"
          "丁,王强\n");
  EXPECT_EQ(report.created, 2);
  EXPECT_EQ(report.refused, 2);
  EXPECT_EQ(count_projects(), 0);  // all or nothing
  ASSERT_EQ(report.rows.size(), 4u);
  EXPECT_EQ(report.rows[2].problems.at(0).column.zh, "负责人");
  EXPECT_NE(report.rows[2].problems.at(0).message.zh.find("nobody-xyz"), std::string::npos);
  EXPECT_NE(report.rows[3].problems.at(0).message.zh.find("停用"), std::string::npos);

  options_.partial = true;
  const ImportReport partial = run("项目名称,负责人\n甲,zhang\n乙,李娜\n丙,nobody-xyz\n");
  EXPECT_EQ(partial.created, 2);
  auto project = store_->project("IMP-3");
  ASSERT_TRUE(project && *project);
  EXPECT_EQ((*project)->owner, "li");  // the display name names the user; the login is stored
}

// --- messages -----------------------------------------------------------------------------

TEST_F(ImportPipeline, MessagesNameTheRowAndTheColumnsLabelInChineseOrEnglish) {
  const ImportReport report =
      run("项目名称,total_investment,所属产业\n"
          "甲,很多,新材料\n"
          ",5,农业\n");
  ASSERT_EQ(report.refused, 2);
  const std::string zh = problems(report);
  // The column by its label (the header said total_investment), never a field id.
  // (The value's own wording is import_values' and field_text's; the options list is ours.)
  EXPECT_NE(zh.find("第 2 行，计划总投资（万元）："), std::string::npos) << zh;
  EXPECT_NE(zh.find("第 3 行，所属产业："), std::string::npos) << zh;
  EXPECT_NE(zh.find("（可选：新材料、电子信息、其他）"), std::string::npos) << zh;
  EXPECT_NE(zh.find("第 3 行，项目名称：请填写“项目名称”"), std::string::npos) << zh;
  EXPECT_EQ(zh.find("total_investment"), std::string::npos) << zh;
  EXPECT_EQ(zh.find("industry"), std::string::npos) << zh;

  const std::string en = problems(report, "en");
  EXPECT_NE(en.find("row 2, Total investment (万元): "), std::string::npos) << en;
  EXPECT_NE(en.find("row 3, Industry: "), std::string::npos) << en;
  EXPECT_NE(en.find("row 3, Name: 'Name' is required"), std::string::npos) << en;

  EXPECT_EQ(import_summary_text(report, false, false, "zh-CN"),
            "新建 0，更新 0，未变 0，拒绝 2；未写入任何数据（请修改被拒绝的行，或用 --partial "
            "只导入无误的行）");
  EXPECT_EQ(import_summary_text(report, false, false, "en"),
            "created 0, updated 0, unchanged 0, refused 2; nothing written (fix the refused rows, "
            "or use --partial)");
}

TEST_F(ImportPipeline, ValuesAreReportedAsConverted) {
  const ImportReport report =
      run("项目名称,计划总投资,所属产业,重点项目\n甲,\"12,000\",electronics,是\n");
  ASSERT_TRUE(report.ok()) << problems(report);
  ASSERT_EQ(report.rows.size(), 1u);
  std::vector<std::string> values;
  for (const auto& value : report.rows[0].values)
    values.push_back(value.column.zh + "=" + value.text);
  EXPECT_EQ(values, (std::vector<std::string>{"项目名称=甲", "计划总投资（万元）=12000 万元",
                                              "所属产业=电子信息", "重点项目=是"}));
}

// --- dry run ------------------------------------------------------------------------------

TEST_F(ImportPipeline, ADryRunWritesNothingAndReportsWhatARunWould) {
  options_.dry_run = true;
  const ImportReport dry = run("项目名称,计划总投资\n甲,100\n乙,abc\n");
  EXPECT_FALSE(dry.written);
  EXPECT_EQ(count_projects(), 0);
  options_.dry_run = false;
  options_.partial = true;
  const ImportReport real = run("项目名称,计划总投资\n甲,100\n乙,abc\n");
  EXPECT_TRUE(real.written);
  EXPECT_EQ(count_projects(), 1);
  ASSERT_EQ(dry.rows.size(), real.rows.size());
  for (std::size_t i = 0; i < dry.rows.size(); ++i) {
    EXPECT_EQ(dry.rows[i].action, real.rows[i].action);
    EXPECT_EQ(dry.rows[i].project_id, real.rows[i].project_id);
    EXPECT_EQ(dry.rows[i].problems.size(), real.rows[i].problems.size());
  }
  EXPECT_EQ(dry.created, 1);
  EXPECT_EQ(dry.refused, 1);
  EXPECT_EQ(import_summary_text(dry, true, false, "zh-CN"),
            "新建 1，更新 0，未变 0，拒绝 1（试运行，未写入任何数据）");
}

// --- re-import with a key -----------------------------------------------------------------

// A bulk operation: every event an import appends carries the run's batch id, so that chat
// robots send one digest for the whole import instead of a post per project.
TEST_F(ImportPipeline, EveryEventOfAnImportCarriesItsBatch) {
  const ImportReport first = run("项目编号,项目名称\nP-1,一号\nP-2,二号\nP-3,三号\n");
  ASSERT_TRUE(first.ok()) << problems(first);
  options_.key = "id";
  const ImportReport second = run("项目编号,项目名称\nP-1,一号改\nP-2,二号\n");
  ASSERT_TRUE(second.ok()) << problems(second);
  EXPECT_NE(first.batch, second.batch);
  EXPECT_EQ(first.batch.rfind("import:mini:", 0), 0u) << first.batch;
  SQLite::Database db(path_, SQLite::OPEN_READONLY);
  SQLite::Statement count(db, "SELECT count(*) FROM event_batches WHERE batch = ?");
  count.bind(1, first.batch);
  ASSERT_TRUE(count.executeStep());
  EXPECT_EQ(count.getColumn(0).getInt(), 3);  // three created
  count.reset();
  count.bind(1, second.batch);
  ASSERT_TRUE(count.executeStep());
  EXPECT_EQ(count.getColumn(0).getInt(), 1);  // one updated, one unchanged (nothing written)
}

TEST_F(ImportPipeline, ReimportingWithTheIdKeyUpdatesThroughTheEngine) {
  ASSERT_TRUE(run("项目编号,项目名称,计划总投资\nP-1,一号,100\nP-2,二号,200\n").ok());
  ASSERT_EQ(count_projects(), 2);
  options_.key = "项目编号";
  const ImportReport report =
      run("项目编号,项目名称,计划总投资\n"
          "P-1,一号,150\n"    // changed: updated
          "P-2,二号,200\n"    // as stored: unchanged
          "P-3,三号,300\n"    // new: created
          "P-4,四号,abc\n");  // refused
  EXPECT_EQ(report.created, 1);
  EXPECT_EQ(report.updated, 1);
  EXPECT_EQ(report.unchanged, 1);
  EXPECT_EQ(report.refused, 1);
  EXPECT_FALSE(report.written);
  EXPECT_EQ(report.key_column.zh, "项目编号");
  EXPECT_EQ(field("P-1", "total_investment"), engine::Value::number(100));  // all or nothing

  options_.partial = true;
  const ImportReport partial =
      run("项目编号,项目名称,计划总投资\nP-1,一号,150\nP-2,二号,200\nP-3,三号,300\nP-4,四号,abc\n");
  EXPECT_TRUE(partial.written);
  EXPECT_EQ(partial.rows[0].action, ImportAction::update);
  EXPECT_EQ(partial.rows[0].project_id, "P-1");
  EXPECT_EQ(partial.rows[1].action, ImportAction::unchanged);
  EXPECT_EQ(count_projects(), 3);
  EXPECT_EQ(field("P-1", "total_investment"), engine::Value::number(150));
  // An edit in the project's history, by the importer, version 2.
  auto history = store_->history("P-1");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  const engine::Event& edit = history->back().event;
  EXPECT_EQ(edit.version, 2);
  EXPECT_EQ(edit.actor, "importer");
  const auto* edited = std::get_if<engine::FieldsEdited>(&edit.body);
  ASSERT_NE(edited, nullptr);
  ASSERT_EQ(edited->changes.size(), 1u);
  EXPECT_EQ(edited->changes[0].field, "total_investment");

  // The same file again: nothing changes, no new events.
  const ImportReport again = run("项目编号,项目名称,计划总投资\nP-1,一号,150\nP-3,三号,300\n");
  EXPECT_EQ(again.unchanged, 2);
  EXPECT_EQ(again.created + again.updated + again.refused, 0);
  EXPECT_EQ(store_->history("P-1")->size(), 2u);
}

TEST_F(ImportPipeline, AFieldKeyFindsTheProjectByItsValue) {
  ASSERT_TRUE(run("项目编号,项目名称,投资主体\nP-1,一号,华创\nP-2,二号,鹏芯\n").ok());
  options_.key = "项目名称";
  const ImportReport report =
      run("项目名称,投资主体\n一号,华创集团\n二号,鹏芯\n五号,新公司\n五号,重复行\n");
  EXPECT_EQ(report.updated, 1);
  EXPECT_EQ(report.unchanged, 1);
  EXPECT_EQ(report.created, 1);
  EXPECT_EQ(report.refused, 1);
  ASSERT_EQ(report.rows.size(), 4u);
  EXPECT_EQ(report.rows[0].project_id, "P-1");
  EXPECT_NE(problems(report).find("第 5 行，项目名称：与第 4 行重复"), std::string::npos)
      << problems(report);

  // By the field's id too; two stored projects with one key value cannot be told apart.
  options_.key = "name";
  options_.partial = true;
  ASSERT_TRUE(store_->write(create_request("P-9", "一号")).get().accepted());
  const ImportReport ambiguous = run("项目名称,投资主体\n一号,某某\n");
  EXPECT_EQ(ambiguous.refused, 1);
  EXPECT_NE(problems(ambiguous).find("有 2 个项目"), std::string::npos) << problems(ambiguous);
}

TEST_F(ImportPipeline, AKeyUpdateKeepsOwnerAndRespectsTheEnginesRules) {
  options_.partial = true;
  ASSERT_TRUE(run("项目编号,项目名称,负责人\nP-1,一号,zhang\n").ok());
  options_.key = "id";
  const ImportReport report = run("项目编号,项目名称,负责人,计划总投资\nP-1,一号,li,-5\n");
  ASSERT_EQ(report.refused, 1);
  const std::string text = problems(report);
  EXPECT_NE(text.find("第 2 行，负责人：导入不能更换已有项目的负责人"), std::string::npos) << text;

  // The engine's own rules on an edit: bounds (min 0).
  const ImportReport bounds = run("项目编号,计划总投资\nP-1,-5\n");
  ASSERT_EQ(bounds.refused, 1);
  EXPECT_NE(problems(bounds).find("第 2 行，计划总投资（万元）："), std::string::npos)
      << problems(bounds);

  // An actor whose roles may not work on the project is refused by the engine.
  options_.actor = engine::Actor{"outsider", {"auditor"}};
  const ImportReport roles = run("项目编号,计划总投资\nP-1,50\n");
  EXPECT_EQ(roles.refused, 1);
  EXPECT_EQ(field("P-1", "total_investment"), engine::Value());
}

TEST_F(ImportPipeline, AKeyTheFileDoesNotHaveIsAFileError) {
  options_.key = "项目编号";
  const ImportReport report = run("项目名称\n甲\n");
  ASSERT_TRUE(report.file_error);
  EXPECT_NE(report.file_error->zh.find("--key"), std::string::npos);
  options_.key = "负责人";
  EXPECT_TRUE(run("项目名称,负责人\n甲,zhang\n").file_error);
}

// --- the corpus: files shaped like the ones staff have (tests/data/import/) ----------------

std::string corpus_file(const std::string& name) {
  std::ifstream in(std::string(INVESTFLOW_TEST_DATA) + "/import/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class ImportCorpus : public ImportPipeline {
 protected:
  void SetUp() override {
    ImportPipeline::SetUp();
    const ShippedWorkflow qingyuan = shipped_workflow("qingyuan-investment");
    ASSERT_TRUE(qingyuan.workflow);
    ASSERT_TRUE(store_->register_workflow(qingyuan.workflow, qingyuan.source));
    workflow_ = qingyuan.workflow;
  }
  // "column=value" of a row's converted values.
  static std::string value_of(const ImportRow& row, const std::string& column) {
    for (const auto& value : row.values) {
      if (value.column.zh == column) return value.text;
    }
    return "<none>";
  }
  static std::string how_of(const ImportRow& row, const std::string& column) {
    for (const auto& value : row.values) {
      if (value.column.zh == column) return value.how.zh;
    }
    return "<none>";
  }
};

TEST_F(ImportCorpus, Gb18030AndUtf8CsvFromExcelImportTheSameProjects) {
  options_.partial = false;
  const ImportReport report = run(corpus_file("gb18030_crlf.csv"));
  ASSERT_TRUE(report.ok()) << problems(report);
  EXPECT_TRUE(report.written);
  EXPECT_EQ(report.created, 5);
  EXPECT_EQ(report.ignored_columns, (std::vector<std::string>{"序号"}));
  const ImportRow& first = report.rows.at(0);
  EXPECT_EQ(first.row, 2);
  EXPECT_EQ(value_of(first, "项目名称"), "清远新材料产业园项目");  // the NBSP trimmed
  EXPECT_EQ(value_of(first, "计划总投资（万元）"), "12000 万元");  // 1.2亿
  EXPECT_NE(how_of(first, "计划总投资（万元）"), "");
  EXPECT_EQ(value_of(first, "协议签订日期"), "2026-03-02");                   // 2026年3月2日
  EXPECT_EQ(value_of(report.rows.at(1), "计划总投资（万元）"), "1200 万元");  // 1200万

  // The same list saved as "CSV UTF-8", re-imported by name: nothing changes.
  options_.key = "项目名称";
  const ImportReport again = run(corpus_file("utf8_bom.csv"));
  ASSERT_TRUE(again.ok()) << problems(again);
  EXPECT_EQ(again.unchanged, 5);
  EXPECT_EQ(again.created + again.updated, 0);
  EXPECT_EQ(count_projects(), 5);
}

TEST_F(ImportCorpus, XlsxFromLibreOfficeAndAPythonWriterImportWithTypedCells) {
  options_.dry_run = true;
  const ImportReport libreoffice = run(corpus_file("libreoffice.xlsx"));
  ASSERT_TRUE(libreoffice.ok()) << problems(libreoffice);
  EXPECT_EQ(libreoffice.created, 4);  // row 4 is blank, row 7 styled but empty
  EXPECT_EQ(libreoffice.rows.at(2).row, 5);
  EXPECT_EQ(value_of(libreoffice.rows.at(0), "协议签订日期"), "2026-03-02");
  EXPECT_EQ(value_of(libreoffice.rows.at(0), "项目名称"), "清远新材料产业园项目");  // rich text

  const ImportReport python = run(corpus_file("python_writer.xlsx"));
  EXPECT_FALSE(python.file_error) << problems(python);
  EXPECT_EQ(python.refused, 1) << problems(python);  // the #N/A cell
  const std::string text = problems(python);
  EXPECT_NE(text.find("第 10 行，建筑系数（%）："), std::string::npos) << text;
  EXPECT_NE(text.find("#N/A"), std::string::npos) << text;
  EXPECT_EQ(value_of(python.rows.at(0), "计划总投资（万元）"), "12000 万元");
  EXPECT_EQ(count_projects(), 0);

  const ImportReport mac = run(corpus_file("mac_1904.xlsx"));  // 1904 dates, a hidden sheet
  ASSERT_TRUE(mac.ok()) << problems(mac);
  ASSERT_EQ(mac.rows.size(), 1u);
  EXPECT_EQ(value_of(mac.rows[0], "协议签订日期"), "2026-03-02");
}

}  // namespace
}  // namespace investflow::storage
