#include "engine/duration_text.hpp"

#include <string>

namespace investflow::engine {

LocalizedText duration_text(const Duration& duration) {
  std::string amount;
  bool one = false;
  if (const int* count = std::get_if<int>(&duration.amount)) {
    amount = std::to_string(*count);
    one = *count == 1;
  } else {
    amount = "`" + std::get<Expression>(duration.amount).source() + "`";
  }
  switch (duration.unit) {
    case Duration::Unit::days:
      return {amount + "天", amount + (one ? " day" : " days")};
    case Duration::Unit::working_days:
      return {amount + "个工作日", amount + (one ? " working day" : " working days")};
    case Duration::Unit::months:
      return {amount + "个月", amount + (one ? " month" : " months")};
  }
  return {amount, amount};
}

bool same_duration(const Duration& a, const Duration& b) {
  if (a.unit != b.unit || a.amount.index() != b.amount.index()) return false;
  if (const int* count = std::get_if<int>(&a.amount)) return *count == std::get<int>(b.amount);
  return std::get<Expression>(a.amount).source() == std::get<Expression>(b.amount).source();
}

}  // namespace investflow::engine
