#include "workflows/yaml_document.hpp"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <utility>

namespace investflow::workflows {

std::string Diagnostic::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
         (severity == Severity::error ? "error: " : "warning: ") + message;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& diagnostic) {
    return diagnostic.severity == Diagnostic::Severity::error;
  });
}

namespace detail {
namespace {

bool is_continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}
bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

void append_utf8(std::uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | ((code_point >> 18) & 0x07));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Re-reads a scalar's source the way YAML builds its value and finds where one byte of the
// value came from. Every byte produced is compared with the real value, so a reading that
// goes wrong (an unusual folding rule) is detected and reported as "unknown" rather than
// pointing at the wrong character.
class ScalarReplay {
 public:
  ScalarReplay(std::string_view text, std::size_t start, std::string_view value, std::size_t target)
      : text_(text), pos_(start), value_(value), target_(target) {}

  std::optional<std::size_t> run() {
    if (pos_ >= text_.size()) return std::nullopt;
    const char style = text_[pos_];
    if (style == '"') {
      ++pos_;
      replay_flow('"');
    } else if (style == '\'') {
      ++pos_;
      replay_flow('\'');
    } else if (style == '|' || style == '>') {
      replay_block(style == '>');
    } else {
      replay_flow('\0');
    }
    return found_;
  }

 private:
  bool done() const { return found_.has_value() || failed_ || pos_ >= text_.size(); }

  void emit(char c, std::size_t from) {
    if (produced_ >= value_.size() || value_[produced_] != c) {
      failed_ = true;
      return;
    }
    if (produced_ == target_) found_ = from;
    ++produced_;
  }
  void emit_all(std::string_view bytes, std::size_t from) {
    for (const char c : bytes)
      emit(c, from);
  }

  // Plain, single- and double-quoted scalars: line breaks fold to a space, or to n-1 newlines
  // when n breaks follow each other; blanks around a break are dropped.
  void replay_flow(char quote) {
    while (!done()) {
      const char c = text_[pos_];
      if (quote != '\0' && c == quote) {
        if (quote == '\'' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\'') {
          emit('\'', pos_);
          pos_ += 2;
          continue;
        }
        return;
      }
      if (quote == '"' && c == '\\') {
        replay_escape();
      } else if (is_blank(c) && blanks_end_line()) {
        skip_blanks();
      } else if (c == '\n' || c == '\r') {
        fold_line_break();
      } else {
        emit(c, pos_);
        ++pos_;
      }
    }
  }

  bool blanks_end_line() const {
    std::size_t at = pos_;
    while (at < text_.size() && is_blank(text_[at]))
      ++at;
    return at < text_.size() && (text_[at] == '\n' || text_[at] == '\r');
  }
  void skip_blanks() {
    while (pos_ < text_.size() && is_blank(text_[pos_]))
      ++pos_;
  }
  // Skips one line break (LF or CRLF); false when there is none at pos_.
  bool skip_line_break() {
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') {
      ++pos_;
      return true;
    }
    return false;
  }

  void fold_line_break() {
    const std::size_t at = pos_;
    skip_line_break();
    int empty_lines = 0;
    for (;;) {
      skip_blanks();
      if (!skip_line_break()) break;
      ++empty_lines;
    }
    if (empty_lines == 0) emit(' ', at);
    for (int i = 0; i < empty_lines; ++i)
      emit('\n', at);
  }

  void replay_escape() {
    const std::size_t at = pos_;
    ++pos_;
    if (pos_ >= text_.size()) return;
    const char code = text_[pos_];
    if (code == '\n' || code == '\r') {  // an escaped line break joins the lines
      skip_line_break();
      skip_blanks();
      return;
    }
    ++pos_;
    std::string bytes;
    switch (code) {
      case '0':
        bytes = std::string(1, '\0');
        break;
      case 'a':
        bytes = "\a";
        break;
      case 'b':
        bytes = "\b";
        break;
      case 't':
      case '\t':
        bytes = "\t";
        break;
      case 'n':
        bytes = "\n";
        break;
      case 'v':
        bytes = "\v";
        break;
      case 'f':
        bytes = "\f";
        break;
      case 'r':
        bytes = "\r";
        break;
      case 'e':
        bytes = "\x1b";
        break;
      case 'N':
        append_utf8(0x85, bytes);
        break;
      case '_':
        append_utf8(0xA0, bytes);
        break;
      case 'L':
        append_utf8(0x2028, bytes);
        break;
      case 'P':
        append_utf8(0x2029, bytes);
        break;
      case 'x':
        append_utf8(read_hex(2), bytes);
        break;
      case 'u':
        append_utf8(read_hex(4), bytes);
        break;
      case 'U':
        append_utf8(read_hex(8), bytes);
        break;
      default:
        bytes = std::string(1, code);
        break;  // \" \\ \/ and space
    }
    emit_all(bytes, at);
  }

