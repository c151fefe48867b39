// Reading the files staff have (storage/tabular.hpp, issue 18): the corpus under
// tests/data/import/ (written by make_corpus.py there), every cell's type and value, and
// the hostile files under tests/data/import/hostile/, each refused with a clear error.

#include "storage/tabular.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace investflow::storage {
namespace {

using Kind = TabularCell::Kind;

constexpr const char* kNbsp = "\u00A0";

std::string corpus_file(const std::string& name) {
  std::ifstream in(std::string(INVESTFLOW_TEST_DATA) + "/import/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

engine::Result<Table, TabularError> read(const std::string& name, TabularOptions options = {}) {
  return read_table(corpus_file(name), name, options);
}

TabularCell text(std::string value) {
  return TabularCell::of_text(std::move(value));
}
TabularCell number(double value, std::string shown) {
  return TabularCell::of_number(value, std::move(shown));
}
TabularCell percent(double value, std::string shown) {
  TabularCell cell = TabularCell::of_number(value, std::move(shown));
  cell.percent = true;
  return cell;
}
TabularCell date(int y, int m, int d, std::string shown) {
  return TabularCell::of_date(*engine::Date::from_ymd(y, m, d), std::move(shown));
}
TabularCell empty() {
  return {};
}

std::string describe(const TabularCell& cell) {
  const char* kinds[] = {"empty", "text", "number", "date", "boolean"};
  std::string out = kinds[static_cast<int>(cell.kind)];
  out += " '" + cell.text + "'";
  if (cell.kind == Kind::number) out += " " + std::to_string(cell.number);
  if (cell.kind == Kind::date) out += " " + cell.date.to_string();
  if (cell.kind == Kind::boolean) out += cell.boolean ? " true" : " false";
  if (cell.percent) out += " %";
  if (cell.error) out += " error";
  return out;
}

void expect_rows(const Table& table, const std::vector<TabularRow>& expected) {
  ASSERT_EQ(table.rows.size(), expected.size());
  for (std::size_t r = 0; r < expected.size(); ++r) {
    const TabularRow& row = table.rows[r];
    EXPECT_EQ(row.source_row, expected[r].source_row) << "row " << r;
    ASSERT_EQ(row.cells.size(), expected[r].cells.size()) << "row " << row.source_row;
    for (std::size_t c = 0; c < row.cells.size(); ++c) {
      EXPECT_EQ(row.cells[c], expected[r].cells[c])
          << "row " << row.source_row << " column " << column_letters(static_cast<int>(c) + 1)
          << ": " << describe(row.cells[c]) << ", expected " << describe(expected[r].cells[c]);
    }
  }
}

const std::vector<TabularCell> kHeader = {
    text("序号"),           text("项目名称"),     text("所属产业"),     text("计划总投资（万元）"),
    text("用地面积（亩）"), text("协议签订日期"), text("优先引入项目"), text("建筑系数（%）")};

// The CSV rows as typed (the same in both encodings): text, and nothing else.
std::vector<TabularRow> csv_rows() {
  return {
      {1, kHeader},
      {2,
       {text("1"), text(std::string("清远新材料产业园项目") + kNbsp), text("新材料"), text("1.2亿"),
        text("50"), text("2026年3月2日"), text("是"), text("45%")}},
      {3,
       {text("2"), text("\u3000高端电子信息制造基地"), text("高端电子信息制造"), text("1200万"),
        text("１２０"), text("2026/3/2"), text("否"), text("38.5")}},
      {4,
       {text("3"), text("装备制造\"智造\"中心"), text("高端装备制造及智能制造装备"),
        text("￥1,200.50"), text("30.5"), text("2026.3.15"), text("是")}},
      {5,
       {text("4"), text("生物医药, 医疗器械项目"), text("生物医药及高性能医疗器械制造"),
        text("１２００．５"), empty(), text("2026-03-02"), text("否"), text("40")}},
      {6,
       {text("5"), text("=1+2 公式样的名称"), text("其他"), text("1，200"), text("8"),
        text("20260302"), text("否")}},
  };
}

TEST(Tabular, Gb18030CsvWithCrlfIsDetectedAndReadAsUtf8) {
  auto table = read("gb18030_crlf.csv");
  ASSERT_TRUE(table) << table.error().message.en;
  EXPECT_EQ(table->format, Table::Format::csv);
  EXPECT_EQ(table->encoding, "gb18030");
  expect_rows(*table, csv_rows());
}

TEST(Tabular, Utf8CsvWithBom) {
  auto table = read("utf8_bom.csv");
  ASSERT_TRUE(table) << table.error().message.en;
  EXPECT_EQ(table->encoding, "utf-8-bom");
  expect_rows(*table, csv_rows());
}

TEST(Tabular, ForcedEncodings) {
  TabularOptions options;
  options.encoding = "GB18030";
  auto forced = read("gb18030_crlf.csv", options);
  ASSERT_TRUE(forced) << forced.error().message.en;
  EXPECT_EQ(forced->encoding, "gb18030");
  expect_rows(*forced, csv_rows());

  // GBK has no no-break space (GB18030 does): the line that holds one is named.
  options.encoding = "gbk";
  auto gbk = read("gb18030_crlf.csv", options);
  ASSERT_FALSE(gbk);
  EXPECT_EQ(gbk.error().row, 2);
  EXPECT_NE(gbk.error().message.zh.find("第 2 行"), std::string::npos) << gbk.error().message.zh;

  options.encoding = "utf-8";
  auto utf8 = read("gb18030_crlf.csv", options);
  ASSERT_FALSE(utf8);
  EXPECT_EQ(utf8.error().row, 1);
  EXPECT_NE(utf8.error().message.en.find("not valid UTF-8"), std::string::npos);
  EXPECT_NE(utf8.error().message.zh.find("--encoding"), std::string::npos);

  options.encoding = "latin1";
  auto unknown = read("utf8_bom.csv", options);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.zh.find("utf-8, gb18030, gbk"), std::string::npos);

  // A short GBK file (no character outside GBK) reads the same forced or detected.
  const std::string gbk_bytes =
      "\xCF\xEE\xC4\xBF\xC3\xFB\xB3\xC6\r\n\xBC\xD7\r\n";  // 项目名称 / 甲
  options.encoding = "gbk";
  auto short_gbk = read_csv_table(gbk_bytes, options);
  ASSERT_TRUE(short_gbk);
  expect_rows(*short_gbk, {{1, {text("项目名称")}}, {2, {text("甲")}}});
  auto detected = read_csv_table(gbk_bytes);
  ASSERT_TRUE(detected);
  EXPECT_EQ(detected->encoding, "gb18030");
  expect_rows(*detected, {{1, {text("项目名称")}}, {2, {text("甲")}}});
}

TEST(Tabular, DamagedUtf8IsNotReadAsGb18030) {
  // One stray byte in a UTF-8 file: mojibake if read as GB18030; the line is named instead.
  std::string bytes = corpus_file("utf8_bom.csv");
  const std::size_t line_4 = bytes.find("\n3,") + 1;
  bytes.insert(line_4 + 3, "\xFF");
  auto table = read_csv_table(bytes);
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().row, 4);
  EXPECT_NE(table.error().message.en.find("line 4 (byte"), std::string::npos)
      << table.error().message.en;
  EXPECT_NE(table.error().message.en.find("is not valid UTF-8 text"), std::string::npos);
}

TEST(Tabular, CsvCellsOfBlanksAreEmptyAndBlankLinesLeftOut) {
  auto table = read_csv_table("a,b,c\n\n , \u00A0 ,x\n,,\n'=SUM(A1),'+1,'ok\n");
  ASSERT_TRUE(table);
  expect_rows(*table, {{1, {text("a"), text("b"), text("c")}},
                       {3, {empty(), empty(), text("x")}},
                       // what our own export protected reads back as it was
                       {5, {text("=SUM(A1)"), text("+1"), text("'ok")}}});
  EXPECT_EQ(table->encoding, "utf-8");
}

TEST(Tabular, LibreOfficeWorkbook) {
  auto table = read("libreoffice.xlsx");
  ASSERT_TRUE(table) << table.error().message.en;
  EXPECT_EQ(table->format, Table::Format::xlsx);
  EXPECT_EQ(table->sheet, "项目清单");
  EXPECT_EQ(table->sheets, (std::vector<std::string>{"项目清单", "说明"}));
  EXPECT_FALSE(table->date1904);
  expect_rows(
      *table,
      {
          {1, kHeader},  // the styled empty header cells I1, J1 are left out
          {2,
           {number(1, "1"), text(std::string("清远新材料产业园项目") + kNbsp), text("新材料"),
            number(12000, "12000"), number(50, "50"), date(2026, 3, 2, "46083"),
            TabularCell::of_boolean(true, "1"), percent(0.45, "0.45")}},
          {3,
           {number(2, "2"), text("\u3000高端电子信息制造基地"), text("高端电子信息制造"),
            text("1200万"), number(120, "120"), text("2026年3月2日"),
            TabularCell::of_boolean(false, "0"), percent(0.385, "0.385")}},
          // row 4 is blank; H5 holds blanks only
          {5,
           {number(3, "3"), text("装备制造\"智造\"中心"), text("高端装备制造及智能制造装备"),
            number(1200.5, "1200.5"), number(30.5, "30.5"), date(2026, 3, 15, "46096"),
            text("是")}},
          // F6: a serial without a date format stays a number (read_field_cell reads it)
          {6,
           {number(4, "4"), text("生物医药, 医疗器械项目"), text("生物医药及高性能医疗器械制造"),
            text("1.2亿"), empty(), number(46083, "46083"), text("否"), percent(0.4, "0.4")}},
      });
}

TEST(Tabular, NamedSheetAndTheSheetsListedWhenNoneHasTheName) {
  TabularOptions options;
  options.sheet = "说明";
  auto table = read("libreoffice.xlsx", options);
  ASSERT_TRUE(table) << table.error().message.en;
  EXPECT_EQ(table->sheet, "说明");
  expect_rows(*table, {{1, {text("说明"), text("本表由招商部维护")}}});

  options.sheet = "Sheet9";
  auto missing = read("libreoffice.xlsx", options);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message.zh, "工作簿中没有名为「Sheet9」的工作表；现有：项目清单、说明");
  EXPECT_EQ(missing.error().message.en,
            "the workbook has no sheet named 'Sheet9'; its sheets: 项目清单, 说明");
}

