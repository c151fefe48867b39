#include "storage/tabular.hpp"

#include <expat.h>
#include <iconv.h>
#include <unzip.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "storage/csv.hpp"
#include "storage/import_values.hpp"

namespace investflow::storage {

TabularCell TabularCell::of_text(std::string text) {
  return {.kind = Kind::text, .text = std::move(text)};
}

TabularCell TabularCell::of_number(double number, std::string text) {
  return {.kind = Kind::number, .text = std::move(text), .number = number};
}

TabularCell TabularCell::of_date(engine::Date date, std::string text) {
  return {.kind = Kind::date, .text = std::move(text), .date = date};
}

TabularCell TabularCell::of_boolean(bool value, std::string text) {
  return {.kind = Kind::boolean, .text = std::move(text), .boolean = value};
}

std::string_view tabular_encodings() {
  return "utf-8, gb18030, gbk";
}

std::string column_letters(int column) {
  std::string letters;
  while (column > 0) {
    --column;
    letters.insert(letters.begin(), static_cast<char>('A' + column % 26));
    column /= 26;
  }
  return letters;
}

namespace {

using engine::LocalizedText;
using Error = TabularError;

std::string number_text(std::uint64_t n) {
  return std::to_string(n);
}

// A whole number attribute (numFmtId, s), or `fallback` when it is none.
int number_attribute(const char* text, int fallback) {
  if (text == nullptr) return fallback;
  int value = 0;
  const std::string_view digits(text);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return error == std::errc() && end == digits.data() + digits.size() ? value : fallback;
}

// How many styles, number formats, relationships and sheets a workbook may declare (Excel
// allows 64,000 styles); what is beyond is ignored.
constexpr std::size_t kMaxDeclarations = 100000;

// At most `bytes` bytes of `text` for a message, never cutting a UTF-8 sequence.
std::string excerpt(std::string_view text, std::size_t bytes = 30) {
  if (text.size() <= bytes) return std::string(text);
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80)
    --bytes;
  return std::string(text.substr(0, bytes)) + "…";
}

std::string mib(std::uint64_t bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

bool ends_with_ignoring_case(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), text.end() - static_cast<long>(suffix.size()),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

TabularCell text_cell(std::string text) {
  // A cell of blanks and invisible characters only holds nothing.
  if (clean_cell_text(text).empty()) return {};
  return TabularCell::of_text(std::move(text));
}

// Drops the empty cells at the end; false when nothing is left.
bool finish_row(TabularRow& row) {
  while (!row.cells.empty() && row.cells.back().is_empty())
    row.cells.pop_back();
  return !row.cells.empty();
}

// ---------------------------------------------------------------------------------------
// CSV

// The length of the UTF-8 sequence at `at` when it is valid (strictly: no overlong forms,
// no surrogates, nothing above U+10FFFF), else 0.
std::size_t utf8_sequence(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) {
    return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u;
  };
  const unsigned lead = byte(at);
  const auto continuation = [&](std::size_t i, unsigned low = 0x80, unsigned high = 0xBF) {
    return byte(i) >= low && byte(i) <= high && i < text.size();
  };
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(at + 1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    const unsigned low = lead == 0xE0 ? 0xA0 : 0x80;
    const unsigned high = lead == 0xED ? 0x9F : 0xBF;
    return continuation(at + 1, low, high) && continuation(at + 2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const unsigned low = lead == 0xF0 ? 0x90 : 0x80;
    const unsigned high = lead == 0xF4 ? 0x8F : 0xBF;
    return continuation(at + 1, low, high) && continuation(at + 2) && continuation(at + 3) ? 4 : 0;
  }
  return 0;
}

// Where the first invalid UTF-8 byte is, or npos.
std::size_t invalid_utf8_at(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

// Whether text that is not valid UTF-8 still reads as damaged UTF-8 rather than another
// encoding: nearly all its non-ASCII bytes form valid UTF-8 sequences (in GB18030 text only
// a few pairs do by chance), and there are enough of them to tell.
bool looks_like_damaged_utf8(std::string_view text) {
  std::size_t in_sequences = 0;
  std::size_t sequences = 0;
  std::size_t stray = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence(text, i);
    if (n == 0) {
      ++stray;
      ++i;
      continue;
    }
    if (n > 1) {
      in_sequences += n;
      ++sequences;
    }
    i += n;
  }
  return sequences >= 8 && in_sequences >= 9 * stray;
}

int line_at(std::string_view text, std::size_t offset) {
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

// `bytes` in `from` (an iconv name) as UTF-8, or the offset of the first byte that is not.
engine::Result<std::string, std::size_t> to_utf8(std::string_view bytes, const char* from) {
  const iconv_t converter = iconv_open("UTF-8", from);
  if (converter == reinterpret_cast<iconv_t>(-1)) return engine::fail(std::size_t{0});
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  char* write = out.data();
  std::size_t out_left = out.size();
  const std::size_t result = iconv(converter, &in, &in_left, &write, &out_left);
  iconv_close(converter);
  if (result == static_cast<std::size_t>(-1) || in_left != 0) {
    return engine::fail(static_cast<std::size_t>(in - bytes.data()));
  }
  out.resize(out.size() - out_left);
  return out;
}

Error csv_error(std::string zh, std::string en, int row = 0) {
  return Error{{std::move(zh), std::move(en)}, {}, row, 0};
}

Error encoding_error(std::string_view bytes, std::size_t offset, std::string_view tried_zh,
                     std::string_view tried_en) {
  const int line = line_at(bytes, offset);
  return csv_error("CSV 文件第 " + std::to_string(line) + " 行（第 " + number_text(offset + 1) +
                       " 字节）不是有效的" + std::string(tried_zh) +
                       " 文字：请在 Excel 中另存为“CSV UTF-8”，或用 --encoding 指定编码（" +
                       std::string(tabular_encodings()) + "）",
                   "the CSV file's line " + std::to_string(line) + " (byte " +
                       number_text(offset + 1) + ") is not valid " + std::string(tried_en) +
                       " text: save it as \"CSV UTF-8\", or name its encoding with --encoding (" +
                       std::string(tabular_encodings()) + ")",
                   line);
}

}  // namespace

engine::Result<Table, TabularError> read_csv_table(std::string_view bytes,
                                                   const TabularOptions& options) {
  const TabularLimits& limits = options.limits;
  if (bytes.size() > limits.file_bytes) {
    return engine::fail(csv_error("文件大于 " + mib(limits.file_bytes) + "，无法导入",
                                  "the file is larger than " + mib(limits.file_bytes)));
  }
  if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
    return engine::fail(
        csv_error("文件是 UTF-16 编码（Excel 的“Unicode 文本”）：请另存为“CSV UTF-8”后再导入",
                  "the file is UTF-16 (Excel's \"Unicode text\"): save it as \"CSV UTF-8\""));
  }
  if (const std::size_t nul = bytes.find('\0'); nul != std::string_view::npos) {
    return engine::fail(csv_error(
        "文件第 " + std::to_string(line_at(bytes, nul)) + " 行有空字符（NUL）：这不是 CSV 文本文件",
        "the file has a NUL byte on line " + std::to_string(line_at(bytes, nul)) +
            ": it is not a CSV text file",
        line_at(bytes, nul)));
  }

  std::string encoding = options.encoding;
  std::transform(encoding.begin(), encoding.end(), encoding.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (encoding == "utf8") encoding = "utf-8";
  if (encoding == "gb2312") encoding = "gbk";
  if (!encoding.empty() && encoding != "utf-8" && encoding != "gb18030" && encoding != "gbk") {
    return engine::fail(csv_error(
        "不认识的编码「" + options.encoding + "」：可用 " + std::string(tabular_encodings()),
        "unknown encoding '" + options.encoding + "': use one of " +
            std::string(tabular_encodings())));
  }

  Table table;
  table.format = Table::Format::csv;
  std::string text;
  const bool bom = bytes.starts_with("\xEF\xBB\xBF");
  if (encoding.empty() || encoding == "utf-8") {
    const std::size_t bad = invalid_utf8_at(bytes);
    if (bad == std::string_view::npos) {
      text = std::string(bytes);
      table.encoding = bom ? "utf-8-bom" : "utf-8";
    } else if (encoding == "utf-8" || looks_like_damaged_utf8(bytes)) {
      // Reading damaged UTF-8 as GB18030 would import mojibake: say where the damage is.
      return engine::fail(encoding_error(bytes, bad, "UTF-8", "UTF-8"));
    }
  }
  if (table.encoding.empty()) {
    const char* from = encoding == "gbk" ? "GBK" : "GB18030";
    auto converted = to_utf8(bytes, from);
    if (!converted) {
      if (encoding.empty()) {
        return engine::fail(
            encoding_error(bytes, converted.error(), "UTF-8 或 GB18030", "UTF-8 or GB18030"));
      }
      return engine::fail(encoding_error(bytes, converted.error(), from, from));
    }
    text = std::move(*converted);
    table.encoding = encoding.empty() ? "gb18030" : encoding;
  }

  std::istringstream in(std::move(text));
  CsvReader reader(in);
  std::uint64_t cells = 0;
  while (auto record = reader.next()) {
    const int line = reader.line();
    if (!reader.error().empty()) {
      return engine::fail(
          csv_error("CSV 文件第 " + std::to_string(line) + " 行开始的带引号单元格没有结束的引号",
                    "a quoted cell starting on line " + std::to_string(line) +
                        " of the CSV file is never closed",
                    line));
    }
    if (line > limits.rows) {
      return engine::fail(
          csv_error("文件超过 " + std::to_string(limits.rows) + " 行，无法导入",
                    "the file has more than " + std::to_string(limits.rows) + " lines", line));
    }
    if (record->size() > static_cast<std::size_t>(limits.columns)) {
      return engine::fail(csv_error("CSV 文件第 " + std::to_string(line) + " 行超过 " +
                                        std::to_string(limits.columns) + " 列",
                                    "line " + std::to_string(line) +
                                        " of the CSV file has more than " +
                                        std::to_string(limits.columns) + " columns",
                                    line));
    }
    TabularRow row;
    row.source_row = line;
    for (std::size_t i = 0; i < record->size(); ++i) {
      std::string& cell = (*record)[i];
      if (cell.size() > limits.cell_bytes) {
        const std::string at = column_letters(static_cast<int>(i) + 1);
        return engine::fail(
            Error{{"CSV 文件第 " + std::to_string(line) + " 行第 " + at + " 列的内容太长（超过 " +
                       number_text(limits.cell_bytes) + " 字节）",
                   "line " + std::to_string(line) + ", column " + at +
                       " of the CSV file is too long (more than " + number_text(limits.cell_bytes) +
                       " bytes)"},
                  {},
                  line,
                  static_cast<int>(i) + 1});
      }
      row.cells.push_back(text_cell(from_spreadsheet_text(std::move(cell))));
    }
    if (!finish_row(row)) continue;
    cells += row.cells.size();
    if (cells > limits.cells) {
      return engine::fail(
          csv_error("文件超过 " + number_text(limits.cells) + " 个单元格，无法导入",
                    "the file has more than " + number_text(limits.cells) + " cells", line));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

// -----------------------------------------------------------------------------------------
// XLSX

namespace {

// The file in memory, as minizip's I/O functions see it.
struct MemoryFile {
  std::string_view bytes;
  std::uint64_t position = 0;
};

voidpf ZCALLBACK memory_open(voidpf opaque, const void*, int) {
  static_cast<MemoryFile*>(opaque)->position = 0;
  return opaque;
}

uLong ZCALLBACK memory_read(voidpf, voidpf stream, void* buffer, uLong size) {
  auto* file = static_cast<MemoryFile*>(stream);
  if (file->position >= file->bytes.size()) return 0;
  const std::uint64_t n = std::min<std::uint64_t>(size, file->bytes.size() - file->position);
  std::memcpy(buffer, file->bytes.data() + file->position, n);
  file->position += n;
  return static_cast<uLong>(n);
}

uLong ZCALLBACK memory_write(voidpf, voidpf, const void*, uLong) {
  return 0;
}

ZPOS64_T ZCALLBACK memory_tell(voidpf, voidpf stream) {
  return static_cast<MemoryFile*>(stream)->position;
}

long ZCALLBACK memory_seek(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
  auto* file = static_cast<MemoryFile*>(stream);
  std::uint64_t base = 0;
  switch (origin) {
    case ZLIB_FILEFUNC_SEEK_SET:
      base = 0;
      break;
    case ZLIB_FILEFUNC_SEEK_CUR:
      base = file->position;
      break;
    case ZLIB_FILEFUNC_SEEK_END:
      base = file->bytes.size();
      break;
    default:
      return -1;
  }
  if (offset > file->bytes.size() || base + offset > file->bytes.size()) return -1;
  file->position = base + offset;
  return 0;
}

int ZCALLBACK memory_close(voidpf, voidpf) {
  return 0;
}
int ZCALLBACK memory_error(voidpf, voidpf) {
  return 0;
}

std::string local_name(const XML_Char* name) {
  const char* separator = std::strrchr(name, '\x01');
  return separator != nullptr ? separator + 1 : name;
}

const char* attribute(const XML_Char** attributes, std::string_view name) {
  for (int i = 0; attributes[i] != nullptr; i += 2) {
    const char* separator = std::strrchr(attributes[i], '\x01');
    if ((separator != nullptr ? separator + 1 : attributes[i]) == name) return attributes[i + 1];
  }
  return nullptr;
}

// What one XML part is read for: its elements (by local name) and text.
class XmlReader {
 public:
  virtual ~XmlReader() = default;
  virtual void start(const std::string& name, const XML_Char** attributes) = 0;
  virtual void end(const std::string& name) = 0;
  virtual void text(std::string_view) {}
  // Set by the reader to stop the parse with its own error.
  std::optional<Error> error;
};

struct Place {
  std::string sheet;  // the sheet's name, for sheet parts
  std::string part;
};

Error part_error(const Place& place, std::string zh, std::string en, int row = 0, int column = 0) {
  std::string where_zh = place.sheet.empty()
                             ? "文件中的 " + place.part
                             : "工作表「" + place.sheet + "」（" + place.part + "）";
  std::string where_en =
      place.sheet.empty() ? place.part : "sheet '" + place.sheet + "' (" + place.part + ")";
  if (row > 0 && column > 0) {
    const std::string cell = column_letters(column) + std::to_string(row);
    where_zh += " " + cell + " 单元格";
    where_en += ", cell " + cell;
  } else if (row > 0) {
    where_zh += " 第 " + std::to_string(row) + " 行";
    where_en += ", row " + std::to_string(row);
  }
  return Error{{where_zh + "：" + zh, where_en + ": " + en}, place.part, row, column};
}

class Package {
 public:
  Package(std::string_view bytes, const TabularLimits& limits) : file_{bytes}, limits_(limits) {
    zlib_filefunc64_def io{};
    io.zopen64_file = memory_open;
    io.zread_file = memory_read;
    io.zwrite_file = memory_write;
    io.ztell64_file = memory_tell;
    io.zseek64_file = memory_seek;
    io.zclose_file = memory_close;
    io.zerror_file = memory_error;
    io.opaque = &file_;
    zip_ = unzOpen2_64("memory", &io);
  }
  ~Package() {
    if (zip_ != nullptr) unzClose(zip_);
  }
  Package(const Package&) = delete;
  Package& operator=(const Package&) = delete;

  std::optional<Error> open_error() const {
    if (zip_ == nullptr) {
      return Error{{"文件不是有效的 xlsx（zip 压缩包损坏或不完整）",
                    "the file is not a valid xlsx (a damaged or incomplete zip archive)"},
                   "zip",
                   0,
                   0};
    }
    unz_global_info64 info{};
    if (unzGetGlobalInfo64(zip_, &info) != UNZ_OK) {
      return Error{{"文件不是有效的 xlsx（无法读取 zip 目录）",
                    "the file is not a valid xlsx (its zip directory cannot be read)"},
                   "zip",
                   0,
                   0};
    }
    if (info.number_entry > limits_.zip_entries) {
      return Error{
          {"xlsx 压缩包中的文件超过 " + number_text(limits_.zip_entries) + " 个",
           "the xlsx archive holds more than " + number_text(limits_.zip_entries) + " files"},
          "zip",
          0,
          0};
    }
    return std::nullopt;
  }

  bool has(const std::string& part) const { return locate(part); }

  // Parses `place.part` through `reader`; an error names the part (and what the reader says).
  std::optional<Error> parse(const Place& place, XmlReader& reader) {
    if (!locate(place.part)) {
      return part_error(place, "缺少这一部分", "this part is missing");
    }
    unz_file_info64 info{};
    if (unzGetCurrentFileInfo64(zip_, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK) {
      return part_error(place, "无法读取", "cannot be read");
    }
    if (info.uncompressed_size > limits_.part_bytes) {
      return too_large(place);
    }
    if (info.uncompressed_size > (1u << 20) &&
        static_cast<double>(info.uncompressed_size) >
            limits_.compression_ratio *
                static_cast<double>(std::max<ZPOS64_T>(info.compressed_size, 1))) {
      return part_error(place, "压缩比异常（疑似“压缩炸弹”），拒绝读取",
                        "its compression ratio is implausible (a zip bomb?); not read");
    }
    if ((info.flag & 1u) != 0 || unzOpenCurrentFile(zip_) != UNZ_OK) {
      return part_error(place, "无法解压（文件可能已加密或损坏）",
                        "cannot be decompressed (encrypted or damaged)");
    }
    const std::unique_ptr<std::remove_pointer_t<XML_Parser>, decltype(&XML_ParserFree)> parser(
        XML_ParserCreateNS(nullptr, '\x01'), &XML_ParserFree);
    Context context{&reader, parser.get(), limits_.xml_depth, 0, std::nullopt};
    XML_SetUserData(parser.get(), &context);
    XML_SetElementHandler(parser.get(), on_start, on_end);
    XML_SetCharacterDataHandler(parser.get(), on_text);
    XML_SetStartDoctypeDeclHandler(parser.get(), on_doctype);
    XML_SetEntityDeclHandler(parser.get(), on_entity);

    std::optional<Error> result;
    std::uint64_t part_read = 0;
    char buffer[1 << 16];
    for (;;) {
      const int n = unzReadCurrentFile(zip_, buffer, sizeof buffer);
      if (n < 0) {
        result = part_error(place, "解压出错（文件损坏）", "decompression failed (damaged file)");
        break;
      }
      part_read += static_cast<std::uint64_t>(n);
      total_read_ += static_cast<std::uint64_t>(n);
      if (part_read > limits_.part_bytes) {
        result = too_large(place);
        break;
      }
      if (total_read_ > limits_.total_bytes) {
        result = part_error(
            place, "解压后的内容合计超过 " + mib(limits_.total_bytes) + "，拒绝读取",
            "the parts read exceed " + mib(limits_.total_bytes) + " uncompressed; not read");
        break;
      }
      if (XML_Parse(parser.get(), buffer, n, n == 0 ? XML_TRUE : XML_FALSE) == XML_STATUS_ERROR) {
        if (reader.error) {
          result = std::move(reader.error);
        } else if (context.refused) {
          result = part_error(place, context.refused->zh, context.refused->en);
        } else {
          const std::string line = std::to_string(XML_GetCurrentLineNumber(parser.get()));
          const std::string what = XML_ErrorString(XML_GetErrorCode(parser.get()));
          result = part_error(place, "XML 第 " + line + " 行有错（" + what + "）",
                              "XML error on line " + line + " (" + what + ")");
        }
        break;
      }
      if (n == 0) break;
    }
    const int closed = unzCloseCurrentFile(zip_);
    if (!result && closed == UNZ_CRCERROR) {
      result = part_error(place, "校验和不符（文件损坏）", "its checksum does not match (damaged)");
    }
    return result;
  }

 private:
  struct Context {
    XmlReader* reader;
    XML_Parser parser;
    int max_depth;
    int depth;
    std::optional<LocalizedText> refused;
  };

  static void stop(Context& context) { XML_StopParser(context.parser, XML_FALSE); }

  static void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char** attributes) {
    auto& context = *static_cast<Context*>(data);
    if (++context.depth > context.max_depth) {
      context.refused = LocalizedText{
          "XML 嵌套超过 " + std::to_string(context.max_depth) + " 层",
          "XML nested more than " + std::to_string(context.max_depth) + " levels deep"};
      return stop(context);
    }
    context.reader->start(local_name(name), attributes);
    if (context.reader->error) stop(context);
  }

  static void XMLCALL on_end(void* data, const XML_Char* name) {
    auto& context = *static_cast<Context*>(data);
    --context.depth;
    context.reader->end(local_name(name));
    if (context.reader->error) stop(context);
  }

  static void XMLCALL on_text(void* data, const XML_Char* text, int length) {
    auto& context = *static_cast<Context*>(data);
    context.reader->text(std::string_view(text, static_cast<std::size_t>(length)));
    if (context.reader->error) stop(context);
  }

  static void XMLCALL on_doctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*,
                                 int) {
    auto& context = *static_cast<Context*>(data);
    context.refused = LocalizedText{"含有 DTD（xlsx 文件中不应出现），拒绝读取",
                                    "holds a DTD (no xlsx part has one); not read"};
    stop(context);
  }

  static void XMLCALL on_entity(void* data, const XML_Char*, int, const XML_Char*, int,
                                const XML_Char*, const XML_Char*, const XML_Char*,
                                const XML_Char*) {
    auto& context = *static_cast<Context*>(data);
    context.refused = LocalizedText{"声明了实体，拒绝读取", "declares entities; not read"};
    stop(context);
  }

  Error too_large(const Place& place) const {
    return part_error(place, "解压后超过 " + mib(limits_.part_bytes) + "，拒绝读取",
                      "larger than " + mib(limits_.part_bytes) + " uncompressed; not read");
  }

  bool locate(const std::string& part) const {
    if (zip_ == nullptr || part.empty()) return false;
    return unzLocateFile(zip_, part.c_str(), 1) == UNZ_OK ||
           unzLocateFile(zip_, part.c_str(), 2) == UNZ_OK;
  }

  MemoryFile file_;
  const TabularLimits& limits_;
  unzFile zip_ = nullptr;
  std::uint64_t total_read_ = 0;
};

// A part name relative to the part `from` refers to: "worksheets/sheet1.xml" from
// "xl/workbook.xml" is "xl/worksheets/sheet1.xml"; "/xl/styles.xml" is "xl/styles.xml".
std::string resolve_part(std::string_view from, std::string_view target) {
  std::vector<std::string> parts;
  const auto add = [&](std::string_view path) {
    for (std::size_t start = 0; start <= path.size();) {
      const std::size_t end = std::min(path.find('/', start), path.size());
      const std::string_view piece = path.substr(start, end - start);
      if (piece == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!piece.empty() && piece != ".") {
        parts.emplace_back(piece);
      }
      start = end + 1;
    }
  };
  if (!target.starts_with('/')) {
    const std::size_t slash = from.rfind('/');
    add(slash == std::string_view::npos ? std::string_view() : from.substr(0, slash));
  }
  add(target);
  std::string joined;
  for (const std::string& piece : parts)
    joined += (joined.empty() ? "" : "/") + piece;
  return joined;
}

// The relationships file of a part: "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels".
std::string relationships_part(std::string_view part) {
  const std::size_t slash = part.rfind('/');
  if (slash == std::string_view::npos) return "_rels/" + std::string(part) + ".rels";
  return std::string(part.substr(0, slash)) + "/_rels/" + std::string(part.substr(slash + 1)) +
         ".rels";
}

struct Relationship {
  std::string type;  // the last path segment of the Type URI: officeDocument, worksheet, ...
  std::string target;
};

class RelationshipsReader : public XmlReader {
 public:
  std::map<std::string, Relationship> by_id;
  std::vector<Relationship> in_order;

  void start(const std::string& name, const XML_Char** attributes) override {
    if (name != "Relationship" || in_order.size() >= kMaxDeclarations) return;
    const char* id = attribute(attributes, "Id");
    const char* type = attribute(attributes, "Type");
    const char* target = attribute(attributes, "Target");
    const char* mode = attribute(attributes, "TargetMode");
    if (type == nullptr || target == nullptr ||
        (mode != nullptr && std::string_view(mode) == "External")) {
      return;
    }
    std::string_view kind = type;
    kind = kind.substr(kind.rfind('/') + 1);
    Relationship relationship{std::string(kind), target};
    if (id != nullptr) by_id.emplace(id, relationship);
    in_order.push_back(std::move(relationship));
  }
  void end(const std::string&) override {}

  std::optional<std::string> first(std::string_view type) const {
    for (const Relationship& relationship : in_order) {
      if (relationship.type == type) return relationship.target;
    }
    return std::nullopt;
  }
};

struct SheetEntry {
  std::string name;
  std::string relationship;
  bool hidden = false;
};

class WorkbookReader : public XmlReader {
 public:
  std::vector<SheetEntry> sheets;
  bool date1904 = false;

  void start(const std::string& name, const XML_Char** attributes) override {
    if (name == "workbookPr") {
      if (const char* value = attribute(attributes, "date1904")) {
        date1904 = std::string_view(value) == "1" || std::string_view(value) == "true";
      }
    } else if (name == "sheet" && sheets.size() < kMaxDeclarations) {
      const char* sheet_name = attribute(attributes, "name");
      const char* id = attribute(attributes, "id");
      const char* state = attribute(attributes, "state");
      sheets.push_back({sheet_name != nullptr ? sheet_name : "", id != nullptr ? id : "",
                        state != nullptr && std::string_view(state) != "visible"});
    }
  }
  void end(const std::string&) override {}
};

// Accumulates the text of <t> elements (outside phonetic runs, <rPh>) within a limit.
class TextCollector {
 public:
  explicit TextCollector(std::size_t limit) : limit_(limit) {}
  void start(const std::string& name) {
    if (name == "rPh") ++phonetic_;
    if (name == "t" && phonetic_ == 0) in_t_ = true;
  }
  void end(const std::string& name) {
    if (name == "rPh") --phonetic_;
    if (name == "t") in_t_ = false;
  }
  // False when the text is longer than the limit.
  bool text(std::string_view text) {
    if (!in_t_) return true;
    if (text_.size() + text.size() > limit_) return false;
    text_ += text;
    return true;
  }
  std::string take() {
    in_t_ = false;
    phonetic_ = 0;
    return std::exchange(text_, {});
  }

 private:
  std::size_t limit_;
  std::string text_;
  bool in_t_ = false;
  int phonetic_ = 0;
};

// OOXML escapes characters XML cannot hold as _xHHHH_ (_x000D_ for a carriage return).
std::string unescape_ooxml(std::string text) {
  if (text.find("_x") == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "_x") == 0 && i + 6 < text.size() && text[i + 6] == '_') {
      unsigned code = 0;
      const auto [end, error] = std::from_chars(text.data() + i + 2, text.data() + i + 6, code, 16);
      if (error == std::errc() && end == text.data() + i + 6) {
        if (code < 0x80) {
          if (code >= 0x20 || code == '\t' || code == '\n' || code == '\r') {
            out.push_back(static_cast<char>(code));
          }
        } else if (code < 0x800) {
          out.push_back(static_cast<char>(0xC0 | (code >> 6)));
          out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else if (code < 0xD800 || code > 0xDFFF) {
          out.push_back(static_cast<char>(0xE0 | (code >> 12)));
          out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        }
        i += 6;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

class SharedStringsReader : public XmlReader {
 public:
  SharedStringsReader(const Place& place, const TabularLimits& limits)
      : place_(place), limits_(limits), collector_(limits.cell_bytes) {}
  std::vector<std::string> strings;

  void start(const std::string& name, const XML_Char**) override {
    if (name == "si") {
      in_si_ = true;
      collector_.take();
      if (strings.size() >= limits_.cells) {
        error = part_error(place_, "共享字符串超过 " + number_text(limits_.cells) + " 个",
                           "more than " + number_text(limits_.cells) + " shared strings");
      }
    } else if (in_si_) {
      collector_.start(name);
    }
  }
  void end(const std::string& name) override {
    if (name == "si") {
      in_si_ = false;
      strings.push_back(unescape_ooxml(collector_.take()));
    } else if (in_si_) {
      collector_.end(name);
    }
  }
  void text(std::string_view text) override {
    if (in_si_ && !collector_.text(text)) {
      error = part_error(place_,
                         "第 " + std::to_string(strings.size() + 1) + " 个共享字符串超过 " +
                             number_text(limits_.cell_bytes) + " 字节",
                         "shared string " + std::to_string(strings.size() + 1) +
                             " is longer than " + number_text(limits_.cell_bytes) + " bytes");
    }
  }

 private:
  const Place& place_;
  const TabularLimits& limits_;
  TextCollector collector_;
  bool in_si_ = false;
};

enum class NumberStyle { plain, date, percent };

// What a number format shows: a date (y m d h s outside quotes, brackets and escapes), a
// percentage (% likewise), or a plain number.
NumberStyle style_of_format(std::string_view code) {
  bool date = false;
  bool percent = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '"') {
      const std::size_t close = code.find('"', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '[') {
      const std::size_t close = code.find(']', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;  // an escaped character, a space as wide as one, a fill character
    } else if (std::string_view("ymdhsYMDHS").find(c) != std::string_view::npos) {
      date = true;
    } else if (c == '%') {
      percent = true;
    }
  }
  if (date) return NumberStyle::date;
  return percent ? NumberStyle::percent : NumberStyle::plain;
}

NumberStyle style_of_builtin(int id) {
  // 14-22 and 45-47 everywhere; 27-36 and 50-58 are the dates of the East Asian locales
  // (zh-CN Excel writes 31 for yyyy"年"m"月"d"日" without spelling the format out).
  if ((id >= 14 && id <= 22) || (id >= 45 && id <= 47) || (id >= 27 && id <= 36) ||
      (id >= 50 && id <= 58)) {
    return NumberStyle::date;
  }
  if (id == 9 || id == 10) return NumberStyle::percent;
  return NumberStyle::plain;
}

class StylesReader : public XmlReader {
 public:
  std::vector<NumberStyle> by_xf;

  void start(const std::string& name, const XML_Char** attributes) override {
    if (name == "numFmt") {
      const char* id = attribute(attributes, "numFmtId");
      const char* code = attribute(attributes, "formatCode");
      if (id != nullptr && code != nullptr && formats_.size() < kMaxDeclarations) {
        formats_[number_attribute(id, -1)] = style_of_format(code);
      }
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_ && by_xf.size() < kMaxDeclarations) {
      const int format = number_attribute(attribute(attributes, "numFmtId"), 0);
      const auto custom = formats_.find(format);
      by_xf.push_back(custom != formats_.end() ? custom->second : style_of_builtin(format));
    }
  }
  void end(const std::string& name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }

 private:
  std::map<int, NumberStyle> formats_;
  bool in_cell_xfs_ = false;
};

// "B12" -> column 2 (the row is given by <row r>); 0 when `ref` has no letters.
int column_of_reference(std::string_view ref) {
  int column = 0;
  std::size_t i = 0;
  for (; i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i])); ++i) {
    column = column * 26 + (std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
    if (column > 1 << 20) return -1;
  }
  return column;
}

std::optional<int> parse_positive(std::string_view digits) {
  int value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || value < 1) {
    return std::nullopt;
  }
  return value;
}

class SheetReader : public XmlReader {
 public:
  SheetReader(const Place& place, const TabularLimits& limits,
              const std::vector<std::string>& strings, const std::vector<NumberStyle>& styles,
              bool date1904, std::vector<TabularRow>& rows)
      : place_(place),
        limits_(limits),
        strings_(strings),
        styles_(styles),
        date1904_(date1904),
        rows_(rows),
        inline_text_(limits.cell_bytes) {}

  void start(const std::string& name, const XML_Char** attributes) override {
    if (name == "sheetData") {
      in_data_ = true;
    } else if (!in_data_) {
      return;
    } else if (name == "row") {
      start_row(attribute(attributes, "r"));
    } else if (name == "c" && in_row_) {
      start_cell(attributes);
    } else if (in_cell_) {
      if (name == "v") {
        in_v_ = true;
      } else if (name == "is") {
        in_is_ = true;
      } else if (in_is_) {
        inline_text_.start(name);
      }
    }
  }

  void end(const std::string& name) override {
    if (!in_data_) return;
    if (name == "sheetData") {
      in_data_ = false;
    } else if (name == "row" && in_row_) {
      end_row();
    } else if (name == "c" && in_cell_) {
      end_cell();
    } else if (name == "v") {
      in_v_ = false;
    } else if (name == "is") {
      in_is_ = false;
    } else if (in_is_) {
      inline_text_.end(name);
    }
  }

  void text(std::string_view text) override {
    if (!in_cell_) return;
    bool fits = true;
    if (in_v_) {
      fits = value_.size() + text.size() <= limits_.cell_bytes;
      if (fits) value_ += text;
    } else if (in_is_) {
      fits = inline_text_.text(text);
    }
    if (!fits) {
      fail("内容超过 " + number_text(limits_.cell_bytes) + " 字节",
           "longer than " + number_text(limits_.cell_bytes) + " bytes");
    }
  }

 private:
  void fail(std::string zh, std::string en) {
    if (!error) error = part_error(place_, std::move(zh), std::move(en), row_.source_row, column_);
  }

  void start_row(const char* r) {
    int number = row_.source_row + 1;
    if (r != nullptr) {
      const auto parsed = parse_positive(r);
      if (!parsed) {
        row_.source_row = 0;
        return fail("行号「" + excerpt(r) + "」无效",
                    "the row number '" + excerpt(r) + "' is not valid");
      }
      number = *parsed;
    }
    if (number <= last_row_) {
      row_.source_row = number;
      return fail("行号重复或倒序", "the row number repeats or goes backwards");
    }
    if (number > limits_.rows) {
      row_.source_row = number;
      return fail("超过 " + std::to_string(limits_.rows) + " 行，无法导入",
                  "beyond the limit of " + std::to_string(limits_.rows) + " rows");
    }
    in_row_ = true;
    row_.source_row = number;
    row_.cells.clear();
    column_ = 0;
  }

  void end_row() {
    in_row_ = false;
    last_row_ = row_.source_row;
    // Only non-empty cells were set, so nothing is trimmed: `allocated_` stays right.
    if (finish_row(row_)) rows_.push_back(std::move(row_));
    row_ = TabularRow{};
    row_.source_row = last_row_;
  }

  void start_cell(const XML_Char** attributes) {
    int column = column_ + 1;
    if (const char* r = attribute(attributes, "r")) {
      const int parsed = column_of_reference(r);
      if (parsed > 0) column = parsed;
      if (parsed < 0) {
        return fail("单元格引用「" + excerpt(r) + "」无效",
                    "the cell reference '" + excerpt(r) + "' is not valid");
      }
    }
    if (column <= column_) {
      column_ = column;
      return fail("单元格重复或倒序", "the cell repeats or goes backwards");
    }
    column_ = column;
    if (column > limits_.columns) {
      return fail("超过 " + std::to_string(limits_.columns) + " 列（" +
                      column_letters(limits_.columns) + " 列）",
                  "beyond the limit of " + std::to_string(limits_.columns) + " columns (" +
                      column_letters(limits_.columns) + ")");
    }
    const char* t = attribute(attributes, "t");
    type_ = t != nullptr ? t : "n";
    style_ = number_attribute(attribute(attributes, "s"), 0);
    in_cell_ = true;
    value_.clear();
    inline_text_.take();
  }

  void end_cell() {
    in_cell_ = false;
    in_v_ = false;
    in_is_ = false;
    std::optional<TabularCell> cell = read_cell();
    if (!cell || error) return;
    if (cell->is_empty()) return;
    const std::size_t index = static_cast<std::size_t>(column_) - 1;
    if (index >= row_.cells.size()) {
      allocated_ += index + 1 - row_.cells.size();
      if (allocated_ > limits_.cells) {
        return fail("工作表超过 " + number_text(limits_.cells) + " 个单元格，无法导入",
                    "the sheet has more than " + number_text(limits_.cells) + " cells");
      }
      row_.cells.resize(index + 1);
    }
    row_.cells[index] = std::move(*cell);
  }

  std::optional<TabularCell> read_cell() {
    if (type_ == "s") {
      if (value_.empty()) return TabularCell{};
      std::size_t at = 0;
      const auto [end, problem] = std::from_chars(value_.data(), value_.data() + value_.size(), at);
      if (problem != std::errc() || end != value_.data() + value_.size() || at >= strings_.size()) {
        fail("共享字符串序号「" + excerpt(value_) + "」不存在",
             "the shared string '" + excerpt(value_) + "' does not exist");
        return std::nullopt;
      }
      return text_cell(strings_[at]);
    }
    if (type_ == "inlineStr") return text_cell(unescape_ooxml(inline_text_.take()));
    if (type_ == "str") return text_cell(unescape_ooxml(value_));
    if (type_ == "e") {
      if (value_.empty()) return TabularCell{};
      TabularCell cell = TabularCell::of_text(value_);
      cell.error = true;
      return cell;
    }
    if (type_ == "b") {
      if (value_ == "1" || value_ == "true") return TabularCell::of_boolean(true, value_);
      if (value_ == "0" || value_ == "false") return TabularCell::of_boolean(false, value_);
      if (value_.empty()) return TabularCell{};
      fail("「" + excerpt(value_) + "」不是逻辑值", "'" + excerpt(value_) + "' is not a boolean");
      return std::nullopt;
    }
    if (type_ == "d") {
      if (value_.empty()) return TabularCell{};
      if (const auto date = engine::Date::parse(std::string_view(value_).substr(0, 10))) {
        return TabularCell::of_date(*date, value_);
      }
      fail("「" + excerpt(value_) + "」不是日期", "'" + excerpt(value_) + "' is not a date");
      return std::nullopt;
    }
    // A number (t="n" or no t).
    if (value_.empty()) return TabularCell{};
    double number = 0;
    const auto [end, problem] =
        std::from_chars(value_.data(), value_.data() + value_.size(), number);
    if (problem != std::errc() || end != value_.data() + value_.size() || !std::isfinite(number)) {
      fail("「" + excerpt(value_) + "」不是数字", "'" + excerpt(value_) + "' is not a number");
      return std::nullopt;
    }
    const NumberStyle style = style_ >= 0 && static_cast<std::size_t>(style_) < styles_.size()
                                  ? styles_[static_cast<std::size_t>(style_)]
                                  : NumberStyle::plain;
    if (style == NumberStyle::date) {
      if (const auto date = excel_serial_date(number, date1904_)) {
        return TabularCell::of_date(*date, value_);
      }
    }
    TabularCell cell = TabularCell::of_number(number, value_);
    cell.percent = style == NumberStyle::percent;
    return cell;
  }

  const Place& place_;
  const TabularLimits& limits_;
  const std::vector<std::string>& strings_;
  const std::vector<NumberStyle>& styles_;
  bool date1904_;
  std::vector<TabularRow>& rows_;

  bool in_data_ = false;
  bool in_row_ = false;
  bool in_cell_ = false;
  bool in_v_ = false;
  bool in_is_ = false;
  int last_row_ = 0;
  int column_ = 0;
  TabularRow row_;
  std::string type_;
  int style_ = 0;
  std::string value_;
  TextCollector inline_text_;
  std::uint64_t allocated_ = 0;
};

Error workbook_error(std::string zh, std::string en) {
  return Error{{std::move(zh), std::move(en)}, {}, 0, 0};
}

std::string sheet_list(const std::vector<std::string>& names, std::string_view separator) {
  std::string list;
  for (const std::string& name : names)
    list += (list.empty() ? "" : std::string(separator)) + name;
  return list;
}

}  // namespace

engine::Result<Table, TabularError> read_xlsx_table(std::string_view bytes,
                                                    const TabularOptions& options) {
  const TabularLimits& limits = options.limits;
  if (bytes.size() > limits.file_bytes) {
    return engine::fail(workbook_error("文件大于 " + mib(limits.file_bytes) + "，无法导入",
                                       "the file is larger than " + mib(limits.file_bytes)));
  }
  Package package(bytes, limits);
  if (auto error = package.open_error()) return engine::fail(std::move(*error));

  // The package's relationships name the workbook part (xl/workbook.xml by convention).
  std::string workbook_part = "xl/workbook.xml";
  if (package.has("_rels/.rels")) {
    RelationshipsReader root;
    if (auto error = package.parse({{}, "_rels/.rels"}, root))
      return engine::fail(std::move(*error));
    if (auto target = root.first("officeDocument")) workbook_part = resolve_part("", *target);
  }
  if (!package.has(workbook_part)) {
    return engine::fail(workbook_error(
        "文件是压缩包，但不是 Excel 工作簿（.xlsx）：请在表格软件中另存为 .xlsx 或 CSV",
        "the file is a zip archive but no Excel workbook (.xlsx): save it as .xlsx or CSV"));
  }
  WorkbookReader workbook;
  if (auto error = package.parse({{}, workbook_part}, workbook)) {
    return engine::fail(std::move(*error));
  }
  RelationshipsReader relationships;
  const std::string relationships_name = relationships_part(workbook_part);
  if (auto error = package.parse({{}, relationships_name}, relationships)) {
    return engine::fail(std::move(*error));
  }

  Table table;
  table.format = Table::Format::xlsx;
  table.date1904 = workbook.date1904;
  for (const SheetEntry& sheet : workbook.sheets)
    table.sheets.push_back(sheet.name);
  if (workbook.sheets.empty()) {
    return engine::fail(workbook_error("工作簿中没有工作表", "the workbook has no sheet"));
  }
  const SheetEntry* chosen = nullptr;
  if (options.sheet.empty()) {
    for (const SheetEntry& sheet : workbook.sheets) {
      if (!sheet.hidden) {
        chosen = &sheet;
        break;
      }
    }
    if (chosen == nullptr) chosen = &workbook.sheets.front();
  } else {
    for (const SheetEntry& sheet : workbook.sheets) {
      if (sheet.name == options.sheet) chosen = &sheet;
    }
    if (chosen == nullptr) {
      return engine::fail(workbook_error("工作簿中没有名为「" + options.sheet +
                                             "」的工作表；现有：" + sheet_list(table.sheets, "、"),
                                         "the workbook has no sheet named '" + options.sheet +
                                             "'; its sheets: " + sheet_list(table.sheets, ", ")));
    }
  }
  table.sheet = chosen->name;
  const auto relationship = relationships.by_id.find(chosen->relationship);
  if (relationship == relationships.by_id.end()) {
    return engine::fail(part_error({{}, relationships_name},
                                   "找不到工作表「" + chosen->name + "」的位置",
                                   "does not say where the sheet '" + chosen->name + "' is"));
  }
  if (relationship->second.type != "worksheet") {
    return engine::fail(workbook_error(
        "「" + chosen->name + "」不是数据工作表（可能是图表）：请用 --sheet 指定数据所在的工作表",
        "'" + chosen->name +
            "' is not a worksheet (a chart?): name the data's sheet with --sheet"));
  }

  StylesReader styles;
  if (auto target = relationships.first("styles")) {
    const std::string part = resolve_part(workbook_part, *target);
    if (package.has(part)) {
      if (auto error = package.parse({{}, part}, styles)) return engine::fail(std::move(*error));
    }
  }
  Place shared{{}, {}};
  SharedStringsReader strings(shared, limits);
  if (auto target = relationships.first("sharedStrings")) {
    shared.part = resolve_part(workbook_part, *target);
    if (package.has(shared.part)) {
      if (auto error = package.parse(shared, strings)) return engine::fail(std::move(*error));
    }
  }
  const Place sheet_place{chosen->name, resolve_part(workbook_part, relationship->second.target)};
  SheetReader sheet(sheet_place, limits, strings.strings, styles.by_xf, workbook.date1904,
                    table.rows);
  if (auto error = package.parse(sheet_place, sheet)) return engine::fail(std::move(*error));
  return table;
}

engine::Result<Table, TabularError> read_table(std::string_view bytes, std::string_view file_name,
                                               const TabularOptions& options) {
  if (bytes.starts_with("PK\x03\x04") || bytes.starts_with("PK\x05\x06")) {
    return read_xlsx_table(bytes, options);
  }
  if (bytes.starts_with("\xD0\xCF\x11\xE0")) {
    return engine::fail(workbook_error(
        "这是旧版 Excel 文件（.xls）或加密的工作簿：请在 Excel 中另存为 .xlsx 或“CSV "
        "UTF-8”后再导入",
        "this is an old Excel file (.xls) or an encrypted workbook: save it as .xlsx or "
        "\"CSV UTF-8\" first"));
  }
  if (ends_with_ignoring_case(file_name, ".xlsx") || ends_with_ignoring_case(file_name, ".xlsm")) {
    return engine::fail(workbook_error(
        "文件名是 .xlsx，但内容不是 xlsx 工作簿（文件可能已损坏或只是改了扩展名）",
        "the file is named .xlsx but is no xlsx workbook (damaged, or only renamed)"));
  }
  if (ends_with_ignoring_case(file_name, ".xls")) {
    return engine::fail(workbook_error(
        "这是旧版 Excel 文件（.xls）：请在 Excel 中另存为 .xlsx 或“CSV UTF-8”后再导入",
        "this is an old Excel file (.xls): save it as .xlsx or \"CSV UTF-8\" first"));
  }
  return read_csv_table(bytes, options);
}

}  // namespace investflow::storage
