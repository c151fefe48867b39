// The public face of the expression language; the work happens in expression_parse.cpp,
// expression_check.cpp and expression_evaluate.cpp.

#include "engine/expression.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/expression_node.hpp"
#include "engine/names.hpp"
#include "engine/typed_text.hpp"

namespace investflow::engine {

namespace detail {

std::string_view operator_spelling(NodeKind kind) {
  switch (kind) {
    case NodeKind::negate:
      return "-";
    case NodeKind::logical_not:
      return "!";
    case NodeKind::add:
      return "+";
    case NodeKind::subtract:
      return "-";
    case NodeKind::multiply:
      return "*";
    case NodeKind::divide:
      return "/";
    case NodeKind::equal:
      return "==";
    case NodeKind::not_equal:
      return "!=";
    case NodeKind::less:
      return "<";
    case NodeKind::less_equal:
      return "<=";
    case NodeKind::greater:
      return ">";
    case NodeKind::greater_equal:
      return ">=";
    case NodeKind::in:
      return "in";
    case NodeKind::logical_and:
      return "&&";
    case NodeKind::logical_or:
      return "||";
    case NodeKind::choice:
      return "?";
    default:
      return "";
  }
}

namespace {
constexpr EnumName<Function> kFunctionNames[] = {
    {Function::present, "present"},
    {Function::today, "today"},
    {Function::days_between, "days_between"},
    {Function::working_days_between, "working_days_between"},
    {Function::min, "min"},
    {Function::max, "max"},
    {Function::round, "round"},
    {Function::open_children, "open_children"}};
static_assert(in_order(kFunctionNames, Function::present));
}  // namespace

const std::vector<std::string>& function_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const EnumName<Function>& entry : kFunctionNames)
      names.emplace_back(entry.name);
    return names;
  }();
  return kNames;
}

Function function_named(std::string_view name) {
  return value_named(kFunctionNames, name).value_or(Function::unknown);
}

std::string_view function_name(Function function) {
  return name_in(kFunctionNames, function);
}

const std::string* counted_workflow(const Node& node) {
  if (node.kind != NodeKind::call || node.function != Function::open_children ||
      node.children.size() != 1 || node.children[0].kind != NodeKind::literal) {
    return nullptr;
  }
  return node.children[0].literal.as_text();
}

namespace {

void collect_names(const Node& node, std::vector<std::string>& names) {
  if (node.kind == NodeKind::name || node.kind == NodeKind::index) {
    if (std::find(names.begin(), names.end(), node.name) == names.end()) {
      names.push_back(node.name);
    }
  }
  for (const Node& child : node.children)
    collect_names(child, names);
}

void collect_counted_children(const Node& node, std::vector<std::string>& workflows) {
  if (const std::string* workflow = counted_workflow(node);
      workflow != nullptr &&
      std::find(workflows.begin(), workflows.end(), *workflow) == workflows.end()) {
    workflows.push_back(*workflow);
  }
  for (const Node& child : node.children)
    collect_counted_children(child, workflows);
}

void bind_names(Node& node, const std::function<int(std::string_view)>& slot_of) {
  if (node.kind == NodeKind::name || node.kind == NodeKind::index) node.slot = slot_of(node.name);
  for (Node& child : node.children)
    bind_names(child, slot_of);
}

}  // namespace
}  // namespace detail

namespace {
constexpr EnumName<ExprType> kTypeNames[] = {
    {ExprType::any, "any"},       {ExprType::null, "null"}, {ExprType::boolean, "boolean"},
    {ExprType::number, "number"}, {ExprType::text, "text"}, {ExprType::date, "date"},
    {ExprType::list, "list"}};
static_assert(in_order(kTypeNames));
}  // namespace

std::string_view type_name(ExprType type) {
  return name_in(kTypeNames, type);
}

// A null root stands for the literal `null`, so a default Expression costs no allocation.
Expression::Expression() : source_("null") {
}

Result<Expression, ExpressionError> Expression::parse(std::string_view source) {
  auto tree = detail::parse_tree(source);
  if (!tree) return fail(std::move(tree).error());
  Expression expression;
  expression.source_ = std::string(source);
  expression.root_ = std::move(tree).value();
  return expression;
}

std::vector<ExpressionError> Expression::check(const NameResolver& names) const {
  std::vector<ExpressionError> problems;
  if (root_) detail::analyze_tree(*root_, names, &problems);
  return problems;
}

ExprType Expression::type(const NameResolver& names) const {
  return root_ ? detail::analyze_tree(*root_, names, nullptr) : ExprType::null;
}

std::vector<std::string> Expression::referenced_names() const {
  std::vector<std::string> names;
  if (root_) detail::collect_names(*root_, names);
  return names;
}

std::vector<std::string> Expression::counted_children() const {
  std::vector<std::string> workflows;
  if (root_) detail::collect_counted_children(*root_, workflows);
  return workflows;
}

Value Expression::evaluate(const Scope& scope) const noexcept {
  return root_ ? detail::evaluate_tree(*root_, scope) : Value();
}

bool Expression::holds(const Scope& scope) const noexcept {
  return root_ ? detail::test_tree(*root_, scope) : false;
}

void Expression::bind(const std::function<int(std::string_view)>& slot_of) {
  if (!root_) return;
  auto bound = std::make_shared<detail::Node>(*root_);
  detail::bind_names(*bound, slot_of);
  root_ = std::move(bound);
}

namespace {

bool is_placeholder_name(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  if (name.front() >= '0' && name.front() <= '9') return false;
  char previous = '.';
  for (const char c : name) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (c == '.' ? previous == '.' : !(letter || (digit && previous != '.'))) return false;
    previous = c;
  }
  return true;
}

std::string display(const Value& value) {
  if (const double* number = value.as_number()) return format_number(*number, 2);
  return value.to_display();
}

// Optimal string alignment distance: Levenshtein plus the swap of two adjacent characters
// as one edit, so `lable` suggests `label`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t width = b.size() + 1;
  std::vector<std::size_t> rows(3 * width);
  std::size_t* before = rows.data();        // row i - 2
  std::size_t* previous = before + width;   // row i - 1
  std::size_t* current = previous + width;  // row i
  for (std::size_t j = 0; j <= b.size(); ++j)
    previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::size_t* recycled = before;
    before = previous;
    previous = current;
    current = recycled;
  }
  return previous[b.size()];
}

}  // namespace

std::string interpolate(std::string_view text, const Scope& scope) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const bool doubled = i + 1 < text.size() && text[i + 1] == c;
    if ((c == '{' || c == '}') && doubled) {  // {{ and }} are literal braces
      out += c;
      i += 2;
      continue;
    }
    if (c == '{') {
      const std::size_t close = text.find('}', i + 1);
      if (close != std::string_view::npos) {
        const std::string_view name = trim(text.substr(i + 1, close - i - 1));
        if (is_placeholder_name(name)) {
          out += display(scope.value_of(name));
          i = close + 1;
          continue;
        }
      }
    }
    // Anything else, a lone brace included, is copied as written.
    out += c;
    ++i;
  }
  return out;
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  const std::string* best = nullptr;
  std::size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    const std::size_t length_gap = candidate.size() > word.size() ? candidate.size() - word.size()
                                                                  : word.size() - candidate.size();
    if (length_gap >= best_distance) continue;  // cannot beat the best so far
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = &candidate;
      best_distance = distance;
    }
  }
  return best != nullptr ? *best : std::string();
}

}  // namespace investflow::engine