TEST(Tabular, PythonWriterWorkbook) {
  auto table = read("python_writer.xlsx");
  ASSERT_TRUE(table) << table.error().message.en;
  EXPECT_EQ(table->sheet, "Sheet1");
  TabularCell na = text("#N/A");
  na.error = true;
  expect_rows(
      *table,
      {
          {1, kHeader},  // I1 is an empty inline string, J1 a blank: left out
          // cells without r follow each other
          {2,
           {number(1, "1"), text(std::string("清远新材料产业园项目") + kNbsp), text("新材料"),
            number(12000, "12000"), number(50, "50"), date(2026, 3, 2, "46083"),
            TabularCell::of_boolean(true, "1"), percent(0.45, "0.45")}},
          // a row without r follows row 2; F3 has the custom format yyyy"年"m"月"d"日"
          {3,
           {number(2, "2"), text("高端电子信息制造基地\u200B"), text("高端电子信息制造"),
            text("1200万"), text("１２０"), date(2026, 3, 2, "46083"), text("否"),
            number(38.5, "38.5")}},
          // sparse: rows 4-9 absent, cells skip columns; a formula's cached string; the
          // time of day of a date-time dropped; a formula error; _x000D_ unescaped
          {10,
           {number(3, "3"), text("装备制造\r\n二期"), text("高端装备制造及智能制造装备"),
            text("1200.5"), empty(), date(2026, 3, 15, "46096.75"), empty(), na}},
          // rich text runs joined; a number in exponent form
          {11,
           {number(4, "4"), text("生物医药, 医疗器械项目"), text("生物医药及高性能医疗器械制造"),
            text("1.2亿"), empty(), number(46083, "46083.0"), TabularCell::of_boolean(false, "0"),
            percent(0.4, "4.0E-1")}},
      });
}

