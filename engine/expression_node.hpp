#pragma once
// Internals of the expression language, shared by its parser, checker and evaluator.
// Nothing outside engine/expression_*.cpp includes this.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/expression.hpp"
#include "engine/result.hpp"
#include "engine/value.hpp"

namespace investflow::engine::detail {

// Guards against inputs that would exhaust the stack: parser recursion (parentheses,
// unary operators, arguments) and the depth of the finished tree (long operator chains),
// which the checker, the evaluator and the destructor all walk recursively.
inline constexpr int kMaxNesting = 100;
inline constexpr int kMaxTreeDepth = 256;
inline constexpr std::size_t kMaxSourceLength = 10000;

enum class NodeKind : std::uint8_t {
  literal,  // `literal` holds the value
  list,     // [a, b, c]: children are the elements
  name,     // `name`
  index,    // name[key]: `name` is the table, children[0] the key
  call,     // name(args): `function` says which, children are the arguments
  negate,   // -x
  logical_not,
  add,
  subtract,
  multiply,
  divide,
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  in,
  logical_and,
  logical_or,
  choice,  // children: condition, then, else
};

enum class Function : std::uint8_t {
  unknown,
  present,
  today,
  days_between,
  working_days_between,
  min,
  max,
  round,
  open_children,
};

struct Node {
  NodeKind kind = NodeKind::literal;
  Function function = Function::unknown;
  std::uint16_t depth = 1;  // height of the subtree, for the kMaxTreeDepth limit
  // The token the checker blames: the operator of an operation, the name of a name,
  // table or call, the first character of a literal.
  int column = 1;
  // For `name` and `index`: the slot Expression::bind gave the name (-1: unbound, the
  // scope looks the name up).
  std::int32_t slot = -1;
  std::string name;
  Value literal;
  std::vector<Node> children;
};

// The spelling of an operation, for messages ("'+'", "'in'").
std::string_view operator_spelling(NodeKind kind);
Function function_named(std::string_view name);
std::string_view function_name(Function function);
const std::vector<std::string>& function_names();

// The workflow id of `open_children('WORKFLOW')`, when `node` is such a call with a text
// literal argument; nullptr otherwise.
const std::string* counted_workflow(const Node& node);

Result<std::shared_ptr<const Node>, ExpressionError> parse_tree(std::string_view source);
Value evaluate_tree(const Node& root, const Scope& scope);
bool test_tree(const Node& root, const Scope& scope);  // evaluate_tree(...).is_true()
// The static type of `node`; appends problems to `problems` when it is not null.
ExprType analyze_tree(const Node& root, const NameResolver& names,
                      std::vector<ExpressionError>* problems);

}  // namespace investflow::engine::detail
