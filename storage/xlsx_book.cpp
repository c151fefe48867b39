// XlsxBook: an Office Open XML workbook written sheet by sheet, row by row (ECMA-376 part 1,
// SpreadsheetML), the zip container by minizip.
//
// A sheet's columns and its widths come before its rows in the XML, and the widths are
// known only once every row has been seen. So the rows are deflated into memory as they
// come (a tenth of their size or less), and when the sheet ends its part is made whole: the
// head (dimension, frozen pane, widths) deflated on its own, the rows' deflate stream, then
// the tail (autofilter), one raw deflate stream with one CRC (crc32_combine). The parts wait
// deflated until the book is closed, when the workbook's own parts are written first. Nothing
// holds a row after it is written, and no temporary file is made.
//
// Numbers are written with std::to_chars (the shortest text that reads back as the same
// double); texts are inline strings. `fast` books (the monthly report: a few hundred
// thousand rows) are deflated at zlib's fastest level.
#include <minizip/zip.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <set>

#include "storage/sheet_output.hpp"
#include "storage/tabular.hpp"

namespace investflow::storage {
namespace {

constexpr std::string_view kMainNamespace =
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr std::string_view kRelationships =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
constexpr std::size_t kMaxTextCell = 32767;  // Excel's limit on a cell's characters
constexpr std::size_t kMaxRows = 1048576;

// Styles (cellXfs, in this order in styles.xml).
enum Style : int {
  kPlain = 0,
  kHeading,
  kCount,
  kGeneral,
  kRate,
  kDate,
  kTimestamp,
  kFixed0,  // #,##0 ... #,##0.000000: kFixed0 + decimals
};

constexpr std::string_view kStyles =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
    R"(<numFmts count="8">)"
    R"(<numFmt numFmtId="164" formatCode="0.0%"/>)"
    R"(<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/>)"
    R"(<numFmt numFmtId="166" formatCode="yyyy-mm-dd hh:mm:ss"/>)"
    R"(<numFmt numFmtId="167" formatCode="#,##0.0"/>)"
    R"(<numFmt numFmtId="168" formatCode="#,##0.000"/>)"
    R"(<numFmt numFmtId="169" formatCode="#,##0.0000"/>)"
    R"(<numFmt numFmtId="170" formatCode="#,##0.00000"/>)"
    R"(<numFmt numFmtId="171" formatCode="#,##0.000000"/>)"
    R"(</numFmts>)"
    R"(<fonts count="2">)"
    R"(<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>)"
    R"(<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>)"
    R"(</fonts>)"
    R"(<fills count="3"><fill><patternFill patternType="none"/></fill>)"
    R"(<fill><patternFill patternType="gray125"/></fill>)"
    R"(<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/>)"
    R"(<bgColor indexed="64"/></patternFill></fill></fills>)"
    R"(<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>)"
    R"(<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>)"
    R"(<cellXfs count="14">)"
    R"(<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>)"
    R"(<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>)"
    R"(<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(<xf numFmtId="168" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(<xf numFmtId="169" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(<xf numFmtId="170" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(<xf numFmtId="171" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(</cellXfs>)"
    R"(<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>)"
    R"(</styleSheet>)";

int style_of(const SheetCell& cell) {
  switch (cell.kind) {
    case CellKind::text:
      return kPlain;
    case CellKind::count:
      return kCount;
    case CellKind::number:
      return cell.fixed ? kFixed0 + std::clamp(cell.decimals, 0, 6) : kGeneral;
    case CellKind::rate:
      return kRate;
    case CellKind::date:
      return kDate;
    case CellKind::timestamp:
      return kTimestamp;
  }
  return kPlain;
}

void append_number(std::string& out, std::uint64_t value) {
  char text[24];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  out.append(text, end);
}

// Whether `text` starts like Excel's escape of a character, _xHHHH_.
bool escape_like(std::string_view text) {
  return text.size() >= 7 && text[1] == 'x' && text[6] == '_' &&
         std::all_of(text.begin() + 2, text.begin() + 6,
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

// Text as XML character data: markup escaped; characters XML 1.0 cannot carry (C0 controls
// other than tab, LF and CR) as Excel writes them, _xHHHH_; and "_x" itself escaped where it
// would read as such an escape.
void append_xml_text(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '_':
        // "_x0041_" in a text would read as an escape: its "_" is escaped itself.
        out += escape_like(text.substr(i)) ? "_x005F_" : "_";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          static constexpr char kHex[] = "0123456789ABCDEF";
          out += "_x00";
          out += kHex[(c >> 4) & 0xF];
          out += kHex[c & 0xF];
          out += '_';
        } else {
          out += c;
        }
    }
  }
}

// At most Excel's 32,767 characters (UTF-16 units), cut at a character's start.
std::string_view cell_text(std::string_view text) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    units += length == 4 ? 2 : 1;
    if (units > kMaxTextCell) return text.substr(0, i);
    i += length;
  }
  return text;
}

