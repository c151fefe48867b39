// Lexer and recursive-descent parser of the expression language. The first problem stops
// parsing; its column is 1-based and in bytes of the source.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "engine/expression_node.hpp"

namespace investflow::engine::detail {
namespace {

enum class TokenKind {
  end,
  number,
  text,
  name,
  true_literal,
  false_literal,
  null_literal,
  in,
  plus,
  minus,
  star,
  slash,
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  logical_and,
  logical_or,
  logical_not,
  question,
  colon,
  open_paren,
  close_paren,
  open_bracket,
  close_bracket,
  comma,
};

struct Token {
  TokenKind kind = TokenKind::end;
  int column = 1;
  std::string_view lexeme;  // as written, quotes included
  double number = 0;
  std::string text;  // a string literal with its escapes resolved
};

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// How an unknown character reads in a message: itself when printable (a whole UTF-8
// sequence when it is one), otherwise its byte in hex.
std::string quote_character(std::string_view rest) {
  const auto byte = static_cast<unsigned char>(rest[0]);
  std::size_t length = 1;
  if (byte >= 0xC2 && byte <= 0xF4) length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
  bool printable = byte >= 0x20 && byte < 0x7F;
  if (length > 1) {
    printable = rest.size() >= length;
    for (std::size_t i = 1; printable && i < length; ++i) {
      printable = (static_cast<unsigned char>(rest[i]) & 0xC0) == 0x80;
    }
  }
  if (printable) return "'" + std::string(rest.substr(0, length)) + "'";
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 0xF];
}

class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}

  const std::optional<ExpressionError>& error() const { return error_; }

  // The next token; after an error, always `end`.
  Token next() {
    while (pos_ < source_.size() && is_space(source_[pos_]))
      ++pos_;
    Token token;
    token.column = column_of(pos_);
    if (error_ || pos_ >= source_.size()) {
      token.column = column_of(source_.size());
      return token;
    }
    const char c = source_[pos_];
    if (is_digit(c)) return lex_number(std::move(token));
    if (is_name_start(c)) return lex_name(std::move(token));
    if (c == '\'' || c == '"') return lex_text(std::move(token));
    return lex_operator(std::move(token));
  }

 private:
  int column_of(std::size_t pos) const { return static_cast<int>(pos) + 1; }

  // Records the problem; the parser then sees the end of the input.
  Token fail(int column, std::string message) {
    error_ = ExpressionError{column, std::move(message)};
    Token end;
    end.column = column;
    return end;
  }

  std::size_t skip_digits(std::size_t pos) const {
    while (pos < source_.size() && is_digit(source_[pos]))
      ++pos;
    return pos;
  }

  bool digit_at(std::size_t pos) const { return pos < source_.size() && is_digit(source_[pos]); }

  Token lex_number(Token token) {
    const std::size_t start = pos_;
    std::size_t end = skip_digits(start);
    if (end < source_.size() && source_[end] == '.' && digit_at(end + 1)) {
      end = skip_digits(end + 1);
    }
    if (end < source_.size() && (source_[end] == 'e' || source_[end] == 'E')) {
      std::size_t exponent = end + 1;
      if (exponent < source_.size() && (source_[exponent] == '+' || source_[exponent] == '-')) {
        ++exponent;
      }
      if (digit_at(exponent)) end = skip_digits(exponent);
    }
    // 12abc, 1.2.3, 1e, 3. : one malformed word rather than a number and a surprise.
    if (end < source_.size() && (is_name_char(source_[end]) || source_[end] == '.')) {
      while (end < source_.size() && (is_name_char(source_[end]) || source_[end] == '.'))
        ++end;
      return fail(token.column,
                  "malformed number '" + std::string(source_.substr(start, end - start)) + "'");
    }
    token.lexeme = source_.substr(start, end - start);
    const auto [ptr, status] = std::from_chars(
        token.lexeme.data(), token.lexeme.data() + token.lexeme.size(), token.number);
    if (status != std::errc() || !std::isfinite(token.number)) {
      return fail(token.column, "number '" + std::string(token.lexeme) + "' is out of range");
    }
    pos_ = end;
    token.kind = TokenKind::number;
    return token;
  }

  Token lex_name(Token token) {
    const std::size_t start = pos_;
    std::size_t end = start;
    for (;;) {
      while (end < source_.size() && is_name_char(source_[end]))
        ++end;
      if (end >= source_.size() || source_[end] != '.') break;
      if (end + 1 >= source_.size() || !is_name_start(source_[end + 1])) {
        return fail(column_of(end), "expected a name after '.'");
      }
      ++end;  // review.passed is one name
    }
    token.lexeme = source_.substr(start, end - start);
    pos_ = end;
    if (token.lexeme == "true") {
      token.kind = TokenKind::true_literal;
    } else if (token.lexeme == "false") {
      token.kind = TokenKind::false_literal;
    } else if (token.lexeme == "null") {
      token.kind = TokenKind::null_literal;
    } else if (token.lexeme == "in") {
      token.kind = TokenKind::in;
    } else {
      token.kind = TokenKind::name;
    }
    return token;
  }

  Token lex_text(Token token) {
    const std::size_t start = pos_;
    const char quote = source_[start];
    std::size_t pos = start + 1;
    while (pos < source_.size() && source_[pos] != quote) {
      char c = source_[pos];
      if (c == '\\') {
        if (pos + 1 >= source_.size()) break;
        switch (source_[pos + 1]) {
          case '\\':
            c = '\\';
            break;
          case '\'':
            c = '\'';
            break;
          case '"':
            c = '"';
            break;
          case 'n':
            c = '\n';
            break;
          default:
            return fail(column_of(pos), "unknown escape " +
                                            quote_character(source_.substr(pos + 1)) +
                                            " after '\\' in string (use \\\\, \\', \\\" or \\n)");
        }
        ++pos;
      }
      token.text += c;
      ++pos;
    }
    if (pos >= source_.size() || source_[pos] != quote) {
      return fail(token.column, "unterminated string");
    }
    token.lexeme = source_.substr(start, pos + 1 - start);
    pos_ = pos + 1;
    token.kind = TokenKind::text;
    return token;
  }

  Token lex_operator(Token token) {
    const std::string_view rest = source_.substr(pos_);
    struct Spelling {
      std::string_view text;
      TokenKind kind;
    };
    // Two-character operators first, so that `<=` is not read as `<` then `=`.
    static constexpr Spelling kOperators[] = {
        {"==", TokenKind::equal},        {"!=", TokenKind::not_equal},
        {"<=", TokenKind::less_equal},   {">=", TokenKind::greater_equal},
        {"&&", TokenKind::logical_and},  {"||", TokenKind::logical_or},
        {"+", TokenKind::plus},          {"-", TokenKind::minus},
        {"*", TokenKind::star},          {"/", TokenKind::slash},
        {"<", TokenKind::less},          {">", TokenKind::greater},
        {"!", TokenKind::logical_not},   {"?", TokenKind::question},
        {":", TokenKind::colon},         {"(", TokenKind::open_paren},
        {")", TokenKind::close_paren},   {"[", TokenKind::open_bracket},
        {"]", TokenKind::close_bracket}, {",", TokenKind::comma},
    };
    for (const Spelling& op : kOperators) {
      if (rest.starts_with(op.text)) {
        token.kind = op.kind;
        token.lexeme = rest.substr(0, op.text.size());
        pos_ += op.text.size();
        return token;
      }
    }
    std::string message = "unknown character " + quote_character(rest);
    if (rest[0] == '=') message += "; did you mean '=='?";
    if (rest[0] == '&') message += "; did you mean '&&'?";
    if (rest[0] == '|') message += "; did you mean '||'?";
    return fail(token.column, std::move(message));
  }

  std::string_view source_;
  std::size_t pos_ = 0;
  std::optional<ExpressionError> error_;
};

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::end:
      return "the end of the expression";
    case TokenKind::text:
      return "string " + std::string(token.lexeme);
    default:
      return "'" + std::string(token.lexeme) + "'";
  }
}

