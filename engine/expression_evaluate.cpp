// Evaluation of a parsed expression. Total: every input gives a value (null when the
// operation has no meaning), and numbers and booleans never allocate.

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/calendar.hpp"
#include "engine/expression_node.hpp"

namespace investflow::engine::detail {
namespace {

// Dates the language produces stay within years 1..9999, so day counts never overflow.
constexpr double kFirstDay = -719162;  // 0001-01-01
constexpr double kLastDay = 2932896;   // 9999-12-31

// Infinity and NaN mean an overflow upstream; like a division by zero they become null.
Value number_or_null(double x) {
  return std::isfinite(x) ? Value::number(x) : Value();
}

Value shift_date(Date date, double days) {
  if (!std::isfinite(days)) return {};
  const double target = date.days_since_epoch() + std::trunc(days);
  if (target < kFirstDay || target > kLastDay) return {};
  return Value::date(Date(static_cast<std::int32_t>(target)));
}

Value add(const Value& a, const Value& b) {
  if (const double* x = a.as_number()) {
    if (const double* y = b.as_number()) return number_or_null(*x + *y);
    if (const Date* d = b.as_date()) return shift_date(*d, *x);
    return {};
  }
  if (const std::string* s = a.as_text()) {
    const std::string* t = b.as_text();
    if (t == nullptr) return {};
    std::string joined;
    joined.reserve(s->size() + t->size());
    joined.append(*s).append(*t);
    return Value::text(std::move(joined));
  }
  if (const Date* d = a.as_date()) {
    if (const double* y = b.as_number()) return shift_date(*d, *y);
  }
  return {};
}

Value subtract(const Value& a, const Value& b) {
  if (const double* x = a.as_number()) {
    const double* y = b.as_number();
    return y != nullptr ? number_or_null(*x - *y) : Value();
  }
  if (const Date* d = a.as_date()) {
    if (const double* y = b.as_number()) return shift_date(*d, -*y);
    if (const Date* e = b.as_date()) {
      return Value::number(static_cast<double>(d->days_since_epoch()) - e->days_since_epoch());
    }
  }
  return {};
}

Value multiply(const Value& a, const Value& b) {
  const double* x = a.as_number();
  const double* y = b.as_number();
  return x != nullptr && y != nullptr ? number_or_null(*x * *y) : Value();
}

Value divide(const Value& a, const Value& b) {
  const double* x = a.as_number();
  const double* y = b.as_number();
  if (x == nullptr || y == nullptr || *y == 0) return {};
  return number_or_null(*x / *y);
}

template <typename T>
bool holds(const T& x, const T& y, NodeKind op) {
  switch (op) {
    case NodeKind::less:
      return x < y;
    case NodeKind::less_equal:
      return x <= y;
    case NodeKind::greater:
      return x > y;
    default:
      return x >= y;
  }
}

// Numbers, texts (bytewise) and dates have an order; anything else, null included, makes
// every ordering comparison false.
bool ordered(const Value& a, const Value& b, NodeKind op) {
  if (const double* x = a.as_number()) {
    const double* y = b.as_number();
    return y != nullptr && holds(*x, *y, op);
  }
  if (const std::string* x = a.as_text()) {
    const std::string* y = b.as_text();
    return y != nullptr && holds(std::string_view(*x), std::string_view(*y), op);
  }
  if (const Date* x = a.as_date()) {
    const Date* y = b.as_date();
    return y != nullptr && holds(*x, *y, op);
  }
  return false;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Monday to Friday among the days before `day`, counted from Monday 1969-12-29.
std::int64_t weekdays_before(std::int64_t day) {
  const std::int64_t since_monday = day + 3;
  const std::int64_t weeks = floor_div(since_monday, 7);
  return 5 * weeks + std::min<std::int64_t>(since_monday - 7 * weeks, 5);
}

// Weekdays d with a < d <= b (negative when b < a), the Calendar convention.
double weekdays_between(Date a, Date b) {
  return static_cast<double>(weekdays_before(std::int64_t{b.days_since_epoch()} + 1) -
                             weekdays_before(std::int64_t{a.days_since_epoch()} + 1));
}

// Half away from zero at `digits` decimals (negative: tens, hundreds...).
Value round_half_away(double x, double digits) {
  if (!std::isfinite(digits)) return {};
  const int places = static_cast<int>(std::clamp(std::trunc(digits), -15.0, 15.0));
  // Powers of ten up to 1e15 are exact doubles: the same values std::pow gives, cheaper.
  static constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const double scale = kPowersOfTen[std::abs(places)];
  const double scaled = places >= 0 ? x * scale : x / scale;
  if (!std::isfinite(scaled) || std::abs(scaled) >= 0x1p52) return Value::number(x);
  double rounded = std::round(scaled);
  // 2.675 is stored a hair below the half; whoever wrote it means the half.
  const double whole = std::trunc(scaled);
  const double tolerance = 8 * DBL_EPSILON * std::max(1.0, std::abs(scaled));
  if (std::abs(std::abs(scaled - whole) - 0.5) <= tolerance) {
    rounded = whole + std::copysign(1.0, scaled);
  }
  return number_or_null(places >= 0 ? rounded / scale : rounded * scale);
}

class Evaluator {
 public:
  explicit Evaluator(const Scope& scope) : scope_(scope) {}

  bool holds(const Node& node) const { return truth(node); }

  Value eval(const Node& node) const {
    const std::vector<Node>& children = node.children;
    switch (node.kind) {
      case NodeKind::literal:
        return node.literal;
      case NodeKind::list:
        return list(children);
      case NodeKind::name: {
        Value storage;
        const Value& value = scope_.value_at(node.slot, node.name, storage);
        return &value == &storage ? std::move(storage) : value;
      }
      case NodeKind::index: {
        Value storage;
        return scope_.table_entry_at(node.slot, node.name, operand(children[0], storage));
      }
      case NodeKind::call:
        return call(node);
      case NodeKind::negate: {
        Value storage;
        const double* x = operand(children[0], storage).as_number();
        return x != nullptr ? Value::number(-*x) : Value();
      }
      case NodeKind::logical_not:
      case NodeKind::logical_and:
      case NodeKind::logical_or:
        return Value::boolean(truth(node));
      case NodeKind::choice:
        return truth(children[0]) ? eval(children[1]) : eval(children[2]);
      case NodeKind::in:
        return Value::boolean(contains(children[0], children[1]));
      default:
        return binary(node);
    }
  }

 private:
  // The value of `node` without copying it when it is a literal or a name the scope holds:
  // `storage` keeps a computed value alive for the caller.
  const Value& operand(const Node& node, Value& storage) const {
    if (node.kind == NodeKind::literal) return node.literal;
    if (node.kind == NodeKind::name) return scope_.value_at(node.slot, node.name, storage);
    storage = eval(node);
    return storage;
  }

  // Whether `node`'s value is true. Logic, comparisons, membership and present() answer
  // directly, without building their boolean as a Value: guards are mostly made of these.
  bool truth(const Node& node) const {
    const std::vector<Node>& children = node.children;
    switch (node.kind) {
      case NodeKind::logical_not:
        return !truth(children[0]);
      case NodeKind::logical_and:
        return truth(children[0]) && truth(children[1]);
      case NodeKind::logical_or:
        return truth(children[0]) || truth(children[1]);
      case NodeKind::choice:
        return truth(children[0]) ? truth(children[1]) : truth(children[2]);
      case NodeKind::in:
        return contains(children[0], children[1]);
      case NodeKind::equal:
      case NodeKind::not_equal:
      case NodeKind::less:
      case NodeKind::less_equal:
      case NodeKind::greater:
      case NodeKind::greater_equal: {
        Value left_storage;
        Value right_storage;
        return compare(node.kind, operand(children[0], left_storage),
                       operand(children[1], right_storage));
      }
      case NodeKind::call:
        if (node.function == Function::present && children.size() == 1 &&
            children[0].kind == NodeKind::name) {
          return scope_.is_present_at(children[0].slot, children[0].name);
        }
        break;
      default:
        break;
    }
    Value storage;
    return operand(node, storage).is_true();
  }

  static bool compare(NodeKind kind, const Value& left, const Value& right) {
    switch (kind) {
      case NodeKind::equal:
        return left == right;
      case NodeKind::not_equal:
        return !(left == right);
      default:
        return ordered(left, right, kind);
    }
  }

  Value list(const std::vector<Node>& items) const {
    Value::List values;
    values.reserve(items.size());
    for (const Node& item : items)
      values.push_back(eval(item));
    return Value::list(std::move(values));
  }

  Value binary(const Node& node) const {
    Value left_storage;
    Value right_storage;
    const Value& left = operand(node.children[0], left_storage);
    const Value& right = operand(node.children[1], right_storage);
    switch (node.kind) {
      case NodeKind::add:
        return add(left, right);
      case NodeKind::subtract:
        return subtract(left, right);
      case NodeKind::multiply:
        return multiply(left, right);
      case NodeKind::divide:
        return divide(left, right);
      case NodeKind::equal:
        return Value::boolean(left == right);
      case NodeKind::not_equal:
        return Value::boolean(!(left == right));
      case NodeKind::less:
      case NodeKind::less_equal:
      case NodeKind::greater:
      case NodeKind::greater_equal:
        return Value::boolean(ordered(left, right, node.kind));
      default:
        return {};
    }
  }

  // `needle in [a, b]` compares item by item without building the list.
  bool contains(const Node& needle_node, const Node& haystack_node) const {
    Value needle_storage;
    const Value& needle = operand(needle_node, needle_storage);
    if (haystack_node.kind == NodeKind::list) {
      for (const Node& item : haystack_node.children) {
        Value item_storage;
        if (operand(item, item_storage) == needle) return true;
      }
      return false;
    }
    Value haystack_storage;
    const Value::List* items = operand(haystack_node, haystack_storage).as_list();
    return items != nullptr && std::find(items->begin(), items->end(), needle) != items->end();
  }

  Value call(const Node& node) const {
    const std::vector<Node>& args = node.children;
    switch (node.function) {
      case Function::present: {
        if (args.size() != 1) return {};
        if (args[0].kind == NodeKind::name) {
          return Value::boolean(scope_.is_present_at(args[0].slot, args[0].name));
        }
        Value storage;
        return Value::boolean(operand(args[0], storage).is_present());
      }
      case Function::today:
        return args.empty() ? Value::date(scope_.today()) : Value();
      case Function::days_between:
      case Function::working_days_between:
        return between(node.function, args);
      case Function::min:
      case Function::max:
        return extreme(node.function, args);
      case Function::round:
        return round(args);
      case Function::open_children: {
        const std::string* workflow = counted_workflow(node);
        return workflow != nullptr ? scope_.open_children(*workflow) : Value();
      }
      case Function::unknown:
        return {};
    }
    return {};
  }

  Value between(Function function, const std::vector<Node>& args) const {
    if (args.size() != 2) return {};
    Value from_storage;
    Value to_storage;
    const Date* from = operand(args[0], from_storage).as_date();
    const Date* to = operand(args[1], to_storage).as_date();
    if (from == nullptr || to == nullptr) return {};
    if (function == Function::days_between) {
      return Value::number(static_cast<double>(to->days_since_epoch()) - from->days_since_epoch());
    }
    const Calendar* calendar = scope_.calendar();
    if (calendar == nullptr) return Value::number(weekdays_between(*from, *to));
    return Value::number(calendar->working_days_between(*from, *to));
  }

  // min/max over the numbers among the arguments; nulls (and non-numbers) are skipped.
  Value extreme(Function function, const std::vector<Node>& args) const {
    bool found = false;
    double best = 0;
    for (const Node& arg : args) {
      Value storage;
      const double* x = operand(arg, storage).as_number();
      if (x == nullptr || std::isnan(*x)) continue;
      if (!found || (function == Function::min ? *x < best : *x > best)) best = *x;
      found = true;
    }
    return found ? Value::number(best) : Value();
  }

  Value round(const std::vector<Node>& args) const {
    if (args.empty() || args.size() > 2) return {};
    Value x_storage;
    const double* x = operand(args[0], x_storage).as_number();
    if (x == nullptr) return {};
    if (args.size() == 1) return round_half_away(*x, 0);
    Value digits_storage;
    const double* digits = operand(args[1], digits_storage).as_number();
    return digits != nullptr ? round_half_away(*x, *digits) : Value();
  }

  const Scope& scope_;
};

}  // namespace

bool test_tree(const Node& root, const Scope& scope) {
  try {
    return Evaluator(scope).holds(root);
  } catch (...) {
    return false;
  }
}

Value evaluate_tree(const Node& root, const Scope& scope) {
  // A Scope may throw (or allocation may fail); evaluation promises never to.
  try {
    return Evaluator(scope).eval(root);
  } catch (...) {
    return {};
  }
}

}  // namespace investflow::engine::detail