// How wide a text shows in a spreadsheet: CJK and other wide characters take two columns.
int display_width(std::string_view text) {
  int width = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    width += length >= 3 ? 2 : 1;
    i += length;
  }
  return width;
}

// A raw deflate stream into memory, with the CRC and length of what went in.
class Deflated {
 public:
  explicit Deflated(int level) {
    ok_ = deflateInit2(&stream_, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~Deflated() {
    if (ok_) deflateEnd(&stream_);
  }
  Deflated(const Deflated&) = delete;
  Deflated& operator=(const Deflated&) = delete;

  void add(std::string_view text) { run(text, Z_NO_FLUSH); }
  // Ends this stream's part: Z_SYNC_FLUSH leaves it byte-aligned with no final block, so
  // another stream's output may follow; Z_FINISH ends the whole stream.
  void end(int flush) { run({}, flush); }

  bool ok() const { return ok_; }
  const std::string& bytes() const { return out_; }
  uLong crc() const { return crc_; }
  std::uint64_t length() const { return length_; }

 private:
  void run(std::string_view text, int flush) {
    if (!ok_) return;
    // (With no bytes at all, crc32_z would answer the initial value.)
    if (!text.empty())
      crc_ = crc32_z(crc_, reinterpret_cast<const Bytef*>(text.data()), text.size());
    length_ += text.size();
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    stream_.avail_in = static_cast<uInt>(text.size());
    std::array<Bytef, 1 << 16> chunk;
    do {
      stream_.next_out = chunk.data();
      stream_.avail_out = static_cast<uInt>(chunk.size());
      const int result = deflate(&stream_, flush);
      if (result == Z_STREAM_ERROR) {
        ok_ = false;
        return;
      }
      out_.append(reinterpret_cast<const char*>(chunk.data()), chunk.size() - stream_.avail_out);
    } while (stream_.avail_out == 0 || stream_.avail_in > 0);
  }

  z_stream stream_{};
  bool ok_ = false;
  std::string out_;
  uLong crc_ = crc32(0, nullptr, 0);
  std::uint64_t length_ = 0;
};

// "B12" as $B$12.
std::string absolute(const std::string& corner) {
  const std::size_t digits = corner.find_first_of("0123456789");
  return "$" + corner.substr(0, digits) + "$" + corner.substr(digits);
}

// A finished sheet: its name, its filter's range, and its part deflated, waiting for the
// workbook's own parts to be written first.
struct SheetEntry {
  std::string name;
  std::string autofilter;  // "A1:K3", or "" with no columns
  std::string deflated;
  uLong crc = 0;
  std::uint64_t length = 0;  // uncompressed
};

}  // namespace

struct XlsxBook::State {
  zipFile zip = nullptr;
  int level = Z_DEFAULT_COMPRESSION;
  std::string error;  // the first thing that went wrong
  std::vector<SheetEntry> sheets;
  std::set<std::string> lower_names;

  // The sheet being written.
  bool in_sheet = false;
  std::unique_ptr<Deflated> rows_xml;
  std::vector<std::string> columns;  // "A", "B", ...
  std::vector<int> widths;
  std::size_t rows = 0;  // rows written, the header included
  int frozen_columns = 0;
  std::string row;  // one row's XML, reused

  std::string pending_name;  // the name of the sheet being made

  void fail(std::string what) {
    if (error.empty()) error = std::move(what);
  }

