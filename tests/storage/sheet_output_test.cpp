// Files for people, opened as a spreadsheet would: CSV read with a spreadsheet's rules (a
// cell that is not a number and starts with = + - @, a tab or a CR would run), XLSX read
// back from its XML (cell types, number formats, autofilter, frozen pane).
#include <gtest/gtest.h>

#include <minizip/unzip.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "storage/csv.hpp"
#include "storage/import_export.hpp"
#include "storage/reports_output.hpp"
#include "storage/sheet_output.hpp"
#include "storage/tabular.hpp"
#include "storage_test_support.hpp"
#include "tests/support/xlsx_parts.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers
using investflow::testing::read_xlsx_sheet;
using investflow::testing::xlsx_column;
using investflow::testing::XlsxSheet;

// What a spreadsheet does with a CSV cell: a number is a number; other text starting with
// a formula character is run.
bool spreadsheet_would_run(const std::string& cell) {
  if (cell.empty()) return false;
  char* end = nullptr;
  std::strtod(cell.c_str(), &end);
  if (end == cell.c_str() + cell.size()) return false;  // a number, -5 included
  return std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos;
}

// Every cell of every record of a CSV text; fails the test for a cell a spreadsheet runs.
int expect_no_formula(const std::string& csv, const std::string& what) {
  std::istringstream in(csv);
  CsvReader reader(in);
  int cells = 0;
  while (auto record = reader.next()) {
    for (const std::string& cell : *record) {
      ++cells;
      EXPECT_FALSE(spreadsheet_would_run(cell)) << what << ": " << cell;
    }
  }
  EXPECT_TRUE(reader.error().empty()) << what;
  return cells;
}

// The mini workflow with labels a spreadsheet would run: the title, a field's label (a
// header), an enum option's label and a state's label.
std::string hostile_workflow_text() {
  std::string text = kMiniWorkflow;
  const auto replace = [&](const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("{zh-CN: 项目名称,", "{zh-CN: '@项目名称',");
  replace("electronics: {zh-CN: 电子信息,", "electronics: {zh-CN: '=HYPERLINK(\"http://evil\")',");
  replace("lead: {label: {zh-CN: 线索,", "lead: {label: {zh-CN: '-线索',");
  replace("total_investment: {type: money, unit: 万元,",
          "total_investment: {type: money, unit: '+万元',");
  return text;
}

TEST(SheetOutput, ExportCsvWithHostileNamesOwnersAndLabelsRunsNothing) {
  TempDir dir;
  const std::string text = hostile_workflow_text();
  auto load = workflows::load_workflow_text(text, "hostile.yaml", test_calendars());
  ASSERT_TRUE(load.workflow) << (load.diagnostics.empty() ? "" : load.diagnostics[0].to_string());
  SqliteOptions options;
  options.clock = std::make_shared<engine::FixedClock>(kMonday);
  auto store = open_sqlite_store(dir.file("hostile.db"), options);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->register_workflow(load.workflow, text));
  const std::vector<std::string> names = {"=HYPERLINK(\"http://evil\",\"点此\")",
                                          "=cmd|' /C calc'!A0",
                                          "+项目",
                                          "-项目",
                                          "@项目",
                                          "\t项目",
                                          "\r项目"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    WriteRequest request = create_request("H-" + std::to_string(i), names[i],
                                          {{"industry", engine::Value::text("electronics")},
                                           {"total_investment", engine::Value::number(5.5)},
                                           {"investor", engine::Value::text("@投资方")}});
    request.actor = staff(i % 2 ? "=owner" : "+owner");
    ASSERT_TRUE((*store)->write(std::move(request)).get().accepted()) << i;
  }
  std::ostringstream csv;
  ASSERT_TRUE(export_projects_csv(**store, *load.workflow, csv));
  EXPECT_GT(expect_no_formula(csv.str(), "export"), static_cast<int>(names.size()) * 10);
  // The hostile texts are there, behind their '.
  for (const char* shown : {"'@项目名称", "'=HYPERLINK(\"\"http://evil\"\")", "'-线索", "'=owner",
                            "'+owner", "'@投资方", "计划总投资（+万元）"}) {
    EXPECT_NE(csv.str().find(shown), std::string::npos) << shown << "\n" << csv.str();
  }

  // XLSX: every text is a string, never a formula.
  const auto xlsx = dir.file("hostile.xlsx");
  ASSERT_TRUE(export_projects(**store, *load.workflow, ExportFormat::xlsx, xlsx));
  const XlsxSheet sheet = read_xlsx_sheet(xlsx);
  EXPECT_EQ(sheet.cells.at("B2").text, "-线索");
  EXPECT_EQ(sheet.cells.at("B2").type, "inlineStr");
  const auto part = investflow::testing::xlsx_part(xlsx, "xl/worksheets/sheet1.xml");
  ASSERT_TRUE(part);
  EXPECT_EQ(part->find("<f>"), std::string::npos);
}