std::optional<NodeKind> binary_kind(TokenKind token) {
  switch (token) {
    case TokenKind::plus:
      return NodeKind::add;
    case TokenKind::minus:
      return NodeKind::subtract;
    case TokenKind::star:
      return NodeKind::multiply;
    case TokenKind::slash:
      return NodeKind::divide;
    case TokenKind::equal:
      return NodeKind::equal;
    case TokenKind::not_equal:
      return NodeKind::not_equal;
    case TokenKind::less:
      return NodeKind::less;
    case TokenKind::less_equal:
      return NodeKind::less_equal;
    case TokenKind::greater:
      return NodeKind::greater;
    case TokenKind::greater_equal:
      return NodeKind::greater_equal;
    case TokenKind::in:
      return NodeKind::in;
    case TokenKind::logical_and:
      return NodeKind::logical_and;
    case TokenKind::logical_or:
      return NodeKind::logical_or;
    default:
      return std::nullopt;
  }
}

// Binding strength of binary operators, loosest first; all are left-associative.
int precedence(NodeKind kind) {
  switch (kind) {
    case NodeKind::logical_or:
      return 1;
    case NodeKind::logical_and:
      return 2;
    case NodeKind::equal:
    case NodeKind::not_equal:
      return 3;
    case NodeKind::less:
    case NodeKind::less_equal:
    case NodeKind::greater:
    case NodeKind::greater_equal:
    case NodeKind::in:
      return 4;
    case NodeKind::add:
    case NodeKind::subtract:
      return 5;
    case NodeKind::multiply:
    case NodeKind::divide:
      return 6;
    default:
      return 0;
  }
}
constexpr int kLoosestBinary = 1;