  const std::string& column(std::size_t index) {
    while (columns.size() <= index)
      columns.push_back(column_letters(static_cast<int>(columns.size()) + 1));
    return columns[index];
  }

  // One zip entry, deflated by minizip.
  void write_part(const char* name, std::string_view text) {
    if (zip == nullptr || !error.empty()) return;
    zip_fileinfo info{};
    if (zipOpenNewFileInZip64(zip, name, &info, nullptr, 0, nullptr, 0, nullptr, Z_DEFLATED, level,
                              0) != ZIP_OK ||
        zipWriteInFileInZip(zip, text.data(), static_cast<unsigned>(text.size())) != ZIP_OK ||
        zipCloseFileInZip(zip) != ZIP_OK) {
      fail(std::string("cannot write ") + name);
    }
  }

  void start_row() {
    row.clear();
    row += "<row r=\"";
    append_number(row, rows + 1);
    row += "\">";
  }

  void add_text(std::size_t col, std::string_view text, int style) {
    row += "<c r=\"";
    row += column(col);
    append_number(row, rows + 1);
    if (style != kPlain) {
      row += "\" s=\"";
      append_number(row, static_cast<std::uint64_t>(style));
    }
    const std::string_view shown = cell_text(text);
    const bool spaced =
        !shown.empty() && (std::isspace(static_cast<unsigned char>(shown.front())) ||
                           std::isspace(static_cast<unsigned char>(shown.back())));
    row +=
        spaced ? "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">" : "\" t=\"inlineStr\"><is><t>";
    append_xml_text(row, shown);
    row += "</t></is></c>";
  }

  void add_number(std::size_t col, double value, int style) {
    if (!std::isfinite(value)) return;  // no spreadsheet holds NaN or infinity
    row += "<c r=\"";
    row += column(col);
    append_number(row, rows + 1);
    if (style != kPlain) {
      row += "\" s=\"";
      append_number(row, static_cast<std::uint64_t>(style));
    }
    row += "\"><v>";
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text, value == 0 ? 0.0 : value).ptr;
    row.append(text, end);
    row += "</v></c>";
  }

  void end_row() {
    row += "</row>";
    rows_xml->add(row);
    ++rows;
  }

  // Writes the sheet being made as its zip entry.
  void finish_sheet() {
    if (!in_sheet) return;
    in_sheet = false;
    const std::size_t index = sheets.size();
    const std::size_t last_row = std::max<std::size_t>(rows, 1);
    const std::string last_column = column(widths.empty() ? 0 : widths.size() - 1);
    std::string range = "A1:" + last_column;
    append_number(range, last_row);

    std::string head =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"";
    head += kMainNamespace;
    head += "\" xmlns:r=\"";
    head += kRelationships;
    head += "\"><dimension ref=\"" + range + "\"/><sheetViews><sheetView ";
    if (index == 0) head += "tabSelected=\"1\" ";
    head += "workbookViewId=\"0\">";
    const std::string top_left = column(static_cast<std::size_t>(frozen_columns)) + "2";
    const char* pane = frozen_columns > 0 ? "bottomRight" : "bottomLeft";
    head += "<pane ";
    if (frozen_columns > 0) head += "xSplit=\"" + std::to_string(frozen_columns) + "\" ";
    head += "ySplit=\"1\" topLeftCell=\"" + top_left + "\" activePane=\"" + pane +
            "\" state=\"frozen\"/><selection pane=\"" + pane + "\" activeCell=\"" + top_left +
            "\" sqref=\"" + top_left + "\"/></sheetView></sheetViews>";
    head += "<sheetFormatPr defaultRowHeight=\"15\"/>";
    if (!widths.empty()) {
      head += "<cols>";
      for (std::size_t col = 0; col < widths.size(); ++col) {
        // Room for the header's filter button; never so wide a column hides the others.
        const std::string number = std::to_string(col + 1);
        head += "<col min=\"" + number + "\" max=\"" + number + "\" width=\"" +
                std::to_string(std::clamp(widths[col] + 4, 10, 60)) + "\" customWidth=\"1\"/>";
      }
      head += "</cols>";
    }
    head += "<sheetData>";
    std::string tail = "</sheetData>";
    if (!widths.empty()) tail += "<autoFilter ref=\"" + range + "\"/>";
    tail +=
        "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" "
        "footer=\"0.3\"/></worksheet>";

    rows_xml->end(Z_SYNC_FLUSH);
    Deflated head_part(level);
    head_part.add(head);
    head_part.end(Z_SYNC_FLUSH);
    Deflated tail_part(level);
    tail_part.add(tail);
    tail_part.end(Z_FINISH);
    if (!rows_xml->ok() || !head_part.ok() || !tail_part.ok()) {
      fail("compressing a sheet failed");
      return;
    }
    // One stream: the head's part, the rows', the tail's (each part's back-references stay
    // within itself, so the decoder's window spanning them changes nothing).
    SheetEntry entry{pending_name, widths.empty() ? "" : range, {}, head_part.crc(), 0};
    entry.crc =
        crc32_combine64(entry.crc, rows_xml->crc(), static_cast<z_off64_t>(rows_xml->length()));
    entry.crc =
        crc32_combine64(entry.crc, tail_part.crc(), static_cast<z_off64_t>(tail_part.length()));
    entry.length = head_part.length() + rows_xml->length() + tail_part.length();
    entry.deflated.reserve(head_part.bytes().size() + rows_xml->bytes().size() +
                           tail_part.bytes().size());
    entry.deflated.append(head_part.bytes()).append(rows_xml->bytes()).append(tail_part.bytes());
    rows_xml.reset();
    sheets.push_back(std::move(entry));
  }

