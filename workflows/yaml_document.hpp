#pragma once
// Private to workflows/: one YAML file being read, and everything needed to report its
// problems at FILE:LINE:COL. yaml-cpp marks count bytes from 0; people count characters from
// 1, and an expression error inside a quoted or folded scalar must land on the character the
// author typed, so positions go through SourceText. parse_document also keeps hostile input
// cheap: size, encoding, nesting and alias expansion are bounded before the schema is read.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "workflows/loader.hpp"

namespace investflow::workflows::detail {

// Files larger than this are refused unread: no workflow or calendar comes close.
inline constexpr std::size_t kMaxSourceBytes = 2 * 1024 * 1024;
// Deeper nesting than this is refused; the deepest legitimate path (a guard message's
// translation) is 7 levels.
inline constexpr int kMaxNesting = 32;
// Nodes visited with every alias expanded; bounds "billion laughs" documents.
inline constexpr std::size_t kMaxExpandedNodes = 200'000;
// After this many diagnostics the rest are dropped (a fuzzed file can produce millions).
inline constexpr std::size_t kMaxDiagnostics = 500;

struct SourcePosition {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in characters (UTF-8 code points)
};

// The text of a file, indexed by line, for turning byte offsets into positions.
class SourceText {
 public:
  explicit SourceText(std::string_view text);

  SourcePosition position_of(const YAML::Mark& mark) const;
  SourcePosition position_of_offset(std::size_t offset) const;
  // The position of byte `value_offset` of `scalar`'s value (0-based, as an expression error
  // column minus one). Quotes, escapes and line folding are undone to find it; when the source
  // cannot be matched to the value, the scalar's own position is returned.
  SourcePosition position_in_scalar(const YAML::Node& scalar, std::size_t value_offset) const;

 private:
  std::size_t offset_of(const YAML::Mark& mark) const;

  std::string_view text_;
  std::size_t bom_bytes_ = 0;  // yaml-cpp does not count a UTF-8 byte order mark
  std::vector<std::size_t> line_starts_;
};

// Collects the diagnostics of one file.
class Reporter {
 public:
  Reporter(std::string file, std::string_view text);

  const SourceText& source() const { return source_; }

  void error(const YAML::Mark& at, std::string message);
  void warning(const YAML::Mark& at, std::string message);
  void report(SourcePosition at, Diagnostic::Severity severity, std::string message);

  bool has_errors() const { return error_count_ > 0; }
  // True once further diagnostics would be dropped: callers can skip costly details.
  bool saturated() const { return diagnostics_.size() >= kMaxDiagnostics; }
  // Sorted by position (stable, so problems at one place keep the order they were found).
  std::vector<Diagnostic> finish() &&;

 private:
  std::string file_;
  SourceText source_;
  std::vector<Diagnostic> diagnostics_;
  std::size_t error_count_ = 0;
  std::size_t dropped_ = 0;
};

// Parses `text` as exactly one YAML document and checks size, encoding, nesting and alias
// expansion. Returns nothing (with the reasons reported) when the document cannot be read.
std::optional<YAML::Node> parse_document(std::string_view text, Reporter& reporter);

// Reads a whole file into `text`, refusing files over kMaxSourceBytes. Returns the problem
// (at line 1, column 1 of the file) when it cannot.
std::optional<Diagnostic> read_file_text(const std::filesystem::path& file, std::string& text);

}  // namespace investflow::workflows::detail