TEST(Tabular, Mac1904WorkbookSkipsTheHiddenSheet) {
  auto table = read("mac_1904.xlsx");
  ASSERT_TRUE(table) << table.error().message.en;
  EXPECT_TRUE(table->date1904);
  EXPECT_EQ(table->sheet, "项目");
  EXPECT_EQ(table->sheets, (std::vector<std::string>{"辅助", "项目"}));
  expect_rows(*table, {{1, {text("项目名称"), text("协议签订日期")}},
                       {2, {text("苹果电脑录入的项目"), date(2026, 3, 2, "44621")}}});
}

struct Hostile {
  const char* file;
  const char* zh;  // a part of the Chinese message
  const char* en;  // a part of the English message
  int row;
  int column;
};

TEST(Tabular, HostileAndBrokenFilesGetClearErrors) {
  const Hostile cases[] = {
      {"bomb.xlsx", "压缩炸弹", "xl/worksheets/sheet1.xml): its compression ratio", 0, 0},
      {"dtd.xlsx", "DTD", "xl/workbook.xml: holds a DTD", 0, 0},
      {"deep.xlsx", "嵌套超过 64 层", "nested more than 64 levels", 0, 0},
      {"wide.xlsx", "XFD1 单元格：超过 1024 列", "cell XFD1: beyond the limit of 1024 columns", 1,
       16384},
      {"tall.xlsx", "第 2000000 行：超过 100000 行", "row 2000000: beyond the limit", 2000000, 0},
      {"bad_shared.xlsx", "B2 单元格：共享字符串序号「99」不存在",
       "cell B2: the shared string '99'", 2, 2},
      {"bad_xml.xlsx", "XML 第 2 行有错", "XML error on line 2 (mismatched tag)", 0, 0},
      {"not_workbook.xlsx", "不是 Excel 工作簿", "no Excel workbook", 0, 0},
      {"truncated.xlsx", "zip 压缩包损坏或不完整", "damaged or incomplete zip", 0, 0},
      {"renamed.xlsx", "内容不是 xlsx 工作簿", "is no xlsx workbook", 0, 0},
      {"old.xls", "旧版 Excel 文件（.xls）", "old Excel file (.xls)", 0, 0},
      {"utf16.csv", "UTF-16", "UTF-16", 0, 0},
      {"unclosed_quote.csv", "第 2 行开始的带引号单元格没有结束的引号", "starting on line 2", 2, 0},
  };
  for (const Hostile& c : cases) {
    auto table = read(std::string("hostile/") + c.file);
    ASSERT_FALSE(table) << c.file;
    EXPECT_NE(table.error().message.zh.find(c.zh), std::string::npos)
        << c.file << ": " << table.error().message.zh;
    EXPECT_NE(table.error().message.en.find(c.en), std::string::npos)
        << c.file << ": " << table.error().message.en;
    EXPECT_EQ(table.error().row, c.row) << c.file;
    EXPECT_EQ(table.error().column, c.column) << c.file;
  }
}