TEST(SheetOutput, ReportCsvsWithHostileLabelsAndNamesRunNothing) {
  const engine::LocalizedText stage{"=SUM(A1)", "=SUM(A1)"};
  PipelineReport pipeline{"mini", {{"lead", stage, 3, 12.5}}, 3, 12.5, std::nullopt};
  FunnelReport funnel{"mini", {}, 4, {{"lead", stage, false, 4, std::nullopt, 1.0}}};
  AgingReport aging{"mini", {}, {{"lead", stage, 2, 1.5, 3.0}}, {}};
  aging.longest_waiting.push_back({"@P-1", "=cmd|' /C calc'!A0", "lead", kMonday, 7});
  KpiReport kpis;
  kpis.workflow = "mini";
  kpis.kpis = {Kpi{"rate", {"+比率", "+rate"}, "", "", 1, 2, 0.5}};
  PeriodReport period{{}, {}, {}};
  PeriodFigures figures;
  figures.workflow = "mini";
  figures.title = {"-测试流程", "-Mini"};
  period.workflows.push_back(figures);
  const std::vector<std::pair<std::string, std::vector<Sheet>>> reports = {
      {"pipeline", report_sheets(pipeline)},
      {"funnel", report_sheets(funnel)},
      {"aging", report_sheets(aging)},
      {"kpis", report_sheets(kpis)},
      {"period", report_sheets(period)}};
  for (const auto& [name, sheets] : reports) {
    std::ostringstream csv;
    write_report_csv(csv, sheets);
    EXPECT_GT(expect_no_formula(csv.str(), name), 4) << name;
  }
  // The waiting project's stage shows its label, not the id.
  std::ostringstream csv;
  write_report_csv(csv, report_sheets(aging));
  EXPECT_NE(csv.str().find("'@P-1,'=cmd|' /C calc'!A0,'=SUM(A1),2026-03-02 09:00:00,7"),
            std::string::npos)
      << csv.str();
}

TEST(SheetOutput, CellsKeepTheirPrecisionAndKind) {
  const SheetCell money = number_cell(5717703.059999999);
  EXPECT_EQ(money.text, "5717703.06");
  EXPECT_EQ(*money.number, 5717703.06);
  EXPECT_EQ(number_cell(0.125, 6, false).text, "0.125");
  EXPECT_EQ(number_cell(12, 2, false).text, "12");
  EXPECT_EQ(number_cell(-0.001).text, "0.00");
  EXPECT_EQ(rate_cell(0.6815068493150684).text, "0.6815");
  EXPECT_EQ(*rate_cell(0.6815068493150684).number, 0.6815);
  EXPECT_EQ(count_cell(12).text, "12");
  EXPECT_EQ(date_cell(*engine::Date::parse("2026-03-05")).number, 46086);
  EXPECT_EQ(timestamp_cell(kMonday).text, "2026-03-02 09:00:00");
  EXPECT_EQ(*timestamp_cell(kMonday).number, 46083.375);
  EXPECT_EQ(*timestamp_cell(kMonday + 999).number, 46083.375);  // whole seconds
}

TEST(SheetOutput, FileNamesCarryTheWorkflowAndTheDay) {
  const engine::Date day = *engine::Date::parse("2026-12-02");
  EXPECT_EQ(download_file_name("招商引资项目台账", "qingyuan-investment", day, "xlsx"),
            "招商引资项目台账-qingyuan-investment-2026-12-02.xlsx");
  EXPECT_EQ(download_file_name("期间汇总", "", day, "csv"), "期间汇总-2026-12-02.csv");
  EXPECT_EQ(download_file_name("a/b\\c:d*e?f\"g<h>i|j\nk", "w", day, "csv"),
            "a_b_c_d_e_f_g_h_i_j_k-w-2026-12-02.csv");
  auto workflow = mini_workflow();
  ASSERT_TRUE(workflow);
  EXPECT_EQ(export_file_name(*workflow, day, ExportFormat::xlsx),
            "测试流程台账-mini-2026-12-02.xlsx");
  EXPECT_EQ(report_title("pipeline"), "项目储备");
}

class XlsxExportTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open_test_store(dir_.file("x.db")); }
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(XlsxExportTest, CellsAreTypedAndTheSheetFiltersAndFreezesItsHeader) {
  auto workflow = mini_workflow();
  ASSERT_TRUE(workflow);
  ASSERT_TRUE(store_
                  ->write(create_request(
                      "X-1", "表格项目",
                      {{"total_investment", engine::Value::number(5717703.059999999)},
                       {"land_area", engine::Value::number(12.345)},
                       {"industry", engine::Value::text("electronics")},
                       {"priority", engine::Value::boolean(true)},
                       {"signed_on", engine::Value::date(*engine::Date::parse("2026-03-05"))}}))
                  .get()
                  .accepted());
  ASSERT_TRUE(store_->write(create_request("X-2", "第二个", {})).get().accepted());
  const auto file = dir_.file("export.xlsx");
  ASSERT_TRUE(export_projects(*store_, *workflow, ExportFormat::xlsx, file));
  const XlsxSheet sheet = read_xlsx_sheet(file);

  const std::vector<std::string> header = export_header(*workflow);
  const auto column = [&](const std::string& name) {
    const auto found = std::find(header.begin(), header.end(), name);
    EXPECT_NE(found, header.end()) << name;
    return xlsx_column(static_cast<std::size_t>(found - header.begin()));
  };
  const auto cell = [&](const std::string& name, int row) {
    const std::string ref = column(name) + std::to_string(row);
    const auto found = sheet.cells.find(ref);
    EXPECT_NE(found, sheet.cells.end()) << ref;
    return found == sheet.cells.end() ? investflow::testing::XlsxCell{} : found->second;
  };
  // The header: strings; the filter over header and both rows; header row and id column
  // frozen.
  EXPECT_EQ(cell("项目编号", 1).type, "inlineStr");
  EXPECT_EQ(cell("项目编号", 1).text, "项目编号");
  EXPECT_EQ(sheet.autofilter, "A1:" + xlsx_column(header.size() - 1) + "3");
  EXPECT_NE(sheet.pane.find("xSplit=\"1\""), std::string::npos) << sheet.pane;
  EXPECT_NE(sheet.pane.find("ySplit=\"1\""), std::string::npos) << sheet.pane;
  EXPECT_NE(sheet.pane.find("state=\"frozen\""), std::string::npos) << sheet.pane;

  const auto money = cell("计划总投资（万元）", 2);
  EXPECT_EQ(money.type, "");  // a number
  EXPECT_EQ(money.value, "5717703.06");
  EXPECT_EQ(money.number_format, "#,##0.00");
  const auto area = cell("用地面积（亩）", 2);
  EXPECT_EQ(area.value, "12.35");  // 12.345 is 12.3449999... in binary
  EXPECT_EQ(area.number_format, "#,##0.00");
  const auto signed_on = cell("签约日期", 2);
  EXPECT_EQ(signed_on.type, "");
  EXPECT_EQ(signed_on.value, "46086");
  EXPECT_EQ(signed_on.number_format, "yyyy-mm-dd");
  const auto created = cell("创建时间", 2);
  EXPECT_EQ(created.value, "46083.375");
  EXPECT_EQ(created.number_format, "yyyy-mm-dd hh:mm:ss");
  EXPECT_EQ(cell("所属产业", 2).text, "电子信息");  // the option's label
  EXPECT_EQ(cell("重点项目", 2).text, "是");
  EXPECT_EQ(cell("状态", 2).text, "线索");
  // An empty field is an empty cell, not 0.
  EXPECT_EQ(sheet.cells.count(column("计划总投资（万元）") + "3"), 0u);
}

