// libFuzzer target for reading the files staff upload (storage/tabular.hpp, issue 18).
//
// An input starting with "PK" is read as an .xlsx file as it is. Any other input is read
// twice: as a CSV file (encoding detected), and as the XML of a workbook's parts, packed
// here into a stored (uncompressed) zip, so that mutations reach the XML readers instead of
// breaking the deflate stream: the input's pieces, split at "\n--\n", are the sheet, the
// shared strings, the styles and the workbook (defaults for pieces not given). Every cell
// read then goes through read_field_cell for fields of each type.
// Checks: no crash, no unbounded memory (small limits), rows in order within the limits,
// every text valid UTF-8. Seeds: tests/fuzz/corpus/xlsx_reader/.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/field_text.hpp"
#include "storage/tabular.hpp"
#include "tests/fuzz/valid_utf8.hpp"

namespace {

using investflow::testing::valid_utf8;

using investflow::engine::FieldDef;
using investflow::engine::FieldType;
using investflow::storage::TabularOptions;

std::uint32_t crc32(std::string_view data) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const char c : data)
    crc = table[(crc ^ static_cast<unsigned char>(c)) & 0xFFu] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

void put16(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}

// A zip archive of `parts`, stored without compression.
std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& parts) {
  std::string out;
  std::string directory;
  for (const auto& [name, data] : parts) {
    const auto offset = static_cast<std::uint32_t>(out.size());
    const std::uint32_t crc = crc32(data);
    const auto size = static_cast<std::uint32_t>(data.size());
    put32(out, 0x04034b50);
    for (const std::uint32_t v : {20u, 0u, 0u, 0u, 0x21u})
      put16(out, v);
    put32(out, crc);
    put32(out, size);
    put32(out, size);
    put16(out, static_cast<std::uint32_t>(name.size()));
    put16(out, 0);
    out += name;
    out += data;
    put32(directory, 0x02014b50);
    for (const std::uint32_t v : {20u, 20u, 0u, 0u, 0u, 0x21u})
      put16(directory, v);
    put32(directory, crc);
    put32(directory, size);
    put32(directory, size);
    put16(directory, static_cast<std::uint32_t>(name.size()));
    for (int i = 0; i < 4; ++i)
      put16(directory, 0);
    put32(directory, 0);
    put32(directory, offset);
    directory += name;
  }
  const auto directory_offset = static_cast<std::uint32_t>(out.size());
  out += directory;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<std::uint32_t>(parts.size()));
  put16(out, static_cast<std::uint32_t>(parts.size()));
  put32(out, static_cast<std::uint32_t>(directory.size()));
  put32(out, directory_offset);
  put16(out, 0);
  return out;
}

constexpr std::string_view kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr std::string_view kRel =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string workbook_zip(std::string_view input) {
  std::vector<std::string> pieces;
  for (std::size_t start = 0; pieces.size() < 4;) {
    const std::size_t end = input.find("\n--\n", start);
    pieces.emplace_back(input.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 4;
  }
  pieces.resize(4);
  const std::string rel(kRel);
  if (pieces[1].empty()) pieces[1] = "<sst xmlns=\"" + std::string(kMain) + "\"/>";
  if (pieces[2].empty()) {
    pieces[2] =
        "<styleSheet><cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/>"
        "<xf numFmtId=\"10\"/></cellXfs></styleSheet>";
  }
  if (pieces[3].empty()) {
    pieces[3] = "<workbook xmlns:r=\"" + rel +
                "\"><workbookPr date1904=\"0\"/><sheets><sheet name=\"S\" r:id=\"rId3\"/>"
                "</sheets></workbook>";
  }
  const std::string relationships =
      "<Relationships><Relationship Id=\"rId1\" Type=\"" + rel +
      "/styles\" Target=\"styles.xml\"/><Relationship Id=\"rId2\" Type=\"" + rel +
      "/sharedStrings\" Target=\"/xl/sharedStrings.xml\"/><Relationship Id=\"rId3\" Type=\"" + rel +
      "/worksheet\" Target=\"worksheets/../worksheets/sheet1.xml\"/></Relationships>";
  return stored_zip({{"xl/workbook.xml", pieces[3]},
                     {"xl/_rels/workbook.xml.rels", relationships},
                     {"xl/worksheets/sheet1.xml", pieces[0]},
                     {"xl/sharedStrings.xml", pieces[1]},
                     {"xl/styles.xml", pieces[2]}});
}

std::vector<FieldDef> fields() {
  std::vector<FieldDef> all(7);
  all[0].type = FieldType::money;
  all[0].unit = "万元";
  all[1].type = FieldType::date;
  all[2].type = FieldType::number;
  all[2].unit = "%";
  all[3].type = FieldType::boolean;
  all[4].type = FieldType::text;
  all[5].type = FieldType::enumeration;
  all[5].options = {"a", "b"};
  all[5].option_labels["a"].zh = "甲";
  all[6].type = FieldType::list;
  return all;
}

void check(const investflow::storage::TabularOptions& options, std::string_view bytes,
           std::string_view name) {
  static const std::vector<FieldDef> all = fields();
  auto table = investflow::storage::read_table(bytes, name, options);
  if (!table) {
    if (!valid_utf8(table.error().message.zh) || !valid_utf8(table.error().message.en)) {
      __builtin_trap();
    }
    return;
  }
  int previous = 0;
  for (const auto& row : table->rows) {
    if (row.source_row <= previous || row.source_row > options.limits.rows) __builtin_trap();
    if (row.cells.empty() || row.cells.size() > static_cast<std::size_t>(options.limits.columns)) {
      __builtin_trap();
    }
    previous = row.source_row;
    for (const auto& cell : row.cells) {
      if (!valid_utf8(cell.text)) __builtin_trap();
      for (const FieldDef& field : all) {
        auto value = investflow::storage::read_field_cell(field, cell, table->date1904);
        if (value && !valid_utf8(value->how.zh)) __builtin_trap();
        if (!value && !valid_utf8(value.error().zh)) __builtin_trap();
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  TabularOptions options;
  options.limits.part_bytes = 1 << 20;
  options.limits.total_bytes = 4 << 20;
  options.limits.rows = 1000;
  options.limits.columns = 64;
  options.limits.cells = 20000;
  options.limits.cell_bytes = 4096;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.starts_with("PK")) {
    check(options, input, "upload.xlsx");
    return 0;
  }
  check(options, input, "upload.csv");
  check(options, workbook_zip(input), "upload.xlsx");
  return 0;
}
