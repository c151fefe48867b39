// The checker: static types of expressions and the problems a workflow author should hear
// about when the workflow loads rather than when a project trips over them.

#include <algorithm>
#include <climits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/expression_node.hpp"

namespace investflow::engine::detail {
namespace {

// Types that say what a value will be; `any` and `null` make no promise to check against.
bool known(ExprType type) {
  return type != ExprType::any && type != ExprType::null;
}

ExprType type_of(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::null:
      return ExprType::null;
    case Value::Kind::boolean:
      return ExprType::boolean;
    case Value::Kind::number:
      return ExprType::number;
    case Value::Kind::text:
      return ExprType::text;
    case Value::Kind::date:
      return ExprType::date;
    case Value::Kind::list:
      return ExprType::list;
  }
  return ExprType::any;
}

// "a number", "a date": for messages about what an argument must be.
std::string with_article(ExprType type) {
  return std::string(type == ExprType::any ? "an " : "a ") + std::string(type_name(type));
}

std::string did_you_mean(const std::string& suggestion) {
  return suggestion.empty() ? std::string() : "; did you mean '" + suggestion + "'?";
}

std::string list_options(const std::vector<std::string>& options) {
  constexpr std::size_t kShown = 12;
  std::string listed;
  for (std::size_t i = 0; i < options.size() && i < kShown; ++i) {
    if (i > 0) listed += ", ";
    listed += options[i];
  }
  if (options.size() > kShown) listed += ", ...";
  return listed;
}

// Where the text of `node` starts: the first character of its leftmost operand.
int start_column(const Node& node) {
  switch (node.kind) {
    case NodeKind::negate:
    case NodeKind::logical_not:
    case NodeKind::literal:
    case NodeKind::list:
    case NodeKind::name:
    case NodeKind::index:
    case NodeKind::call:
      return node.column;
    default:
      return start_column(node.children.front());
  }
}

struct Signature {
  int min_args;
  int max_args;
  ExprType argument;  // what every argument must be (any: anything)
  ExprType result;
};

Signature signature_of(Function function) {
  switch (function) {
    case Function::present:
      return {1, 1, ExprType::any, ExprType::boolean};
    case Function::today:
      return {0, 0, ExprType::any, ExprType::date};
    case Function::days_between:
    case Function::working_days_between:
      return {2, 2, ExprType::date, ExprType::number};
    case Function::min:
    case Function::max:
      return {1, INT_MAX, ExprType::number, ExprType::number};
    case Function::round:
      return {1, 2, ExprType::number, ExprType::number};
    case Function::open_children:
      return {1, 1, ExprType::text, ExprType::number};
    case Function::unknown:
      break;
  }
  return {0, INT_MAX, ExprType::any, ExprType::any};
}

std::string arity_message(std::string_view function, const Signature& signature, int given) {
  std::string expected;
  if (signature.max_args == INT_MAX) {
    expected = "at least " + std::to_string(signature.min_args);
  } else if (signature.min_args == signature.max_args) {
    expected = signature.min_args == 0 ? "no" : std::to_string(signature.min_args);
  } else {
    expected = std::to_string(signature.min_args) + " or " + std::to_string(signature.max_args);
  }
  const bool one = expected == "1" || expected == "at least 1";
  return std::string(function) + "() takes " + expected + (one ? " argument" : " arguments") +
         ", got " + std::to_string(given);
}

class Analyzer {
 public:
  Analyzer(const NameResolver& names, std::vector<ExpressionError>* problems)
      : names_(names), problems_(problems) {}

  ExprType visit(const Node& node) {
    switch (node.kind) {
      case NodeKind::literal:
        return type_of(node.literal);
      case NodeKind::list:
        for (const Node& item : node.children)
          visit(item);
        return ExprType::list;
      case NodeKind::name:
        return name(node);
      case NodeKind::index:
        return index(node);
      case NodeKind::call:
        return call(node);
      case NodeKind::negate:
        return negate(node);
      case NodeKind::logical_not:
      case NodeKind::logical_and:
      case NodeKind::logical_or:
        return logic(node);
      case NodeKind::choice:
        return choice(node);
      case NodeKind::add:
      case NodeKind::subtract:
      case NodeKind::multiply:
      case NodeKind::divide:
        return arithmetic(node);
      case NodeKind::equal:
      case NodeKind::not_equal:
        return equality(node);
      case NodeKind::less:
      case NodeKind::less_equal:
      case NodeKind::greater:
      case NodeKind::greater_equal:
        return ordering(node);
      case NodeKind::in:
        return membership(node);
    }
    return ExprType::any;
  }

 private:
  void report(int column, std::string message) {
    if (problems_ != nullptr) problems_->push_back(ExpressionError{column, std::move(message)});
  }
  bool reporting() const { return problems_ != nullptr; }

  const std::vector<std::string>& known_names() {
    if (!known_names_) known_names_ = names_.names();
    return *known_names_;
  }