  // A sheet's zip entry, deflated already.
  void write_sheet(std::size_t index) {
    if (zip == nullptr || !error.empty()) return;
    const SheetEntry& sheet = sheets[index];
    const int zip64 = sheet.length >= 0xFFFFFFFFu || sheet.deflated.size() >= 0xFFFFFFFFu ? 1 : 0;
    const std::string name = "xl/worksheets/sheet" + std::to_string(index + 1) + ".xml";
    zip_fileinfo info{};
    bool written = zipOpenNewFileInZip2_64(zip, name.c_str(), &info, nullptr, 0, nullptr, 0,
                                           nullptr, Z_DEFLATED, level, 1, zip64) == ZIP_OK;
    for (std::size_t at = 0; written && at < sheet.deflated.size(); at += 1u << 30) {
      const std::size_t size = std::min<std::size_t>(sheet.deflated.size() - at, 1u << 30);
      written = zipWriteInFileInZip(zip, sheet.deflated.data() + at, static_cast<unsigned>(size)) ==
                ZIP_OK;
    }
    written = written && zipCloseFileInZipRaw64(zip, sheet.length, sheet.crc) == ZIP_OK;
    if (!written) fail("cannot write " + name);
  }

  // The workbook: its own parts first ([Content_Types].xml leads, as tools that sniff a
  // file's type expect), then the sheets.
  void finish_book() {
    std::string types =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        "<Default Extension=\"rels\" "
        "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/"
        "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
        "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/"
        "vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>";
    std::string relations =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
    std::string workbook =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"";
    workbook += kMainNamespace;
    workbook += "\" xmlns:r=\"";
    workbook += kRelationships;
    workbook += "\"><workbookPr/><bookViews><workbookView/></bookViews><sheets>";
    std::string filters;
    for (std::size_t i = 0; i < sheets.size(); ++i) {
      const std::string number = std::to_string(i + 1);
      types += "<Override PartName=\"/xl/worksheets/sheet" + number +
               ".xml\" ContentType=\"application/"
               "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>";
      relations += "<Relationship Id=\"rId" + number +
                   "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                   "relationships/worksheet\" Target=\"worksheets/sheet" +
                   number + ".xml\"/>";
      workbook += "<sheet name=\"";
      append_xml_text(workbook, sheets[i].name);
      workbook += "\" sheetId=\"" + number + "\" r:id=\"rId" + number + "\"/>";
      if (!sheets[i].autofilter.empty()) {
        // The filter's range as Excel names it: 'sheet name'!$A$1:$K$3.
        std::string quoted = "'";
        for (const char c : sheets[i].name) {
          quoted += c;
          if (c == '\'') quoted += '\'';
        }
        quoted += "'!";
        const std::string& range = sheets[i].autofilter;
        const std::size_t colon = range.find(':');
        quoted += absolute(range.substr(0, colon)) + ":" + absolute(range.substr(colon + 1));
        filters += "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"" +
                   std::to_string(i) + "\" hidden=\"1\">";
        append_xml_text(filters, quoted);
        filters += "</definedName>";
      }
    }
    workbook += "</sheets>";
    if (!filters.empty()) workbook += "<definedNames>" + filters + "</definedNames>";
    workbook += "</workbook>";
    types += "</Types>";
    relations += "<Relationship Id=\"rId" + std::to_string(sheets.size() + 1) +
                 "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                 "relationships/styles\" Target=\"styles.xml\"/></Relationships>";
    write_part("[Content_Types].xml", types);
    write_part("_rels/.rels",
               "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
               "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
               "relationships\"><Relationship Id=\"rId1\" "
               "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
               "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
    write_part("xl/workbook.xml", workbook);
    write_part("xl/_rels/workbook.xml.rels", relations);
    write_part("xl/styles.xml", kStyles);
    for (std::size_t i = 0; i < sheets.size(); ++i)
      write_sheet(i);
  }
};

XlsxBook::XlsxBook(const std::filesystem::path& file, bool fast)
    : state_(std::make_unique<State>()) {
  state_->level = fast ? Z_BEST_SPEED : Z_DEFAULT_COMPRESSION;
  state_->zip = zipOpen64(file.c_str(), APPEND_STATUS_CREATE);
}

XlsxBook::~XlsxBook() {
  if (state_->zip != nullptr) zipClose(state_->zip, nullptr);
}

bool XlsxBook::open() const {
  return state_->zip != nullptr;
}

void XlsxBook::add_sheet(const std::string& name, const std::vector<std::string>& header,
                         int frozen_columns) {
  State& s = *state_;
  s.finish_sheet();
  // Excel's rules for a sheet's name: 1 to 31 characters, none of []:*?/\, not starting or
  // ending with ', unique whatever the case.
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::size_t characters = 0;
  for (const char c : name)
    characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  if (characters == 0 || characters > 31 || name.find_first_of("[]:*?/\\") != std::string::npos ||
      name.front() == '\'' || name.back() == '\'' || !s.lower_names.insert(lower).second) {
    s.fail("the sheet name '" + name + "' is not one a spreadsheet takes");
    return;
  }
  s.in_sheet = true;
  s.pending_name = name;
  s.rows_xml = std::make_unique<Deflated>(s.level);
  s.rows = 0;
  s.frozen_columns = std::max(frozen_columns, 0);
  s.widths.assign(header.size(), 0);
  s.start_row();
  for (std::size_t col = 0; col < header.size(); ++col) {
    s.add_text(col, header[col], kHeading);
    s.widths[col] = display_width(header[col]);
  }
  s.end_row();
}

void XlsxBook::add_row(const std::vector<SheetCell>& cells) {
  State& s = *state_;
  if (!s.in_sheet) return;
  if (s.rows >= kMaxRows) {
    s.fail("a sheet holds at most 1,048,576 rows");
    return;
  }
  if (s.widths.size() < cells.size()) s.widths.resize(cells.size(), 0);
  s.start_row();
  for (std::size_t col = 0; col < cells.size(); ++col) {
    const SheetCell& cell = cells[col];
    if (cell.number) {
      s.add_number(col, *cell.number, style_of(cell));
    } else if (!cell.text.empty()) {
      s.add_text(col, cell.text, kPlain);
    }
    s.widths[col] = std::max(s.widths[col], display_width(cell.text));
  }
  s.end_row();
}

Outcome<Ok> XlsxBook::close() {
  State& s = *state_;
  s.finish_sheet();
  if (s.sheets.empty() && s.error.empty()) s.fail("a workbook needs a sheet");
  s.finish_book();
  const bool closed = s.zip != nullptr && zipClose(s.zip, nullptr) == ZIP_OK;
  s.zip = nullptr;
  if (!closed) s.fail("closing the file failed");
  if (!s.error.empty()) {
    return engine::fail(Error{Error::Kind::storage, "writing the XLSX file failed: " + s.error});
  }
  return Ok{};
}

}  // namespace investflow::storage
