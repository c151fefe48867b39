#pragma once
// A name resolver and a scope over one table of declared names, for expression tests and
// the expression fuzzer: one source of truth for what the checker is told and what the
// evaluator sees, so static types can be compared with evaluated kinds.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/calendar.hpp"
#include "engine/expression.hpp"

namespace investflow::engine::testing {

struct Declared {
  NameInfo info;
  Value value;
};
using Declarations = std::map<std::string, Declared, std::less<>>;

class DeclaredNames final : public NameResolver {
 public:
  explicit DeclaredNames(Declarations all) : all_(std::move(all)) {}
  std::optional<NameInfo> lookup(std::string_view name) const override {
    const auto found = all_.find(name);
    if (found == all_.end()) return std::nullopt;
    return found->second.info;
  }
  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    for (const auto& entry : all_)
      out.push_back(entry.first);
    return out;
  }

 private:
  Declarations all_;
};

class DeclaredScope final : public Scope {
 public:
  using TableFn = std::function<Value(std::string_view table, const Value& key)>;
  DeclaredScope(Declarations all, TableFn tables, Date today, const Calendar* calendar)
      : all_(std::move(all)), tables_(std::move(tables)), today_(today), calendar_(calendar) {}
  Value value_of(std::string_view name) const override {
    const auto found = all_.find(name);
    return found == all_.end() ? Value() : found->second.value;
  }
  Value table_entry(std::string_view table, const Value& key) const override {
    return tables_(table, key);
  }
  Date today() const override { return today_; }
  const Calendar* calendar() const override { return calendar_; }

 private:
  Declarations all_;
  TableFn tables_;
  Date today_;
  const Calendar* calendar_;
};

}  // namespace investflow::engine::testing
