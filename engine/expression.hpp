#pragma once
// The workflow expression language: parsed once when a workflow loads, checked against the
// workflow's names, evaluated many times without throwing.
//
//   literals      12  3.5  'text'  "text"  true  false  null
//   names         total_investment  review.passed  (fields, computed, built-ins)
//   tables        intensity_min[industry]
//   arithmetic    + - * /   (null in, null out; division by zero gives null)
//   comparison    == != < <= > >=
//   logic         && || !   (null counts as false)
//   choice        cond ? a : b
//   membership    x in [a, b, c]
//   functions     present(x) today() days_between(a, b) working_days_between(a, b)
//                 min(a, b, ...) max(a, b, ...) round(x) round(x, digits)
//                 open_children('WORKFLOW')   (the project's children not yet terminal)

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/result.hpp"
#include "engine/value.hpp"

namespace investflow::engine {

class Calendar;

// A problem in an expression. `column` is 1-based within the expression's source text, so
// the loader can turn it into a file column.
struct ExpressionError {
  int column = 1;
  std::string message;
};

// Static types as far as the checker can tell. `any` means it cannot tell (checks pass).
enum class ExprType { any, null, boolean, number, text, date, list };
std::string_view type_name(ExprType type);

// What the checker knows about a name in scope.
struct NameInfo {
  enum class Kind { value, table };
  Kind kind = Kind::value;
  ExprType type = ExprType::any;     // for a table: the type of its entries
  std::vector<std::string> options;  // enum fields: the allowed values
};

// Supplies names to the checker. The workflow model implements it over fields, computed
// values, tables and built-ins.
class NameResolver {
 public:
  virtual ~NameResolver() = default;
  virtual std::optional<NameInfo> lookup(std::string_view name) const = 0;
  // Known names, for "did you mean" suggestions.
  virtual std::vector<std::string> names() const = 0;
  // Why an unknown name is unknown, when there is more to say than "did you mean"
  // (e.g. `parent.x` in a workflow without `parent:`); appended to the message.
  virtual std::string unknown_name_note(std::string_view name) const {
    (void)name;
    return {};
  }
  // What is wrong with `open_children('WORKFLOW')` for this workflow id, or nothing.
  virtual std::optional<std::string> children_problem(std::string_view workflow) const {
    (void)workflow;
    return std::nullopt;
  }
};

// Supplies values at evaluation time.
class Scope {
 public:
  virtual ~Scope() = default;
  virtual Value value_of(std::string_view name) const = 0;
  // present(name) without copying the value (texts and lists would allocate).
  virtual bool is_present(std::string_view name) const { return value_of(name).is_present(); }
  virtual Value table_entry(std::string_view table, const Value& key) const = 0;
  virtual Date today() const = 0;
  virtual const Calendar* calendar() const = 0;  // may be null: then weekends only
  // open_children('WORKFLOW'): the number of the project's children of that workflow not
  // yet in a terminal state; null when the scope does not know.
  virtual Value open_children(std::string_view workflow) const {
    (void)workflow;
    return Value();
  }

  // Names of a bound expression (Expression::bind) come with the slot the binder gave them,
  // so a scope that knows the binder's numbering can skip the lookup by name. `slot` is -1
  // for an unbound name. The defaults ignore the slot. value_at returns either a value the
  // scope keeps alive while it lives, or `storage` filled with the value.
  virtual const Value& value_at(int slot, std::string_view name, Value& storage) const {
    (void)slot;
    storage = value_of(name);
    return storage;
  }
  virtual bool is_present_at(int slot, std::string_view name) const {
    (void)slot;
    return is_present(name);
  }
  virtual Value table_entry_at(int slot, std::string_view table, const Value& key) const {
    (void)slot;
    return table_entry(table, key);
  }
};

namespace detail {
struct Node;
}

class Expression {
 public:
  Expression();  // the literal `null`
  static Result<Expression, ExpressionError> parse(std::string_view source);

  const std::string& source() const { return source_; }

  // Every problem found (unknown names with suggestions, a table used as a value or a value
  // indexed like a table, wrong function or arity, obviously mistyped operands, an enum
  // compared with a literal outside its options). Empty when the expression is sound.
  std::vector<ExpressionError> check(const NameResolver& names) const;
  // The static type of the whole expression under `names` (any when unknown).
  ExprType type(const NameResolver& names) const;
  // Names the expression reads (fields, computed values, tables, built-ins), once each.
  std::vector<std::string> referenced_names() const;
  // The workflow ids of the `open_children('WORKFLOW')` calls in the expression, once each.
  std::vector<std::string> counted_children() const;

  Value evaluate(const Scope& scope) const noexcept;
  // evaluate(scope).is_true(), without building the value: for guards and conditions.
  bool holds(const Scope& scope) const noexcept;

  // Gives every name the expression reads the slot `slot_of(name)` returns (-1 leaves it
  // unbound); evaluation passes it to Scope::value_at and friends. The workflow binds its
  // expressions when it builds its index. The tree is copied first: copies of this
  // expression made before keep their own binding.
  void bind(const std::function<int(std::string_view)>& slot_of);

 private:
  std::string source_;
  std::shared_ptr<const detail::Node> root_;
};

// Replaces each `{name}` in `text` with the display form of `scope.value_of(name)` (numbers
// rounded to 2 decimals). `{{` and `}}` stand for literal braces. Unknown names become "".
std::string interpolate(std::string_view text, const Scope& scope);

// The candidate closest to `word` (edits: insert, delete, substitute, swap two adjacent
// characters), or empty if none is within a third of the word's length.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace investflow::engine