  std::uint32_t read_hex(int digits) {
    std::uint32_t code_point = 0;
    for (int i = 0; i < digits && pos_ < text_.size(); ++i, ++pos_) {
      const char c = text_[pos_];
      const int digit = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
      if (digit < 0) {
        failed_ = true;
        return 0;
      }
      code_point = code_point * 16 + static_cast<std::uint32_t>(digit);
    }
    return code_point > 0x10FFFF ? 0xFFFD : code_point;
  }

  // Literal (|) and folded (>) block scalars with auto-detected indentation.
  void replay_block(bool folded) {
    while (pos_ < text_.size() && text_[pos_] != '\n') {
      if (text_[pos_] >= '1' && text_[pos_] <= '9') return;  // explicit indentation: give up
      ++pos_;
    }
    skip_line_break();
    std::size_t indent = 0;
    std::size_t pending_breaks = 0;
    std::size_t break_at = pos_;
    bool previous_more_indented = false;
    bool first_line = true;
    while (!done()) {
      const std::size_t line_start = pos_;
      std::size_t spaces = 0;
      while (pos_ < text_.size() && text_[pos_] == ' ') {
        ++pos_;
        ++spaces;
      }
      if (pos_ >= text_.size() || text_[pos_] == '\n' || text_[pos_] == '\r') {  // empty line
        ++pending_breaks;
        break_at = line_start;
        if (!skip_line_break()) return;
        continue;
      }
      if (first_line) indent = spaces;
      if (spaces < indent) return;  // the scalar ended
      const bool more_indented = spaces > indent || text_[pos_] == '\t';
      if (!first_line || pending_breaks > 0) {
        const bool join = folded && !first_line && pending_breaks == 1 && !more_indented &&
                          !previous_more_indented;
        if (join) {
          emit(' ', break_at);
        } else {
          // First line: leading empty lines are kept. Later lines: the previous line's break is
          // kept, except that folding turns it into nothing when empty lines follow it.
          const std::size_t breaks =
              first_line ? pending_breaks
                         : (folded && !more_indented && !previous_more_indented ? pending_breaks - 1
                                                                                : pending_breaks);
          for (std::size_t i = 0; i < breaks; ++i)
            emit('\n', break_at);
        }
      }
      pos_ = line_start + indent;
      while (!done() && text_[pos_] != '\n' && text_[pos_] != '\r') {
        emit(text_[pos_], pos_);
        ++pos_;
      }
      if (done()) return;
      break_at = pos_;
      skip_line_break();
      pending_breaks = 1;
      previous_more_indented = more_indented;
      first_line = false;
    }
  }

  std::string_view text_;
  std::size_t pos_;
  std::string_view value_;
  std::size_t target_;
  std::size_t produced_ = 0;
  std::optional<std::size_t> found_;
  bool failed_ = false;
};

// Refuses encodings yaml-cpp would silently convert (positions would then be wrong) and NUL
// bytes; flags invalid UTF-8, which would otherwise reach labels and JSON.
bool check_encoding(std::string_view text, Reporter& reporter) {
  const auto starts_with = [&](std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
  };
  if (starts_with(std::string_view("\xFE\xFF", 2)) ||
      starts_with(std::string_view("\xFF\xFE", 2)) ||
      starts_with(std::string_view("\0\0\xFE\xFF", 4))) {
    reporter.report({}, Diagnostic::Severity::error,
                    "the file is UTF-16 or UTF-32; save it as UTF-8");
    return false;
  }
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    reporter.report(reporter.source().position_of_offset(nul), Diagnostic::Severity::error,
                    "NUL byte in the file (is it UTF-16?); save it as UTF-8");
    return false;
  }
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80           ? 1
                               : (lead >> 5) == 0x6  ? 2
                               : (lead >> 4) == 0xE  ? 3
                               : (lead >> 3) == 0x1E ? 4
                                                     : 0;
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k)
      valid = is_continuation_byte(text[i + k]);
    if (!valid) {
      reporter.report(reporter.source().position_of_offset(i), Diagnostic::Severity::error,
                      "invalid UTF-8 byte sequence; save the file as UTF-8");
      return true;  // readable; report the other problems too
    }
    i += length;
  }
  return true;
}