class Parser {
 public:
  explicit Parser(std::string_view source) : lexer_(source) { advance(); }

  Result<std::shared_ptr<const Node>, ExpressionError> parse() {
    if (current_.kind == TokenKind::end && !failed()) {
      fail_at(1, "empty expression");
    }
    Node root = parse_choice();
    if (!failed() && current_.kind != TokenKind::end) {
      const TokenKind kind = current_.kind;
      if (kind == TokenKind::close_paren || kind == TokenKind::close_bracket) {
        fail_at(current_.column, "unmatched " + describe(current_));
      } else {
        fail_at(current_.column,
                "unexpected " + describe(current_) + "; expected an operator or the end");
      }
    }
    if (failed()) return engine::fail(std::move(*error_));
    return std::shared_ptr<const Node>(std::make_shared<Node>(std::move(root)));
  }

 private:
  bool failed() const { return error_.has_value(); }
  void fail_at(int column, std::string message) {
    if (!error_) error_ = ExpressionError{column, std::move(message)};
  }

  // After a problem the parser sees only the end, so every loop winds down at once.
  void advance() {
    if (failed()) {
      current_ = Token{};
      return;
    }
    current_ = lexer_.next();
    if (lexer_.error()) fail_at(lexer_.error()->column, lexer_.error()->message);
  }

  bool accept(TokenKind kind) {
    if (failed() || current_.kind != kind) return false;
    advance();
    return true;
  }

  // Consumes the token closing `opener`, or reports that it is missing.
  void expect_closing(TokenKind kind, std::string_view spelling, const Token& opener) {
    if (accept(kind)) return;
    fail_at(current_.column, "expected '" + std::string(spelling) + "' to close '" +
                                 std::string(opener.lexeme) + "' at column " +
                                 std::to_string(opener.column));
  }

  // RAII count of parser recursion.
  class Nested {
   public:
    explicit Nested(Parser& parser) : parser_(parser) {
      if (++parser_.nesting_ > kMaxNesting) {
        parser_.fail_at(parser_.current_.column, "expression is nested too deeply (more than " +
                                                     std::to_string(kMaxNesting) + " levels)");
      }
    }
    ~Nested() { --parser_.nesting_; }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;

   private:
    Parser& parser_;
  };

  Node make(NodeKind kind, int column, std::vector<Node> children) {
    Node node;
    node.kind = kind;
    node.column = column;
    int depth = 0;
    for (const Node& child : children)
      depth = std::max<int>(depth, child.depth);
    if (depth + 1 > kMaxTreeDepth) {
      fail_at(column, "expression is nested too deeply (more than " +
                          std::to_string(kMaxTreeDepth) + " levels of operations)");
      return Node{};
    }
    node.depth = static_cast<std::uint16_t>(depth + 1);
    node.children = std::move(children);
    return node;
  }

  static Node literal(int column, Value value) {
    Node node;
    node.column = column;
    node.literal = std::move(value);
    return node;
  }

  // choice := or ('?' choice ':' choice)?
  Node parse_choice() {
    const Nested nested(*this);
    if (failed()) return {};
    Node condition = parse_binary(kLoosestBinary);
    if (failed() || current_.kind != TokenKind::question) return condition;
    const Token question = current_;
    advance();
    Node then = parse_choice();
    if (!accept(TokenKind::colon)) {
      fail_at(current_.column,
              "expected ':' to go with '?' at column " + std::to_string(question.column));
      return {};
    }
    Node otherwise = parse_choice();
    if (failed()) return {};
    std::vector<Node> children;
    children.reserve(3);
    children.push_back(std::move(condition));
    children.push_back(std::move(then));
    children.push_back(std::move(otherwise));
    return make(NodeKind::choice, question.column, std::move(children));
  }

  // Precedence climbing: one frame per operator rather than one per level, so that
  // parentheses cost little stack.
  Node parse_binary(int min_precedence) {
    Node left = parse_unary();
    for (;;) {
      if (failed()) return {};
      const std::optional<NodeKind> kind = binary_kind(current_.kind);
      if (!kind || precedence(*kind) < min_precedence) return left;
      const int column = current_.column;
      advance();
      Node right = parse_binary(precedence(*kind) + 1);
      if (failed()) return {};
      std::vector<Node> children;
      children.reserve(2);
      children.push_back(std::move(left));
      children.push_back(std::move(right));
      left = make(*kind, column, std::move(children));
    }
  }