TEST(Tabular, LimitsAreOptions) {
  TabularOptions options;
  options.limits.part_bytes = 1 << 20;
  auto bomb = read("hostile/bomb.xlsx", options);
  ASSERT_FALSE(bomb);
  EXPECT_NE(bomb.error().message.en.find("larger than 1 MiB uncompressed"), std::string::npos)
      << bomb.error().message.en;
  EXPECT_EQ(bomb.error().part, "xl/worksheets/sheet1.xml");

  options = {};
  options.limits.columns = 4;
  auto wide = read("libreoffice.xlsx", options);
  ASSERT_FALSE(wide);
  EXPECT_EQ(wide.error().message.zh,
            "工作表「项目清单」（xl/worksheets/sheet1.xml） E1 单元格：超过 4 列（D 列）");
  auto wide_csv = read("utf8_bom.csv", options);
  ASSERT_FALSE(wide_csv);
  EXPECT_EQ(wide_csv.error().row, 1);

  options = {};
  options.limits.cell_bytes = 8;
  auto long_cell = read("python_writer.xlsx", options);
  ASSERT_FALSE(long_cell);
  EXPECT_EQ(long_cell.error().message.en,
            "sheet 'Sheet1' (xl/worksheets/sheet1.xml), cell B1: longer than 8 bytes");

  options = {};
  options.limits.cells = 20;
  auto many = read("python_writer.xlsx", options);
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().message.en,
            "sheet 'Sheet1' (xl/worksheets/sheet1.xml), cell E3: the sheet has more than 20 cells");
  auto many_strings = read("libreoffice.xlsx", options);  // each cell could be one
  ASSERT_FALSE(many_strings);
  EXPECT_EQ(many_strings.error().message.en, "xl/sharedStrings.xml: more than 20 shared strings");
  EXPECT_FALSE(read("utf8_bom.csv", options));

  options = {};
  options.limits.file_bytes = 100;
  EXPECT_FALSE(read("utf8_bom.csv", options));
  EXPECT_FALSE(read("libreoffice.xlsx", options));
}

TEST(Tabular, ColumnLetters) {
  EXPECT_EQ(column_letters(1), "A");
  EXPECT_EQ(column_letters(26), "Z");
  EXPECT_EQ(column_letters(27), "AA");
  EXPECT_EQ(column_letters(1024), "AMJ");
  EXPECT_EQ(column_letters(16384), "XFD");
}

}  // namespace
}  // namespace investflow::storage