TEST(SheetOutput, ReportXlsxHasRatesCountsAndTimes) {
  TempDir dir;
  const engine::LocalizedText lead{"线索", "Lead"};
  const engine::LocalizedText review{"评审", "Review"};
  FunnelReport funnel{"mini",
                      {},
                      146,
                      {{"lead", lead, false, 146, std::nullopt, 1.0},
                       {"review", review, false, 99, 0.6815068493150684, 0.6815068493150684}}};
  const auto file = dir.file("funnel.xlsx");
  ASSERT_TRUE(write_xlsx(file, report_sheets(funnel)));
  const XlsxSheet sheet = read_xlsx_sheet(file);
  EXPECT_EQ(sheet.cells.at("A1").text, "阶段");
  EXPECT_EQ(sheet.cells.at("A3").text, "评审");  // the label, and no id column
  EXPECT_EQ(sheet.cells.at("B3").value, "99");
  EXPECT_EQ(sheet.cells.at("B3").number_format, "0");
  EXPECT_EQ(sheet.cells.at("C3").value, "0.6815");
  EXPECT_EQ(sheet.cells.at("C3").number_format, "0.0%");
  EXPECT_EQ(sheet.autofilter, "A1:D3");
  EXPECT_NE(sheet.pane.find("ySplit=\"1\""), std::string::npos) << sheet.pane;
  EXPECT_EQ(sheet.pane.find("xSplit"), std::string::npos) << sheet.pane;

  AgingReport aging{"mini", {}, {{"lead", lead, 2, 1.5, 3.0}}, {}};
  aging.longest_waiting.push_back({"P-1", "等待项目", "lead", kMonday, 7});
  const auto aging_file = dir.file("aging.xlsx");
  ASSERT_TRUE(write_xlsx(aging_file, report_sheets(aging)));
  const XlsxSheet stages = read_xlsx_sheet(aging_file, 1);
  EXPECT_EQ(stages.cells.at("C2").value, "1.5");
  EXPECT_EQ(stages.cells.at("C2").number_format, "General");
  const XlsxSheet waiting = read_xlsx_sheet(aging_file, 2);
  EXPECT_EQ(waiting.cells.at("C2").text, "线索");
  EXPECT_EQ(waiting.cells.at("D2").value, "46083.375");
  EXPECT_EQ(waiting.cells.at("D2").number_format, "yyyy-mm-dd hh:mm:ss");
  EXPECT_EQ(waiting.cells.at("E2").number_format, "0");
  EXPECT_EQ(waiting.autofilter, "A1:E2");

  PipelineReport pipeline{
      "mini", {{"lead", lead, 3, 5717703.059999999}}, 3, 5717703.059999999, std::nullopt};
  const auto pipeline_file = dir.file("pipeline.xlsx");
  ASSERT_TRUE(write_xlsx(pipeline_file, report_sheets(pipeline)));
  const XlsxSheet totals = read_xlsx_sheet(pipeline_file);
  EXPECT_EQ(totals.cells.at("C3").value, "5717703.06");
  EXPECT_EQ(totals.cells.at("C3").number_format, "#,##0.00");
  EXPECT_EQ(totals.cells.at("A3").text, "合计");
}

}  // namespace
}  // namespace investflow::storage