// Where the documents of a stream start, found without building them. YAML::LoadAll is not
// used: yaml-cpp 0.7 loops forever, allocating, when a token such as a stray ',' cannot start
// a document (jbeder/yaml-cpp#1040), because each call returns an empty document without
// consuming the token. Here a document that starts where the previous one did is that case.
struct DocumentStarts {
  std::optional<YAML::Mark> second_at;
  std::optional<YAML::Mark> stuck_at;
};

class DocumentStartRecorder final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  std::vector<YAML::Mark> starts;
};

DocumentStarts document_starts(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStartRecorder recorder;
  for (int document = 0; document < 3 && parser.HandleNextDocument(recorder); ++document) {
    const std::vector<YAML::Mark>& starts = recorder.starts;
    if (starts.size() >= 2 && starts[starts.size() - 1].pos == starts[starts.size() - 2].pos) {
      return {std::nullopt, starts.back()};
    }
  }
  DocumentStarts result;
  if (recorder.starts.size() >= 2) result.second_at = recorder.starts[1];
  return result;
}

// Walks the whole document without recursion, with aliases expanded, to refuse documents
// that nest too deeply (including alias cycles) or expand into too many nodes.
bool within_limits(const YAML::Node& root, Reporter& reporter) {
  std::vector<std::pair<YAML::Node, int>> pending{{root, 1}};
  std::size_t visited = 0;
  while (!pending.empty()) {
    const auto [node, depth] = pending.back();
    pending.pop_back();
    if (++visited > kMaxExpandedNodes) {
      reporter.error(root.Mark(), "the document has more than " +
                                      std::to_string(kMaxExpandedNodes) +
                                      " nodes once its aliases are expanded");
      return false;
    }
    if (depth > kMaxNesting) {
      reporter.error(node.Mark(), "nesting is deeper than " + std::to_string(kMaxNesting) +
                                      " levels (or an alias refers to itself)");
      return false;
    }
    if (node.IsMap()) {
      for (const auto& entry : node) {
        pending.emplace_back(entry.first, depth + 1);
        pending.emplace_back(entry.second, depth + 1);
      }
    } else if (node.IsSequence()) {
      for (const auto& item : node)
        pending.emplace_back(item, depth + 1);
    }
  }
  return true;
}

}  // namespace