  void report_unknown_name(const Node& node) {
    if (!reporting()) return;
    if (function_named(node.name) != Function::unknown) {
      report(node.column, "'" + node.name + "' is a function; call it as " + node.name + "()");
      return;
    }
    std::string note = names_.unknown_name_note(node.name);
    report(node.column, "unknown name '" + node.name + "'" +
                            (note.empty() ? did_you_mean(closest_match(node.name, known_names()))
                                          : " (" + note + ")"));
  }

  ExprType name(const Node& node) {
    const std::optional<NameInfo> info = names_.lookup(node.name);
    if (!info) {
      report_unknown_name(node);
      return ExprType::any;
    }
    if (info->kind == NameInfo::Kind::table) {
      report(node.column,
             "'" + node.name + "' is a table; look up an entry with " + node.name + "[key]");
      return ExprType::any;
    }
    return info->type;
  }

  ExprType index(const Node& node) {
    const std::optional<NameInfo> info = names_.lookup(node.name);
    if (!info) {
      report_unknown_name(node);
    } else if (info->kind != NameInfo::Kind::table) {
      report(node.column, "'" + node.name + "' is not a table, so it cannot be indexed");
    }
    visit(node.children[0]);
    return info && info->kind == NameInfo::Kind::table ? info->type : ExprType::any;
  }

  ExprType call(const Node& node) {
    if (node.function == Function::open_children) return children_call(node);
    std::vector<ExprType> arguments;
    arguments.reserve(node.children.size());
    for (const Node& argument : node.children)
      arguments.push_back(visit(argument));
    if (node.function == Function::unknown) {
      report(node.column, "unknown function '" + node.name + "'" +
                              did_you_mean(closest_match(node.name, function_names())));
      return ExprType::any;
    }
    const Signature signature = signature_of(node.function);
    const int given = static_cast<int>(arguments.size());
    if (given < signature.min_args || given > signature.max_args) {
      report(node.column, arity_message(node.name, signature, given));
    }
    for (std::size_t i = 0; i < arguments.size(); ++i) {
      if (signature.argument == ExprType::any || !known(arguments[i]) ||
          arguments[i] == signature.argument) {
        continue;
      }
      report(start_column(node.children[i]), "argument " + std::to_string(i + 1) + " of " +
                                                 node.name + "() must be " +
                                                 with_article(signature.argument) + ", not " +
                                                 std::string(type_name(arguments[i])));
    }
    return signature.result;
  }

  // open_children('WORKFLOW') counts children of one workflow, named where it is written
  // (its argument is not an expression: a bare name there is the id without quotes).
  ExprType children_call(const Node& node) {
    const Signature signature = signature_of(node.function);
    const int given = static_cast<int>(node.children.size());
    if (given != 1) {
      report(node.column, arity_message(node.name, signature, given));
    } else if (const std::string* workflow = counted_workflow(node); workflow == nullptr) {
      report(start_column(node.children[0]),
             "open_children() takes a workflow id in quotes, as in open_children('problem')");
    } else if (std::optional<std::string> problem = names_.children_problem(*workflow)) {
      report(node.children[0].column, std::move(*problem));
    }
    return signature.result;
  }

  ExprType negate(const Node& node) {
    const ExprType operand = visit(node.children[0]);
    if (operand == ExprType::null) return ExprType::null;
    if (known(operand) && operand != ExprType::number) {
      report(node.column, "'-' cannot be applied to " + std::string(type_name(operand)));
    }
    return ExprType::number;
  }

  // && || ! and the condition of ?: test Value::is_true, which only a boolean can pass.
  void expect_condition(const Node& node, ExprType type, std::string_view what) {
    if (known(type) && type != ExprType::boolean) {
      report(node.column, std::string(what) + " needs true/false, not " +
                              std::string(type_name(type)) + " (which is never true)");
    }
  }

  ExprType logic(const Node& node) {
    const std::string what = "'" + std::string(operator_spelling(node.kind)) + "'";
    for (const Node& operand : node.children)
      expect_condition(node, visit(operand), what);
    return ExprType::boolean;
  }

  ExprType choice(const Node& node) {
    expect_condition(node, visit(node.children[0]), "the condition of '?'");
    const ExprType then = visit(node.children[1]);
    const ExprType otherwise = visit(node.children[2]);
    if (then == otherwise || otherwise == ExprType::null) return then;
    if (then == ExprType::null) return otherwise;
    return ExprType::any;
  }

  void report_operands(const Node& node, ExprType left, ExprType right) {
    std::string operands;
    if (known(left)) operands = type_name(left);
    if (known(left) && known(right)) operands += " and ";
    if (known(right)) operands += type_name(right);
    report(node.column,
           "'" + std::string(operator_spelling(node.kind)) + "' cannot be applied to " + operands);
  }