namespace investflow::storage {
namespace {

// Every part of the zip, read through minizip, whose close checks the part's CRC-32; the
// content types come first, where tools that sniff a file's type look.
void expect_every_part_checks(const std::filesystem::path& file) {
  unzFile zip = unzOpen64(file.c_str());
  ASSERT_NE(zip, nullptr) << file;
  int parts = 0;
  for (int at = unzGoToFirstFile(zip); at == UNZ_OK; at = unzGoToNextFile(zip)) {
    char name[256];
    unzGetCurrentFileInfo64(zip, nullptr, name, sizeof name, nullptr, 0, nullptr, 0);
    if (parts == 0) {
      EXPECT_STREQ(name, "[Content_Types].xml");
    }
    ASSERT_EQ(unzOpenCurrentFile(zip), UNZ_OK) << name;
    char buffer[8192];
    while (unzReadCurrentFile(zip, buffer, sizeof buffer) > 0) {
    }
    EXPECT_EQ(unzCloseCurrentFile(zip), UNZ_OK) << name << ": its CRC-32 does not match";
    ++parts;
  }
  unzClose(zip);
  EXPECT_GE(parts, 6);
}

std::string file_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What our own writer writes, read back by the importer's reader (storage/tabular.hpp), in
// both of its compressions: texts staff type (and some they should not), numbers at the
// edges of what a double holds, dates, several sheets and a sheet longer than a deflate
// window.
TEST(XlsxBookTest, WhatItWritesReadsBackCellForCell) {
  testing::TempDir dir;
  const std::string long_text(40000, 'x');
  const std::vector<std::string> texts = {"企业反映：临时用电增容",
                                          "a < b && c > \"d\"",
                                          "  leading and trailing  ",
                                          "tab\there",
                                          "line\nbreak",
                                          "bell\x07gone",
                                          "_x0041_ stays as typed",
                                          "emoji 😀 counts twice",
                                          "]]> <![CDATA[",
                                          long_text};
  const std::vector<double> numbers = {0, -0.0, 1e-7, 123456789.125, -42.5, 1e21, 4503599627370497};
  for (const bool fast : {false, true}) {
    const auto file = dir.file(fast ? "fast.xlsx" : "small.xlsx");
    {
      XlsxBook book(file, fast);
      ASSERT_TRUE(book.open());
      book.add_sheet("文本", {"序号", "内容"}, 1);
      for (std::size_t i = 0; i < texts.size(); ++i)
        book.add_row({count_cell(static_cast<std::int64_t>(i + 1)), text_cell(texts[i])});
      book.add_sheet("数字 'a' 表", {"数值", "日期", "比率"});
      for (const double number : numbers)
        book.add_row({number_cell(number, 6, false), date_cell(*engine::Date::parse("2026-02-10")),
                      rate_cell(0.6815)});
      book.add_row({number_cell(std::nan(""), 2), text_cell(""), count_cell(7)});
      book.add_sheet("多行", {"行"});
      for (int row = 0; row < 20000; ++row)
        book.add_row({text_cell("第 " + std::to_string(row) + " 行"), count_cell(row)});
      const auto closed = book.close();
      ASSERT_TRUE(closed) << closed.error().message;
    }
    expect_every_part_checks(file);
    const std::string bytes = file_bytes(file);

    auto table = read_xlsx_table(bytes);
    ASSERT_TRUE(table) << table.error().message.en;
    EXPECT_EQ(table->sheets, (std::vector<std::string>{"文本", "数字 'a' 表", "多行"}));
    ASSERT_EQ(table->rows.size(), texts.size() + 1);
    EXPECT_EQ(table->rows[0].cells[1].text, "内容");
    for (std::size_t i = 0; i < texts.size(); ++i) {
      const TabularRow& row = table->rows[i + 1];
      EXPECT_EQ(row.source_row, static_cast<int>(i + 2));
      EXPECT_EQ(row.cells[0].number, static_cast<double>(i + 1));
      std::string expected = texts[i];
      if (expected == "bell\x07gone") expected = "bellgone";  // XML carries no BEL
      if (expected == long_text) expected.resize(32767);      // Excel's limit on a cell
      EXPECT_EQ(row.cells[1].text, expected) << i;
    }

    TabularOptions second;
    second.sheet = "数字 'a' 表";
    auto numbers_read = read_xlsx_table(bytes, second);
    ASSERT_TRUE(numbers_read) << numbers_read.error().message.en;
    ASSERT_EQ(numbers_read->rows.size(), numbers.size() + 2);
    for (std::size_t i = 0; i < numbers.size(); ++i) {
      const TabularRow& row = numbers_read->rows[i + 1];
      EXPECT_EQ(row.cells[0].kind, TabularCell::Kind::number) << i;
      EXPECT_EQ(row.cells[0].number, std::round(numbers[i] * 1e6) / 1e6) << i;
      EXPECT_EQ(row.cells[1].kind, TabularCell::Kind::date);
      EXPECT_EQ(row.cells[1].date.to_string(), "2026-02-10");
      EXPECT_TRUE(row.cells[2].percent);
      EXPECT_EQ(row.cells[2].number, 0.6815);
    }
    // NaN has no cell; an empty text has none either.
    const TabularRow& last = numbers_read->rows.back();
    ASSERT_EQ(last.cells.size(), 3u);
    EXPECT_TRUE(last.cells[0].is_empty());
    EXPECT_TRUE(last.cells[1].is_empty());
    EXPECT_EQ(last.cells[2].number, 7);

    TabularOptions third;
    third.sheet = "多行";
    auto many = read_xlsx_table(bytes, third);
    ASSERT_TRUE(many) << many.error().message.en;
    ASSERT_EQ(many->rows.size(), 20001u);
    EXPECT_EQ(many->rows.back().cells[0].text, "第 19999 行");
    EXPECT_EQ(many->rows.back().cells[1].number, 19999);
    // The filter covers the header and every row.
    const auto rows_part = investflow::testing::xlsx_part(file, "xl/worksheets/sheet3.xml");
    ASSERT_TRUE(rows_part);
    EXPECT_NE(rows_part->find("<autoFilter ref=\"A1:B20001\"/>"), std::string::npos);
  }
}

TEST(XlsxBookTest, ASheetNameNoSpreadsheetTakesFailsTheBookWithItsName) {
  testing::TempDir dir;
  for (const std::string& name :
       {std::string("a/b"), std::string("项目[1]"), std::string(""), std::string(32, 'n'),
        std::string("'quoted'"), std::string("Dup")}) {
    const auto file = dir.file("bad.xlsx");
    XlsxBook book(file);
    book.add_sheet("dup", {"a"});
    book.add_row({text_cell("x")});
    book.add_sheet(name, {"a"});
    auto closed = book.close();
    ASSERT_FALSE(closed) << name;
    EXPECT_NE(closed.error().message.find("'" + name + "'"), std::string::npos)
        << closed.error().message;
  }
}

}  // namespace
}  // namespace investflow::storage
