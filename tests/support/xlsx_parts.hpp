#pragma once
// Reads back what an XLSX file says about its cells, for tests: the parts of the zip
// (minizip), each cell's type attribute, value and number format (through the style's
// cellXfs entry and numFmts), the autofilter range and the frozen pane. Regular expressions
// over the XML XlsxBook writes; enough to check a writer, not a general reader.

#include <minizip/unzip.h>

#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace investflow::testing {

// One part of the zip ("xl/worksheets/sheet1.xml"), or nullopt.
inline std::optional<std::string> xlsx_part(const std::filesystem::path& file,
                                            const std::string& name) {
  unzFile zip = unzOpen64(file.c_str());
  if (zip == nullptr) return std::nullopt;
  std::optional<std::string> text;
  if (unzLocateFile(zip, name.c_str(), 0) == UNZ_OK && unzOpenCurrentFile(zip) == UNZ_OK) {
    text.emplace();
    char buffer[8192];
    int read = 0;
    while ((read = unzReadCurrentFile(zip, buffer, sizeof buffer)) > 0)
      text->append(buffer, static_cast<std::size_t>(read));
    unzCloseCurrentFile(zip);
  }
  unzClose(zip);
  return text;
}

struct XlsxCell {
  std::string type;           // the t= attribute: "inlineStr", "s" (shared), "" (a number)
  std::string value;          // <v>: a number, or the shared string's index
  std::string text;           // the text, for t="inlineStr" and t="s"
  std::string number_format;  // "General", "0.0%", "yyyy-mm-dd", ...
};

struct XlsxSheet {
  std::map<std::string, XlsxCell> cells;  // by reference, "B2"
  std::string autofilter;                 // the ref of <autoFilter>, "A1:K3"
  std::string pane;                       // the <pane .../> element as written
};

inline std::string xml_unescape(std::string text) {
  static const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : kEntities) {
    for (std::size_t at = text.find(entity); at != std::string::npos;
         at = text.find(entity, at + 1)) {
      text.replace(at, std::string(entity).size(), plain);
    }
  }
  return text;
}

// Sheet `index` (1-based) of the workbook.
inline XlsxSheet read_xlsx_sheet(const std::filesystem::path& file, int index = 1) {
  XlsxSheet sheet;
  const auto xml = xlsx_part(file, "xl/worksheets/sheet" + std::to_string(index) + ".xml");
  const auto styles = xlsx_part(file, "xl/styles.xml");
  const auto shared = xlsx_part(file, "xl/sharedStrings.xml");
  if (!xml || !styles) return sheet;

  // Number formats: the built-in ones by id, the rest from <numFmts>.
  std::map<std::string, std::string> formats = {
      {"0", "General"},  {"1", "0"},  {"2", "0.00"},   {"3", "#,##0"},
      {"4", "#,##0.00"}, {"9", "0%"}, {"10", "0.00%"},
  };
  const std::regex num_fmt(R"re(<numFmt numFmtId="(\d+)" formatCode="([^"]*)")re");
  for (std::sregex_iterator it(styles->begin(), styles->end(), num_fmt), end; it != end; ++it)
    formats[(*it)[1]] = xml_unescape((*it)[2]);
  std::vector<std::string> xf_formats;  // cellXfs, in order
  const std::size_t xfs_start = styles->find("<cellXfs");
  const std::size_t xfs_end = styles->find("</cellXfs>");
  if (xfs_start != std::string::npos && xfs_end != std::string::npos) {
    const std::string xfs = styles->substr(xfs_start, xfs_end - xfs_start);
    const std::regex xf(R"re(<xf numFmtId="(\d+)")re");
    for (std::sregex_iterator it(xfs.begin(), xfs.end(), xf), end; it != end; ++it)
      xf_formats.push_back(formats[(*it)[1]]);
  }

  std::vector<std::string> strings;
  if (shared) {
    const std::regex si(R"re(<si><t[^>]*>([^<]*)</t></si>)re");
    for (std::sregex_iterator it(shared->begin(), shared->end(), si), end; it != end; ++it)
      strings.push_back(xml_unescape((*it)[1]));
  }

  const std::regex cell(R"re(<c r="([A-Z]+\d+)"([^>]*?)(/>|>(.*?)</c>))re");
  const std::regex style(R"re( s="(\d+)")re");
  const std::regex type(R"re( t="([A-Za-z]+)")re");
  const std::regex value(R"re(<v>([^<]*)</v>)re");
  for (std::sregex_iterator it(xml->begin(), xml->end(), cell), end; it != end; ++it) {
    XlsxCell read;
    const std::string attributes = (*it)[2];
    const std::string inner = (*it)[4];
    std::smatch match;
    std::size_t xf_index = 0;
    if (std::regex_search(attributes, match, style)) xf_index = std::stoul(match[1]);
    read.number_format = xf_index < xf_formats.size() ? xf_formats[xf_index] : "General";
    if (std::regex_search(attributes, match, type)) read.type = match[1];
    if (std::regex_search(inner, match, value)) read.value = match[1];
    if (read.type == "inlineStr" &&
        std::regex_search(inner, match, std::regex(R"re(<t[^>]*>([^<]*)</t>)re"))) {
      read.text = xml_unescape(match[1]);
    }
    if (read.type == "s" && !read.value.empty()) {
      const std::size_t at = std::stoul(read.value);
      if (at < strings.size()) read.text = strings[at];
    }
    sheet.cells[(*it)[1]] = read;
  }
  std::smatch match;
  if (std::regex_search(*xml, match, std::regex(R"re(<autoFilter ref="([^"]+)")re"))) {
    sheet.autofilter = match[1];
  }
  if (std::regex_search(*xml, match, std::regex(R"re(<pane [^>]*/>)re"))) sheet.pane = match[0];
  return sheet;
}

// "A", "B", ... "AA" for a 0-based column.
inline std::string xlsx_column(std::size_t column) {
  std::string name;
  for (std::size_t n = column + 1; n > 0; n = (n - 1) / 26)
    name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
  return name;
}

}  // namespace investflow::testing