  Node parse_unary() {
    if (current_.kind != TokenKind::logical_not && current_.kind != TokenKind::minus) {
      return parse_postfix();
    }
    const Token op = current_;
    advance();
    const Nested nested(*this);
    Node operand = parse_unary();
    if (failed()) return {};
    if (op.kind == TokenKind::minus && operand.kind == NodeKind::literal &&
        operand.literal.as_number() != nullptr) {
      // -5 is a literal, so that `x in [-1, 1]` and comparisons with it stay cheap.
      return literal(op.column, Value::number(-*operand.literal.as_number()));
    }
    std::vector<Node> children;
    children.push_back(std::move(operand));
    return make(op.kind == TokenKind::minus ? NodeKind::negate : NodeKind::logical_not, op.column,
                std::move(children));
  }

  Node parse_postfix() {
    const bool named = current_.kind == TokenKind::name;
    Node node = parse_primary();
    if (failed()) return {};
    if (named && current_.kind == TokenKind::open_bracket) {
      node = parse_index(std::move(node));
    } else if (named && current_.kind == TokenKind::open_paren) {
      node = parse_call(std::move(node));
    }
    if (failed()) return {};
    if (current_.kind == TokenKind::open_bracket) {
      fail_at(current_.column, "only a table name can be indexed, as in table[key]");
    } else if (current_.kind == TokenKind::open_paren) {
      fail_at(current_.column, "only a function name can be called, as in round(x)");
    }
    return node;
  }

  Node parse_index(Node table) {
    const Token open = current_;
    advance();
    std::vector<Node> children;
    children.push_back(parse_choice());
    expect_closing(TokenKind::close_bracket, "]", open);
    if (failed()) return {};
    Node node = make(NodeKind::index, table.column, std::move(children));
    node.name = std::move(table.name);
    return node;
  }

  Node parse_call(Node function) {
    const Token open = current_;
    advance();
    std::vector<Node> arguments = parse_items(TokenKind::close_paren, ")", open);
    if (failed()) return {};
    Node node = make(NodeKind::call, function.column, std::move(arguments));
    node.function = function_named(function.name);
    node.name = std::move(function.name);
    return node;
  }

  // Comma-separated expressions up to the token that closes `open`; may be empty.
  std::vector<Node> parse_items(TokenKind close, std::string_view spelling, const Token& open) {
    std::vector<Node> items;
    if (accept(close)) return items;
    do {
      items.push_back(parse_choice());
      if (failed()) return {};
    } while (accept(TokenKind::comma));
    expect_closing(close, spelling, open);
    return items;
  }

  Node parse_primary() {
    if (failed()) return {};
    const Token token = current_;
    switch (token.kind) {
      case TokenKind::number:
        advance();
        return literal(token.column, Value::number(token.number));
      case TokenKind::text:
        advance();
        return literal(token.column, Value::text(token.text));
      case TokenKind::true_literal:
      case TokenKind::false_literal:
        advance();
        return literal(token.column, Value::boolean(token.kind == TokenKind::true_literal));
      case TokenKind::null_literal:
        advance();
        return literal(token.column, Value());
      case TokenKind::name: {
        advance();
        Node node;
        node.kind = NodeKind::name;
        node.column = token.column;
        node.name = std::string(token.lexeme);
        return node;
      }
      case TokenKind::open_paren: {
        advance();
        Node inner = parse_choice();
        expect_closing(TokenKind::close_paren, ")", token);
        return inner;
      }
      case TokenKind::open_bracket: {
        advance();
        return make(NodeKind::list, token.column,
                    parse_items(TokenKind::close_bracket, "]", token));
      }
      case TokenKind::end:
        fail_at(token.column, "unexpected end of expression");
        return {};
      default:
        fail_at(token.column, "expected a value, found " + describe(token));
        return {};
    }
  }

  Lexer lexer_;
  Token current_;
  std::optional<ExpressionError> error_;
  int nesting_ = 0;
};

}  // namespace

Result<std::shared_ptr<const Node>, ExpressionError> parse_tree(std::string_view source) {
  if (source.size() > kMaxSourceLength) {
    return engine::fail(
        ExpressionError{1, "expression is too long (" + std::to_string(source.size()) +
                               " characters; at most " + std::to_string(kMaxSourceLength) + ")"});
  }
  return Parser(source).parse();
}

}  // namespace investflow::engine::detail