SourceText::SourceText(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") bom_bytes_ = 3;
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

std::size_t SourceText::offset_of(const YAML::Mark& mark) const {
  // pos is the reliable part of a mark: yaml-cpp sometimes leaves line/column at 0 (errors at
  // the end of input, empty keys) while pos is right.
  if (mark.pos >= 0 && static_cast<std::size_t>(mark.pos) + bom_bytes_ <= text_.size()) {
    return static_cast<std::size_t>(mark.pos) + bom_bytes_;
  }
  if (mark.line >= 0 && static_cast<std::size_t>(mark.line) < line_starts_.size()) {
    const std::size_t start = line_starts_[static_cast<std::size_t>(mark.line)];
    return std::min(text_.size(), start + static_cast<std::size_t>(std::max(mark.column, 0)));
  }
  return 0;
}

SourcePosition SourceText::position_of_offset(std::size_t offset) const {
  offset = std::min(offset, text_.size());
  const auto next_line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const auto line_index = static_cast<std::size_t>(next_line - line_starts_.begin()) - 1;
  const std::size_t line_start = line_index == 0 ? bom_bytes_ : line_starts_[line_index];
  const std::string_view before = text_.substr(line_start, offset - std::min(offset, line_start));
  const auto characters =
      std::count_if(before.begin(), before.end(), [](char c) { return !is_continuation_byte(c); });
  return {static_cast<int>(line_index) + 1, static_cast<int>(characters) + 1};
}

SourcePosition SourceText::position_of(const YAML::Mark& mark) const {
  return position_of_offset(offset_of(mark));
}

SourcePosition SourceText::position_in_scalar(const YAML::Node& scalar,
                                              std::size_t value_offset) const {
  const std::size_t start = offset_of(scalar.Mark());
  if (!scalar.IsScalar()) return position_of_offset(start);
  const std::string& value = scalar.Scalar();
  if (value.empty()) return position_of_offset(start);
  // Past the end (an error at the end of an expression): just after the last byte.
  const bool past_end = value_offset >= value.size();
  const std::size_t target = past_end ? value.size() - 1 : value_offset;
  const std::optional<std::size_t> found = ScalarReplay(text_, start, value, target).run();
  if (!found) return position_of_offset(start);
  return position_of_offset(*found + (past_end ? 1 : 0));
}

Reporter::Reporter(std::string file, std::string_view text)
    : file_(std::move(file)), source_(text) {
}

void Reporter::error(const YAML::Mark& at, std::string message) {
  report(source_.position_of(at), Diagnostic::Severity::error, std::move(message));
}

void Reporter::warning(const YAML::Mark& at, std::string message) {
  report(source_.position_of(at), Diagnostic::Severity::warning, std::move(message));
}

void Reporter::report(SourcePosition at, Diagnostic::Severity severity, std::string message) {
  if (severity == Diagnostic::Severity::error) ++error_count_;
  if (diagnostics_.size() >= kMaxDiagnostics) {
    ++dropped_;
    return;
  }
  diagnostics_.push_back(Diagnostic{file_, at.line, at.column, severity, std::move(message)});
}

std::vector<Diagnostic> Reporter::finish() && {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::pair(a.line, a.column) < std::pair(b.line, b.column);
                   });
  if (dropped_ > 0) {
    const Diagnostic& last = diagnostics_.back();
    diagnostics_.push_back(
        Diagnostic{file_, last.line, last.column, Diagnostic::Severity::error,
                   "too many problems; " + std::to_string(dropped_) + " more are not shown"});
  }
  return std::move(diagnostics_);
}

std::optional<YAML::Node> parse_document(std::string_view text, Reporter& reporter) {
  if (text.size() > kMaxSourceBytes) {
    reporter.report({}, Diagnostic::Severity::error,
                    "the file is too large (" + std::to_string(text.size()) +
                        " bytes; the limit is " + std::to_string(kMaxSourceBytes) + ")");
    return std::nullopt;
  }
  if (!check_encoding(text, reporter)) return std::nullopt;
  const std::string copy(text);
  YAML::Node root;
  std::optional<YAML::Mark> stuck_at;
  std::optional<YAML::Mark> second_at;
  try {
    root = YAML::Load(copy);
    const DocumentStarts starts = document_starts(copy);
    stuck_at = starts.stuck_at;
    second_at = starts.second_at;
  } catch (const YAML::DeepRecursion& error) {
    reporter.error(error.mark, "nesting is too deep for the YAML parser");
    return std::nullopt;
  } catch (const YAML::Exception& error) {
    reporter.error(error.mark, "YAML syntax error: " + error.msg);
    return std::nullopt;
  }
  if (stuck_at) {
    const std::size_t at = static_cast<std::size_t>(std::max(stuck_at->pos, 0));
    reporter.error(*stuck_at, "YAML syntax error: unexpected '" +
                                  std::string(copy.substr(std::min(at, copy.size()), 1)) + "'");
    return std::nullopt;
  }
  if (!root.IsDefined() || root.IsNull()) {
    reporter.report({}, Diagnostic::Severity::error, "the file holds no YAML document");
    return std::nullopt;
  }
  if (second_at) {
    reporter.error(*second_at,
                   "a second YAML document starts here (wrong indentation, or a stray '---'?); "
                   "a file holds one document");
  }
  if (!within_limits(root, reporter)) return std::nullopt;
  return root;
}

std::optional<Diagnostic> read_file_text(const std::filesystem::path& file, std::string& text) {
  const auto problem = [&](std::string message) {
    return Diagnostic{file.string(), 1, 1, Diagnostic::Severity::error, std::move(message)};
  };
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(file, error);
  if (error) return problem("cannot read the file: " + error.message());
  if (size > kMaxSourceBytes) {
    return problem("the file is too large (" + std::to_string(size) + " bytes; the limit is " +
                   std::to_string(kMaxSourceBytes) + ")");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return problem("cannot open the file");
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return problem("cannot read the file");
  return std::nullopt;
}

}  // namespace detail
}  // namespace investflow::workflows
