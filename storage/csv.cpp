#include "storage/csv.hpp"

namespace investflow::storage {

std::optional<std::vector<std::string>> CsvReader::next() {
  if (!started_) {
    started_ = true;
    // Skip a UTF-8 byte order mark (Excel writes one).
    if (in_.peek() == 0xEF) {
      char bom[3];
      in_.read(bom, 3);
      if (!(in_.gcount() == 3 && bom[1] == '\xBB' && bom[2] == '\xBF')) {
        for (std::streamsize i = in_.gcount(); i > 0; --i)
          in_.unget();
      }
    }
  }
  if (in_.peek() == std::char_traits<char>::eof()) return std::nullopt;
  record_line_ = current_line_;
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (;;) {
    const int next = in_.get();
    if (next == std::char_traits<char>::eof()) {
      if (quoted)
        error_ =
            "a quoted field starting on line " + std::to_string(record_line_) + " is never closed";
      return fields;
    }
    const char c = static_cast<char>(next);
    if (quoted) {
      if (c == '"') {
        if (in_.peek() == '"') {
          in_.get();
          fields.back().push_back('"');
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++current_line_;
        fields.back().push_back(c);
      }
      continue;
    }
    if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\r' && in_.peek() == '\n') {
      continue;  // CRLF: the LF ends the record
    } else if (c == '\n') {
      ++current_line_;
      return fields;
    } else {
      fields.back().push_back(c);
    }
  }
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

namespace {
// What a spreadsheet may take for the start of a formula or a command.
bool starts_like_a_formula(std::string_view text) {
  return !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}
}  // namespace

std::string spreadsheet_text(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 1);
  for (const char c : text) {
    if (c != '\0') out.push_back(c);
  }
  if (starts_like_a_formula(out)) out.insert(out.begin(), '\'');
  return out;
}

std::string from_spreadsheet_text(std::string text) {
  if (text.size() > 1 && text.front() == '\'' && starts_like_a_formula(text.substr(1, 1))) {
    text.erase(text.begin());
  }
  return text;
}

void write_csv_record(std::ostream& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out << ',';
    out << csv_field(fields[i]);
  }
  out << "\r\n";
}

}  // namespace investflow::storage
