#include "engine/workflow.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>

#include "engine/names.hpp"
#include "engine/typed_text.hpp"

namespace investflow::engine {

const std::string& LocalizedText::in(std::string_view lang) const {
  const bool english = lang.substr(0, 2) == "en";
  if (english) return en.empty() ? zh : en;
  return zh.empty() ? en : zh;
}

namespace {

template <typename Index>
auto find_in(const Index& index, std::string_view key) {
  const auto it = index.find(key);
  return it == index.end() ? nullptr : it->second;
}

// Of a repeated name, the first item is kept.
template <typename T, typename Index>
void index_by(const std::vector<T>& items, Index& index, std::string T::*member) {
  for (const T& item : items)
    index.emplace(item.*member, &item);
}

LocalizedText both(std::string zh, std::string en) {
  return {std::move(zh), std::move(en)};
}

std::size_t utf8_length(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::string options_list(const FieldDef& field) {
  std::string out;
  for (const std::string& option : field.options) {
    if (!out.empty()) out += ", ";
    out += option;
  }
  return out;
}

std::string zh_label(const FieldDef& field) {
  return field.label.in("zh-CN").empty() ? field.name : field.label.in("zh-CN");
}

// The error of a value whose measure (value, length, item count) is outside the field's
// bounds; nullopt when inside.
std::optional<FieldValueError> bounds_error(const FieldDef& field, double measure,
                                            std::string_view what_en, std::string_view what_zh) {
  if (field.min && measure < *field.min) {
    const std::string label_zh = zh_label(field);
    return FieldValueError{
        both(label_zh + "的" + std::string(what_zh) + "不能小于 " + format_number(*field.min),
             field.name + ": " + std::string(what_en) + " must be at least " +
                 format_number(*field.min))};
  }
  if (field.max && measure > *field.max) {
    const std::string label_zh = zh_label(field);
    return FieldValueError{
        both(label_zh + "的" + std::string(what_zh) + "不能大于 " + format_number(*field.max),
             field.name + ": " + std::string(what_en) + " must be at most " +
                 format_number(*field.max))};
  }
  return std::nullopt;
}

Result<Value, FieldValueError> check_bounds(const FieldDef& field, Value value, double measure,
                                            std::string_view what_en, std::string_view what_zh) {
  if (std::optional<FieldValueError> error = bounds_error(field, measure, what_en, what_zh)) {
    return fail(std::move(*error));
  }
  return value;
}

FieldValueError type_error(const FieldDef& field, std::string_view expected_en,
                           std::string_view expected_zh) {
  const std::string label_zh =
      field.label.in("zh-CN").empty() ? field.name : field.label.in("zh-CN");
  return {both(label_zh + "应为" + std::string(expected_zh),
               field.name + ": expected " + std::string(expected_en))};
}

Result<Value, FieldValueError> coerce_enum_item(const FieldDef& field, const Value& raw) {
  const std::string* text = raw.as_text();
  if (text == nullptr)
    return fail(
        type_error(field, "one of: " + options_list(field), "以下之一：" + options_list(field)));
  const std::string_view item = trim(*text);
  if (!field.options.empty()) {
    std::optional<std::string> option = option_named(field, item);
    if (option) return Value::text(std::move(*option));
    return fail(FieldValueError{
        both("“" + std::string(item) + "”不是" + field.label.in("zh-CN") + "的可选值（" +
                 options_list(field) + "）",
             field.name + ": '" + std::string(item) + "' is not one of " + options_list(field))});
  }
  return Value::text(std::string(item));
}

}  // namespace

std::string_view field_type_name(FieldType type) {
  return name_in(kFieldTypeNames, type);
}

bool field_tag_fits(FieldTag tag, FieldType type) {
  switch (tag) {
    case FieldTag::investment:
    case FieldTag::committed_investment:
    case FieldTag::funds_in_place:
      return type == FieldType::money;
    case FieldTag::floor_area:
    case FieldTag::land_area:
      return type == FieldType::area;
    case FieldTag::enterprise:
    case FieldTag::name:
      return type == FieldType::text;
    case FieldTag::industry:
    case FieldTag::chain_role:
    case FieldTag::promoting_unit:
    case FieldTag::responsible_unit:
    case FieldTag::problem_category:
      return type == FieldType::enumeration || type == FieldType::text;
  }
  return false;
}

std::optional<FieldType> parse_field_type(std::string_view name) {
  return value_named(kFieldTypeNames, name);
}

ExprType expr_type_of(FieldType type) {
  switch (type) {
    case FieldType::text:
    case FieldType::enumeration:
    case FieldType::user:
      return ExprType::text;
    case FieldType::number:
    case FieldType::money:
    case FieldType::area:
      return ExprType::number;
    case FieldType::date:
      return ExprType::date;
    case FieldType::boolean:
      return ExprType::boolean;
    case FieldType::list:
      return ExprType::list;
  }
  return ExprType::any;
}

bool TransitionDef::leaves(std::string_view state) const {
  return from_any || std::find(from.begin(), from.end(), state) != from.end();
}

const FieldDef* Workflow::find_field(std::string_view name) const {
  return find_in(field_index_, name);
}
const TableDef* Workflow::find_table(std::string_view name) const {
  return find_in(table_index_, name);
}
const ComputedDef* Workflow::find_computed(std::string_view name) const {
  return find_in(computed_index_, name);
}
const StateDef* Workflow::find_state(std::string_view state) const {
  return find_in(state_index_, state);
}
const TransitionDef* Workflow::find_transition(std::string_view transition) const {
  return find_in(transition_index_, transition);
}
const MilestoneDef* Workflow::find_milestone(std::string_view milestone) const {
  for (const MilestoneDef& item : milestones) {
    if (item.id == milestone) return &item;
  }
  return nullptr;
}

Workflow::NameRef Workflow::find_name(std::string_view name) const {
  const auto it = name_index_.find(name);
  return it == name_index_.end() ? NameRef{} : it->second;
}

bool Workflow::has_role(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::vector<const TransitionDef*> Workflow::transitions_from(std::string_view state) const {
  const auto it = transitions_from_index_.find(state);
  return it == transitions_from_index_.end() ? std::vector<const TransitionDef*>{} : it->second;
}

bool Workflow::role_acts_in(std::string_view role, std::string_view state) const {
  for (const TransitionDef* transition : transitions_from(state)) {
    if (transition->roles.empty() || std::find(transition->roles.begin(), transition->roles.end(),
                                               role) != transition->roles.end()) {
      return true;
    }
  }
  return false;
}

int Workflow::slot_of(std::string_view name) const {
  const NameRef ref = find_name(name);
  switch (ref.kind) {
    case NameRef::Kind::field:
      return static_cast<int>(ref.field - fields.data());
    case NameRef::Kind::computed:
      return static_cast<int>(fields.size()) + static_cast<int>(ref.computed - computed.data());
    case NameRef::Kind::table:
      return static_cast<int>(fields.size() + computed.size()) +
             static_cast<int>(ref.table - tables.data());
    case NameRef::Kind::unknown:
      break;
  }
  return other_slot();
}

namespace {
// The position of `item` in `items`, or items.size() when it is not one of them.
template <typename T>
std::size_t position_in(const std::vector<T>& items, const T& item) {
  // std::less orders any two pointers, also an item that is not one of ours.
  const std::less<const T*> before;
  const T* first = items.data();
  if (before(&item, first) || !before(&item, first + items.size())) return items.size();
  return static_cast<std::size_t>(&item - first);
}
}  // namespace

const Workflow::Entering* Workflow::entering(const StateDef& state) const {
  const std::size_t index = position_in(states, state);
  return index < entering_.size() ? &entering_[index] : nullptr;
}

const StateDef* Workflow::target(const TransitionDef& transition) const {
  const std::size_t index = position_in(transitions, transition);
  return index < targets_.size() ? targets_[index] : nullptr;
}

const std::vector<int>* Workflow::required_slots(const TransitionDef& transition) const {
  const std::size_t index = position_in(transitions, transition);
  if (index >= required_slots_.size()) return nullptr;
  return &required_slots_[index];
}

void Workflow::bind_expressions() {
  const std::function<int(std::string_view)> slot_of_name = [this](std::string_view name) {
    return slot_of(name);
  };
  const auto bind = [&](Expression& expression) {
    expression.bind(slot_of_name);
    for (std::string& workflow : expression.counted_children()) {
      if (std::find(counted_children_.begin(), counted_children_.end(), workflow) ==
          counted_children_.end()) {
        counted_children_.push_back(std::move(workflow));
      }
    }
  };
  const auto bind_duration = [&](Duration& duration) {
    if (auto* amount = std::get_if<Expression>(&duration.amount)) bind(*amount);
  };
  for (ComputedDef& item : computed)
    bind(item.expression);
  for (StateDef& state : states) {
    if (state.review) bind(state.review->pass);
    if (state.sla) bind_duration(state.sla->working_days);
  }
  for (TransitionDef& transition : transitions) {
    for (GuardDef& guard : transition.guards)
      bind(guard.check);
    if (transition.when) bind(*transition.when);
  }
  for (MilestoneDef& milestone : milestones) {
    bind_duration(milestone.within);
    if (milestone.done_when) bind(*milestone.done_when);
  }
  if (followup) bind_duration(followup->every);
  for (const TransitionDef& transition : transitions) {
    std::vector<int>& slots = required_slots_.emplace_back();
    for (const std::string& name : transition.requires_fields)
      slots.push_back(slot_of(name));
  }
}

bool Workflow::accepts_parent(std::string_view workflow) const {
  return parent && std::find(parent->workflows.begin(), parent->workflows.end(), workflow) !=
                       parent->workflows.end();
}

std::shared_ptr<const Workflow> Workflow::make(WorkflowDefinition definition) {
  return std::shared_ptr<const Workflow>(new Workflow(std::move(definition)));
}

Workflow::Workflow(WorkflowDefinition definition) : WorkflowDefinition(std::move(definition)) {
  index_by(fields, field_index_, &FieldDef::name);
  index_by(tables, table_index_, &TableDef::name);
  index_by(computed, computed_index_, &ComputedDef::name);
  index_by(states, state_index_, &StateDef::id);
  index_by(transitions, transition_index_, &TransitionDef::id);
  for (const StateDef& state : states) {
    if (state.terminal || find_state(state.id) != &state) continue;  // of a repeated id: the first
    std::vector<const TransitionDef*>& from = transitions_from_index_[state.id];
    for (const TransitionDef& transition : transitions) {
      if (transition.leaves(state.id)) from.push_back(&transition);
    }
  }
  // Of a name used twice, a field wins over a computed value, which wins over a table.
  for (const TableDef& table : tables)
    name_index_[table.name] = {NameRef::Kind::table, nullptr, nullptr, &table};
  for (const ComputedDef& item : computed)
    name_index_[item.name] = {NameRef::Kind::computed, nullptr, &item, nullptr};
  for (const FieldDef& field : fields)
    name_index_[field.name] = {NameRef::Kind::field, &field, nullptr, nullptr};
  bind_expressions();
  for (const TransitionDef& transition : transitions)
    targets_.push_back(find_state(transition.to));
  entering_.assign(states.size(), Entering{});
  for (std::size_t i = 0; i < states.size(); ++i) {
    Entering& entry = entering_[i];
    for (const MilestoneDef& milestone : milestones) {
      if (milestone.after == states[i].id) entry.milestones.push_back(&milestone);
    }
    entry.followup = followup && std::find(followup->in.begin(), followup->in.end(),
                                           states[i].id) != followup->in.end();
  }
  // Report tags; of a tag used twice (the loader refuses that), the first.
  for (const StateDef& state : states) {
    if (!state.report) continue;
    const StateDef*& slot = state_tags_[static_cast<std::size_t>(*state.report)];
    if (slot == nullptr) slot = &state;
  }
  for (const FieldDef& field : fields) {
    if (!field.report) continue;
    const FieldDef*& slot = field_tags_[static_cast<std::size_t>(*field.report)];
    if (slot == nullptr) slot = &field;
  }
  for (const MilestoneDef& milestone : milestones) {
    if (!milestone.report) continue;
    const MilestoneDef*& slot = milestone_tags_[static_cast<std::size_t>(*milestone.report)];
    if (slot == nullptr) slot = &milestone;
  }
}

std::optional<NameInfo> WorkflowNames::lookup(std::string_view name) const {
  if (const FieldDef* field = workflow_.find_field(name)) {
    NameInfo info;
    info.type = expr_type_of(field->type);
    if (field->type == FieldType::enumeration) info.options = field->options;
    return info;
  }
  if (workflow_.find_computed(name) != nullptr) return NameInfo{};
  if (const TableDef* table = workflow_.find_table(name)) {
    NameInfo info;
    info.kind = NameInfo::Kind::table;
    const Value* sample = table->entries.empty() ? (table->fallback ? &*table->fallback : nullptr)
                                                 : &table->entries.begin()->second;
    if (sample != nullptr) {
      switch (sample->kind()) {
        case Value::Kind::number:
          info.type = ExprType::number;
          break;
        case Value::Kind::text:
          info.type = ExprType::text;
          break;
        case Value::Kind::boolean:
          info.type = ExprType::boolean;
          break;
        default:
          break;
      }
    }
    return info;
  }
  if (name == "state" || name == "owner") {
    NameInfo info;
    info.type = ExprType::text;
    if (name == "state") {
      for (const StateDef& state : workflow_.states)
        info.options.push_back(state.id);
    }
    return info;
  }
  if (name == "review.passed") return NameInfo{NameInfo::Kind::value, ExprType::boolean, {}};
  for (std::string_view count : {"review.approvals", "review.rejections", "review.abstentions",
                                 "review.recusals", "review.votes", "review.quorum"}) {
    if (name == count) return NameInfo{NameInfo::Kind::value, ExprType::number, {}};
  }
  if (review_vote_names_) {
    for (std::string_view count : {"approvals", "rejections", "abstentions", "recusals", "votes"}) {
      if (name == count) return NameInfo{NameInfo::Kind::value, ExprType::number, {}};
    }
  }
  return parent_lookup(name);
}

std::optional<NameInfo> WorkflowNames::parent_lookup(std::string_view name) const {
  if (!workflow_.parent || name.substr(0, kParentPrefix.size()) != kParentPrefix) {
    return std::nullopt;
  }
  const std::string_view member = name.substr(kParentPrefix.size());
  NameInfo info;
  if (member == "state") {
    info.type = ExprType::text;
    if (family_ != nullptr) {
      for (const Workflow* parent : family_->parents) {
        for (const StateDef& state : parent->states) {
          if (std::find(info.options.begin(), info.options.end(), state.id) == info.options.end())
            info.options.push_back(state.id);
        }
      }
    }
    return info;
  }
  // The parents are not known (loaded alone, or none of them loaded, which is reported at
  // `parent:`): any field, any type.
  if (family_ == nullptr || family_->parents.empty()) return info;
  std::optional<FieldType> type;
  for (const Workflow* parent : family_->parents) {
    const FieldDef* field = parent->find_field(member);
    if (field == nullptr || (type && *type != field->type)) return std::nullopt;
    type = field->type;
    for (const std::string& option : field->options) {
      if (std::find(info.options.begin(), info.options.end(), option) == info.options.end())
        info.options.push_back(option);
    }
  }
  info.type = expr_type_of(*type);  // set: parents is not empty
  if (*type != FieldType::enumeration) info.options.clear();
  return info;
}

std::string WorkflowNames::unknown_name_note(std::string_view name) const {
  if (name.substr(0, kParentPrefix.size()) != kParentPrefix) return {};
  const std::string quoted = "'" + std::string(name) + "'";
  if (!workflow_.parent) {
    return quoted + " needs a top-level parent: {workflows: [...]} in this workflow";
  }
  if (family_ == nullptr) return {};
  const std::string member(name.substr(kParentPrefix.size()));
  std::string note;
  const FieldDef* first = nullptr;
  const Workflow* first_parent = nullptr;
  for (const Workflow* parent : family_->parents) {
    const FieldDef* field = parent->find_field(member);
    if (field == nullptr) {
      std::vector<std::string> candidates;
      for (const FieldDef& candidate : parent->fields)
        candidates.push_back(candidate.name);
      const std::string close = closest_match(member, candidates);
      return "parent workflow '" + parent->id + "' has no field '" + member + "'" +
             (close.empty() ? "" : "; did you mean 'parent." + close + "'?");
    }
    if (first != nullptr && first->type != field->type) {
      return "parent workflows give it different types: " +
             std::string(field_type_name(first->type)) + " in '" + first_parent->id + "', " +
             std::string(field_type_name(field->type)) + " in '" + parent->id + "'";
    }
    first = field;
    first_parent = parent;
  }
  return {};
}

std::optional<std::string> WorkflowNames::children_problem(std::string_view workflow) const {
  const std::string quoted = "'" + std::string(workflow) + "'";
  if (family_ == nullptr) return std::nullopt;  // alone: checked when loaded with the others
  if (std::find(family_->children.begin(), family_->children.end(), workflow) !=
      family_->children.end()) {
    return std::nullopt;
  }
  const bool loaded =
      std::find(family_->loaded.begin(), family_->loaded.end(), workflow) != family_->loaded.end();
  std::string message = loaded ? "workflow " + quoted + " does not name '" + workflow_.id +
                                     "' in its parent: {workflows: [...]}, so its items are "
                                     "never children here"
                               : "no workflow " + quoted + " is loaded";
  const std::string close = closest_match(workflow, family_->children);
  if (!close.empty()) message += "; did you mean '" + close + "'?";
  return message;
}

std::vector<std::string> WorkflowNames::names() const {
  std::vector<std::string> out;
  for (const FieldDef& field : workflow_.fields)
    out.push_back(field.name);
  for (const ComputedDef& computed : workflow_.computed)
    out.push_back(computed.name);
  for (const TableDef& table : workflow_.tables)
    out.push_back(table.name);
  for (const char* builtin :
       {"state", "owner", "review.passed", "review.approvals", "review.rejections",
        "review.abstentions", "review.recusals", "review.votes", "review.quorum"}) {
    out.emplace_back(builtin);
  }
  if (review_vote_names_) {
    for (const char* count : {"approvals", "rejections", "abstentions", "recusals", "votes"}) {
      out.emplace_back(count);
    }
  }
  if (workflow_.parent) {
    out.push_back("parent.state");
    if (family_ != nullptr && !family_->parents.empty()) {
      for (const FieldDef& field : family_->parents.front()->fields) {
        std::string name = std::string(kParentPrefix) + field.name;
        if (parent_lookup(name)) out.push_back(std::move(name));
      }
    }
  }
  return out;
}

Result<Value, FieldValueError> coerce_field_value(const FieldDef& field, const Value& raw) {
  if (raw.is_null()) return Value();
  switch (field.type) {
    case FieldType::text:
    case FieldType::user: {
      // Text given for a text field is taken as it is: checked, then copied once.
      if (const std::string* given = raw.as_text();
          given != nullptr && field.type == FieldType::text) {
        if (field.min || field.max) {  // only then is the length needed
          const double length = static_cast<double>(utf8_length(*given));
          if (std::optional<FieldValueError> error =
                  bounds_error(field, length, "length", "长度")) {
            return fail(std::move(*error));
          }
        }
        return Value::text(*given);
      }
      std::string text;
      if (const std::string* s = raw.as_text()) {
        text = *s;
      } else if (raw.as_number() != nullptr) {
        text = raw.to_display();
      } else {
        return fail(type_error(field, "text", "文本"));
      }
      if (field.type == FieldType::user) text = std::string(trim(text));
      const double length = static_cast<double>(utf8_length(text));
      return check_bounds(field, Value::text(std::move(text)), length, "length", "长度");
    }
    case FieldType::number:
    case FieldType::money:
    case FieldType::area: {
      std::optional<double> number;
      if (const double* n = raw.as_number()) {
        if (std::isfinite(*n)) number = *n;
      } else if (const std::string* s = raw.as_text()) {
        number = parse_number(*s);
      }
      if (!number) return fail(type_error(field, "a number", "数字"));
      if (std::optional<FieldValueError> error = bounds_error(field, *number, "value", "数值")) {
        return fail(std::move(*error));
      }
      return Value::number(*number);
    }
    case FieldType::date: {
      if (raw.as_date() != nullptr) return raw;
      if (const std::string* s = raw.as_text()) {
        if (const std::optional<Date> date = Date::parse(trim(*s))) return Value::date(*date);
      }
      return fail(type_error(field, "a date YYYY-MM-DD", "日期（YYYY-MM-DD）"));
    }
    case FieldType::boolean: {
      if (raw.as_boolean() != nullptr) return raw;
      if (const std::string* s = raw.as_text()) {
        if (const std::optional<bool> b = parse_yes_no(*s)) return Value::boolean(*b);
      }
      if (const double* n = raw.as_number(); n != nullptr && (*n == 0 || *n == 1)) {
        return Value::boolean(*n == 1);
      }
      return fail(type_error(field, "true or false", "是或否"));
    }
    case FieldType::enumeration:
      return coerce_enum_item(field, raw);
    case FieldType::list: {
      Value::List items;
      if (const Value::List* list = raw.as_list()) {
        items = *list;
      } else if (const std::string* s = raw.as_text()) {
        for (const std::string_view item : split_list(*s))  // "a; b", "a，b", "a、b"
          items.push_back(Value::text(std::string(item)));
      } else {
        return fail(type_error(field, "a list", "列表"));
      }
      for (Value& item : items) {
        if (!field.options.empty()) {
          Result<Value, FieldValueError> checked = coerce_enum_item(field, item);
          if (!checked) return fail(std::move(checked.error()));
          item = std::move(checked.value());
        } else if (item.as_text() == nullptr && item.as_number() == nullptr) {
          return fail(type_error(field, "a list of texts", "文本列表"));
        }
      }
      const double count = static_cast<double>(items.size());
      return check_bounds(field, Value::list(std::move(items)), count, "number of items", "条目数");
    }
  }
  return fail(type_error(field, "a value", "有效值"));
}

}  // namespace investflow::engine