  ExprType arithmetic(const Node& node) {
    const ExprType left = visit(node.children[0]);
    const ExprType right = visit(node.children[1]);
    if (left == ExprType::null || right == ExprType::null) return ExprType::null;
    const std::optional<ExprType> result = arithmetic_result(node.kind, left, right);
    if (!result) {
      report_operands(node, left, right);
      return ExprType::any;
    }
    return *result;
  }

  // The result type, `any` when it depends on an unknown operand, nullopt when no values
  // of these types can ever be combined so.
  static std::optional<ExprType> arithmetic_result(NodeKind op, ExprType left, ExprType right) {
    using T = ExprType;
    const auto never_arithmetic = [](T t) { return t == T::boolean || t == T::list; };
    if (never_arithmetic(left) || never_arithmetic(right)) return std::nullopt;
    if (op == NodeKind::multiply || op == NodeKind::divide) {
      if ((known(left) && left != T::number) || (known(right) && right != T::number)) {
        return std::nullopt;
      }
      return T::number;
    }
    if (op == NodeKind::add) {
      if (left == T::text || right == T::text) {
        return (left == T::text || left == T::any) && (right == T::text || right == T::any)
                   ? std::optional(T::text)
                   : std::nullopt;
      }
      if (left == T::date && right == T::date) return std::nullopt;
      if (left == T::date || right == T::date) return T::date;  // date + days
      return left == T::number && right == T::number ? T::number : T::any;
    }
    // subtract: number - number, date - number, date - date
    if (left == T::text || right == T::text) return std::nullopt;
    if (left == T::number && right == T::date) return std::nullopt;
    if (right == T::date) return T::number;
    if (left == T::date) return right == T::number ? T::date : T::any;
    return left == T::number ? T::number : T::any;
  }

  ExprType equality(const Node& node) {
    const ExprType left = visit(node.children[0]);
    const ExprType right = visit(node.children[1]);
    if (known(left) && known(right) && left != right) {
      report(node.column, "'" + std::string(operator_spelling(node.kind)) + "' compares " +
                              std::string(type_name(left)) + " with " +
                              std::string(type_name(right)) + ", which are never equal");
    }
    check_option(node.children[0], node.children[1]);
    check_option(node.children[1], node.children[0]);
    return ExprType::boolean;
  }

  ExprType ordering(const Node& node) {
    const ExprType left = visit(node.children[0]);
    const ExprType right = visit(node.children[1]);
    const auto unordered = [](ExprType t) { return t == ExprType::boolean || t == ExprType::list; };
    if (unordered(left) || unordered(right) || (known(left) && known(right) && left != right)) {
      report_operands(node, left, right);
    }
    return ExprType::boolean;
  }

  ExprType membership(const Node& node) {
    visit(node.children[0]);
    const ExprType right = visit(node.children[1]);
    if (known(right) && right != ExprType::list) {
      report(node.column, "'in' needs a list on its right, not " + std::string(type_name(right)));
    }
    const Node& needle = node.children[0];
    const Node& haystack = node.children[1];
    if (haystack.kind == NodeKind::list) {
      for (const Node& item : haystack.children)
        check_option(needle, item);
    } else {
      check_option(haystack, needle);
    }
    return ExprType::boolean;
  }

  // The allowed values of an enum-like name or table entry, if it has any.
  std::optional<std::vector<std::string>> options_of(const Node& node) const {
    if (node.kind != NodeKind::name && node.kind != NodeKind::index) return std::nullopt;
    std::optional<NameInfo> info = names_.lookup(node.name);
    const NameInfo::Kind expected =
        node.kind == NodeKind::name ? NameInfo::Kind::value : NameInfo::Kind::table;
    if (!info || info->kind != expected || info->options.empty()) return std::nullopt;
    return std::move(info->options);
  }

  // `industry == 'electronic'` can never hold when 'electronic' is not one of the options.
  void check_option(const Node& constrained, const Node& candidate) {
    if (!reporting() || candidate.kind != NodeKind::literal) return;
    const std::string* text = candidate.literal.as_text();
    if (text == nullptr) return;
    const std::optional<std::vector<std::string>> options = options_of(constrained);
    if (!options || std::find(options->begin(), options->end(), *text) != options->end()) {
      return;
    }
    report(candidate.column, "'" + *text + "' is not an option of '" + constrained.name +
                                 "' (options: " + list_options(*options) + ")" +
                                 did_you_mean(closest_match(*text, *options)));
  }

  const NameResolver& names_;
  std::vector<ExpressionError>* problems_;
  std::optional<std::vector<std::string>> known_names_;
};

}  // namespace

ExprType analyze_tree(const Node& root, const NameResolver& names,
                      std::vector<ExpressionError>* problems) {
  const ExprType type = Analyzer(names, problems).visit(root);
  if (problems != nullptr) {
    std::stable_sort(
        problems->begin(), problems->end(),
        [](const ExpressionError& a, const ExpressionError& b) { return a.column < b.column; });
  }
  return type;
}

}  // namespace investflow::engine::detail
