#include "engine/workflow_diff.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <utility>

#include "engine/duration_text.hpp"

#include "engine/notify_trigger.hpp"

namespace investflow::engine {
namespace {

using Kind = WorkflowChange::Kind;
using Change = WorkflowChange::Change;

// What reports call each tag, for the sentences (the tags themselves are ids).
constexpr EnumName<StateTag> kStateTagLabels[] = {
    {StateTag::lead, "线索"},
    {StateTag::signing, "签约"},
    {StateTag::construction_started, "开工"},
    {StateTag::completed, "竣工"},
    {StateTag::in_production, "投产"},
    {StateTag::at_capacity, "达产"},
    {StateTag::exited, "退出"},
    {StateTag::resolved, "办结"},
};
static_assert(in_order(kStateTagLabels));
constexpr EnumName<FieldTag> kFieldTagLabels[] = {
    {FieldTag::investment, "计划总投资"},
    {FieldTag::committed_investment, "协议投资额"},
    {FieldTag::funds_in_place, "到位资金"},
    {FieldTag::floor_area, "建筑面积"},
    {FieldTag::land_area, "用地面积"},
    {FieldTag::enterprise, "企业"},
    {FieldTag::industry, "产业"},
    {FieldTag::chain_role, "产业链环节"},
    {FieldTag::promoting_unit, "引荐单位"},
    {FieldTag::name, "项目名称"},
    {FieldTag::responsible_unit, "责任单位"},
    {FieldTag::problem_category, "问题类别"},
};
static_assert(in_order(kFieldTagLabels));
constexpr EnumName<FieldType> kFieldTypeLabels[] = {
    {FieldType::text, "文本"},        {FieldType::number, "数字"}, {FieldType::money, "金额"},
    {FieldType::area, "面积"},        {FieldType::date, "日期"},   {FieldType::boolean, "是/否"},
    {FieldType::enumeration, "选项"}, {FieldType::user, "用户"},   {FieldType::list, "列表"},
};
static_assert(in_order(kFieldTypeLabels));

// One sentence in each language: `zh` and `en` are built side by side.
using Text = LocalizedText;  // {zh, en}

std::string quoted_zh(std::string_view text) {
  return "“" + std::string(text) + "”";
}
std::string quoted_en(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// A label in a language, or the id when the workflow has no label for it.
Text named(const LocalizedText& label, const std::string& id) {
  const std::string& zh = label.in("zh-CN");
  const std::string& en = label.in("en");
  return {quoted_zh(zh.empty() ? id : zh), quoted_en(en.empty() ? id : en)};
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

Text join(const std::vector<Text>& items) {
  std::vector<std::string> zh, en;
  for (const Text& item : items) {
    zh.push_back(item.zh);
    en.push_back(item.en);
  }
  return {join(zh, "、"), join(en, ", ")};
}

Text none_text() {
  return {"无", "none"};
}

Text or_none(const Text& text) {
  return text.zh.empty() ? none_text() : text;
}

Text code(std::string_view source) {
  return {"`" + std::string(source) + "`", "`" + std::string(source) + "`"};
}

Text number_text(const std::optional<double>& value) {
  if (!value) return none_text();
  const std::string text = format_number(*value);
  return {text, text};
}

Text value_text(const std::optional<Value>& value) {
  if (!value) return none_text();
  const std::string text = value->to_display();
  return {text.empty() ? "空" : text, text.empty() ? "empty" : text};
}

bool same_expression(const std::optional<Expression>& a, const std::optional<Expression>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || a->source() == b->source();
}

Text state_tag_text(const std::optional<StateTag>& tag) {
  if (!tag) return none_text();
  return {quoted_zh(name_in(kStateTagLabels, *tag)), quoted_en(name_in(kStateTagNames, *tag))};
}

Text field_tag_text(const std::optional<FieldTag>& tag) {
  if (!tag) return none_text();
  return {quoted_zh(name_in(kFieldTagLabels, *tag)), quoted_en(name_in(kFieldTagNames, *tag))};
}

Text type_text(FieldType type) {
  return {std::string(name_in(kFieldTypeLabels, type)), std::string(field_type_name(type))};
}

Text roles_text(const std::vector<std::string>& roles) {
  std::vector<Text> items;
  for (const std::string& role : roles)
    items.push_back({role, role});
  return roles.empty() ? Text{"所有角色", "every role"} : join(items);
}

// Looks names up in the newer version first (its labels are what people will see), then in
// the older one.
class Names {
 public:
  Names(const WorkflowDefinition& from, const WorkflowDefinition& to) : from_(from), to_(to) {}

  Text state(const std::string& id) const { return find(&WorkflowDefinition::states, id); }
  Text transition(const std::string& id) const {
    return find(&WorkflowDefinition::transitions, id);
  }
  Text field(const std::string& name) const {
    for (const WorkflowDefinition* definition : {&to_, &from_}) {
      for (const FieldDef& field : definition->fields) {
        if (field.name == name) return named(field.label, name);
      }
    }
    return named({}, name);
  }
  Text states(const std::vector<std::string>& ids) const {
    std::vector<Text> items;
    for (const std::string& id : ids)
      items.push_back(state(id));
    return join(items);
  }
  Text fields(const std::vector<std::string>& names) const {
    std::vector<Text> items;
    for (const std::string& name : names)
      items.push_back(field(name));
    return join(items);
  }

  // When a notify rule fires: 进入“签约”时 / on entering "Signed".
  Text trigger(const NotifyTrigger& on) const {
    const bool any = on.name == NotifyTrigger::kAny;
    switch (on.kind) {
      case NotifyTrigger::Kind::enter:
        if (any) return {"进入任何状态时", "on entering any state"};
        return {"进入" + state(on.name).zh + "时", "on entering " + state(on.name).en};
      case NotifyTrigger::Kind::leave:
        if (any) return {"离开任何状态时", "on leaving any state"};
        return {"离开" + state(on.name).zh + "时", "on leaving " + state(on.name).en};
      case NotifyTrigger::Kind::transition:
        if (any) return {"任何流转时", "on any transition"};
        return {"流转" + transition(on.name).zh + "时", "on transition " + transition(on.name).en};
      case NotifyTrigger::Kind::sla_warning:
        return {"时限将到时", "when an SLA is about to run out"};
      case NotifyTrigger::Kind::sla_overdue:
        return {"超过时限时", "when an SLA is overdue"};
      case NotifyTrigger::Kind::milestone_warning:
        return {"里程碑将到期时", "when a milestone is about to be due"};
      case NotifyTrigger::Kind::milestone_overdue:
        return {"里程碑逾期时", "when a milestone is overdue"};
      case NotifyTrigger::Kind::followup_due:
        return {"应回访时", "when a follow-up visit is due"};
      case NotifyTrigger::Kind::supervised:
        return {"督办时", "when supervised"};
      case NotifyTrigger::Kind::reassigned:
        return {"转交时", "when reassigned"};
      case NotifyTrigger::Kind::quorum:
        return {"评审达到法定票数时", "when a review reaches its quorum"};
      case NotifyTrigger::Kind::commented:
        return {"有评论时", "when commented"};
      case NotifyTrigger::Kind::mentioned:
        return {"被提及时", "when mentioned"};
    }
    return {trigger_name(on), trigger_name(on)};
  }

  Text recipients(const std::vector<NotifyRecipient>& to) const {
    std::vector<Text> items;
    for (const NotifyRecipient& recipient : to) {
      switch (recipient.kind) {
        case NotifyRecipient::Kind::owner:
          items.push_back({"负责人", "the owner"});
          break;
        case NotifyRecipient::Kind::role:
          items.push_back({"角色 " + recipient.name, "role " + recipient.name});
          break;
        case NotifyRecipient::Kind::user:
          items.push_back({"用户 " + recipient.name, "user " + recipient.name});
          break;
        case NotifyRecipient::Kind::field:
          items.push_back({"字段" + field(recipient.name).zh + "中的人",
                           "the people in field " + field(recipient.name).en});
          break;
        case NotifyRecipient::Kind::previous_holder:
          items.push_back({"原负责人", "the previous holder"});
          break;
        case NotifyRecipient::Kind::new_holder:
          items.push_back({"新负责人", "the new holder"});
          break;
      }
    }
    return or_none(join(items));
  }

 private:
  template <typename Def>
  Text find(std::vector<Def> WorkflowDefinition::*member, const std::string& id) const {
    for (const WorkflowDefinition* definition : {&to_, &from_}) {
      for (const Def& def : definition->*member) {
        if (def.id == id) return named(def.label, id);
      }
    }
    return named({}, id);
  }

  const WorkflowDefinition& from_;
  const WorkflowDefinition& to_;
};

Text channels_text(const std::vector<NotifyChannel>& channels) {
  std::vector<Text> items;
  for (const NotifyChannel channel : channels) {
    items.push_back(channel == NotifyChannel::inbox ? Text{"站内信", "inbox"}
                                                    : Text{"Webhook", "webhook"});
  }
  return or_none(join(items));
}

class Differ {
 public:
  Differ(const WorkflowDefinition& from, const WorkflowDefinition& to)
      : from_(from), to_(to), names_(from, to) {}

  std::vector<WorkflowChange> run() {
    workflow();
    roles();
    fields();
    tables();
    computed();
    states();
    transitions();
    milestones();
    followup();
    notify();
    deadlines();
    return std::move(out_);
  }

 private:
  void add(Kind kind, Change change, std::string id, const Text& text) {
    out_.push_back(WorkflowChange{kind, change, std::move(id), {text.zh + "。", text.en + "."}});
  }

  // "<subject>的<what>由 A 改为 B" / "<What> of <subject> changes from A to B".
  void changed(Kind kind, const std::string& id, const Text& subject, const Text& what,
               const Text& before, const Text& after) {
    add(kind, Change::changed, id,
        {subject.zh + "的" + what.zh + "由" + before.zh + "改为" + after.zh,
         what.en + " of " + subject.en + " changes from " + before.en + " to " + after.en});
  }

  // Items of two lists by key: removed, then changed (in the older order), then added.
  template <typename Def, typename Key, typename OnRemoved, typename OnBoth, typename OnAdded>
  static void pair_up(const std::vector<Def>& before, const std::vector<Def>& after, Key key,
                      OnRemoved on_removed, OnBoth on_both, OnAdded on_added) {
    const auto find = [&](const std::vector<Def>& list, const auto& wanted) -> const Def* {
      for (const Def& def : list) {
        if (key(def) == wanted) return &def;
      }
      return nullptr;
    };
    for (const Def& def : before) {
      if (find(after, key(def)) == nullptr) on_removed(def);
    }
    for (const Def& def : before) {
      if (const Def* other = find(after, key(def))) on_both(def, *other);
    }
    for (const Def& def : after) {
      if (find(before, key(def)) == nullptr) on_added(def);
    }
  }

  void workflow() {
    if (from_.title != to_.title) {
      add(Kind::other, Change::changed, to_.id,
          {"流程名称由" + named(from_.title, from_.id).zh + "改为" + named(to_.title, to_.id).zh,
           "The workflow is renamed from " + named(from_.title, from_.id).en + " to " +
               named(to_.title, to_.id).en});
    }
    if (from_.description != to_.description) {
      add(Kind::other, Change::changed, to_.id,
          {"流程说明已修改", "The workflow's description changes"});
    }
    if (from_.calendar_name != to_.calendar_name) {
      changed(Kind::other, to_.id, {"流程", "the workflow"}, {"工作日历", "Calendar"},
              {from_.calendar_name, from_.calendar_name}, {to_.calendar_name, to_.calendar_name});
    }
    if (from_.initial != to_.initial) {
      add(Kind::state, Change::changed, to_.initial,
          {"新项目的起始状态由" + names_.state(from_.initial).zh + "改为" +
               names_.state(to_.initial).zh,
           "New projects start in " + names_.state(to_.initial).en + " instead of " +
               names_.state(from_.initial).en});
    }
    const auto parents = [](const WorkflowDefinition& definition) {
      return definition.parent ? definition.parent->workflows : std::vector<std::string>{};
    };
    if (parents(from_) != parents(to_)) {
      const Text before = or_none({join(parents(from_), "、"), join(parents(from_), ", ")});
      const Text after = or_none({join(parents(to_), "、"), join(parents(to_), ", ")});
      changed(Kind::other, to_.id, {"流程", "the workflow"}, {"所属上级流程", "Parent workflows"},
              before, after);
    }
  }

  void roles() {
    const std::set<std::string> before(from_.roles.begin(), from_.roles.end());
    const std::set<std::string> after(to_.roles.begin(), to_.roles.end());
    for (const std::string& role : before) {
      if (!after.contains(role))
        add(Kind::role, Change::removed, role,
            {"删除角色 " + role, "Role " + role + " is removed"});
    }
    for (const std::string& role : after) {
      if (!before.contains(role))
        add(Kind::role, Change::added, role, {"新增角色 " + role, "Role " + role + " is added"});
    }
  }

  void fields() {
    pair_up(
        from_.fields, to_.fields, [](const FieldDef& field) { return field.name; },
        [&](const FieldDef& field) {
          const Text name = named(field.label, field.name);
          add(Kind::field, Change::removed, field.name,
              {"删除字段" + name.zh, "Field " + name.en + " is removed"});
        },
        [&](const FieldDef& before, const FieldDef& after) { field(before, after); },
        [&](const FieldDef& field) {
          const Text name = named(field.label, field.name);
          const Text type = type_text(field.type);
          add(Kind::field, Change::added, field.name,
              {"新增" + std::string(field.required ? "必填" : "") + "字段" + name.zh + "（" +
                   type.zh + "）",
               "Field " + name.en + " (" + type.en + (field.required ? ", required" : "") +
                   ") is added"});
        });
  }

  void field(const FieldDef& before, const FieldDef& after) {
    const std::string& id = after.name;
    const Text old_name = named(before.label, id);
    const Text name = named(after.label, id);
    if (before.label != after.label) {
      add(Kind::field, Change::changed, id,
          {"字段" + old_name.zh + "更名为" + name.zh,
           "Field " + old_name.en + " is renamed " + name.en});
    }
    const Text subject{"字段" + name.zh, "field " + name.en};
    if (before.type != after.type) {
      changed(Kind::field, id, subject, {"类型", "Type"}, type_text(before.type),
              type_text(after.type));
    }
    if (before.required != after.required) {
      add(Kind::field, Change::changed, id,
          after.required ? Text{"字段" + name.zh + "改为创建时必填",
                                "Field " + name.en + " becomes required at creation"}
                         : Text{"字段" + name.zh + "不再是创建时必填",
                                "Field " + name.en + " is no longer required at creation"});
    }
    for (const std::string& option : before.options) {
      if (std::find(after.options.begin(), after.options.end(), option) == after.options.end()) {
        const auto label = before.option_labels.find(option);
        const Text text =
            named(label == before.option_labels.end() ? LocalizedText{} : label->second, option);
        add(Kind::field, Change::changed, id,
            {"字段" + name.zh + "删除选项" + text.zh,
             "Field " + name.en + " loses option " + text.en});
      }
    }
    for (const std::string& option : after.options) {
      const auto label = after.option_labels.find(option);
      const Text text =
          named(label == after.option_labels.end() ? LocalizedText{} : label->second, option);
      if (std::find(before.options.begin(), before.options.end(), option) == before.options.end()) {
        add(Kind::field, Change::changed, id,
            {"字段" + name.zh + "新增选项" + text.zh,
             "Field " + name.en + " gains option " + text.en});
        continue;
      }
      const auto old_label = before.option_labels.find(option);
      const Text old_text = named(
          old_label == before.option_labels.end() ? LocalizedText{} : old_label->second, option);
      if (old_text.zh != text.zh || old_text.en != text.en) {
        add(Kind::field, Change::changed, id,
            {"字段" + name.zh + "的选项" + old_text.zh + "更名为" + text.zh,
             "Option " + old_text.en + " of field " + name.en + " is renamed " + text.en});
      }
    }
    if (before.min != after.min) {
      changed(Kind::field, id, subject, {"下限", "Minimum"}, number_text(before.min),
              number_text(after.min));
    }
    if (before.max != after.max) {
      changed(Kind::field, id, subject, {"上限", "Maximum"}, number_text(before.max),
              number_text(after.max));
    }
    if (before.unit != after.unit) {
      changed(Kind::field, id, subject, {"单位", "Unit"}, or_none({before.unit, before.unit}),
              or_none({after.unit, after.unit}));
    }
    if (before.report != after.report) {
      changed(Kind::rule, id, subject, {"报表标记", "Report tag"}, field_tag_text(before.report),
              field_tag_text(after.report));
    }
    if (before.type == after.type && before.items != after.items) {
      changed(Kind::field, id, subject, {"列表项类型", "Item type"}, type_text(before.items),
              type_text(after.items));
    }
    if (before.help != after.help || before.group != after.group) {
      add(Kind::field, Change::changed, id,
          {"字段" + name.zh + "的说明或分组已修改",
           "The help or group of field " + name.en + " changes"});
    }
  }

  void tables() {
    pair_up(
        from_.tables, to_.tables, [](const TableDef& table) { return table.name; },
        [&](const TableDef& table) {
          add(Kind::table, Change::removed, table.name,
              {"删除表" + quoted_zh(table.name), "Table " + quoted_en(table.name) + " is removed"});
        },
        [&](const TableDef& before, const TableDef& after) { table(before, after); },
        [&](const TableDef& table) {
          add(Kind::table, Change::added, table.name,
              {"新增表" + quoted_zh(table.name) + "（" + std::to_string(table.entries.size()) +
                   "项）",
               "Table " + quoted_en(table.name) + " (" + std::to_string(table.entries.size()) +
                   " entries) is added"});
        });
  }

  void table(const TableDef& before, const TableDef& after) {
    const std::string& id = after.name;
    const Text subject{"表" + quoted_zh(id), "table " + quoted_en(id)};
    for (const auto& [key, value] : before.entries) {
      if (!after.entries.contains(key)) {
        add(Kind::table, Change::changed, id,
            {subject.zh + "删除" + quoted_zh(key) + "一项",
             "Entry " + quoted_en(key) + " is removed from " + subject.en});
      }
    }
    for (const auto& [key, value] : after.entries) {
      const auto old = before.entries.find(key);
      if (old == before.entries.end()) {
        add(Kind::table, Change::changed, id,
            {subject.zh + "新增" + quoted_zh(key) + "：" + value.to_display(),
             "Entry " + quoted_en(key) + ": " + value.to_display() + " is added to " + subject.en});
      } else if (!(old->second == value)) {
        changed(Kind::table, id, subject, {quoted_zh(key) + "一项", "Entry " + quoted_en(key)},
                value_text(old->second), value_text(value));
      }
    }
    if (before.fallback != after.fallback) {
      changed(Kind::table, id, subject, {"默认值", "Default"}, value_text(before.fallback),
              value_text(after.fallback));
    }
  }

  void computed() {
    pair_up(
        from_.computed, to_.computed, [](const ComputedDef& value) { return value.name; },
        [&](const ComputedDef& value) {
          const Text name = named(value.label, value.name);
          add(Kind::rule, Change::removed, value.name,
              {"删除计算值" + name.zh, "Computed value " + name.en + " is removed"});
        },
        [&](const ComputedDef& before, const ComputedDef& after) {
          const Text name = named(after.label, after.name);
          if (before.label != after.label) {
            add(Kind::rule, Change::changed, after.name,
                {"计算值" + named(before.label, before.name).zh + "更名为" + name.zh,
                 "Computed value " + named(before.label, before.name).en + " is renamed " +
                     name.en});
          }
          if (before.expression.source() != after.expression.source()) {
            changed(Kind::rule, after.name, {"计算值" + name.zh, "computed value " + name.en},
                    {"公式", "Formula"}, code(before.expression.source()),
                    code(after.expression.source()));
          }
        },
        [&](const ComputedDef& value) {
          const Text name = named(value.label, value.name);
          const Text formula = code(value.expression.source());
          add(Kind::rule, Change::added, value.name,
              {"新增计算值" + name.zh + "：" + formula.zh,
               "Computed value " + name.en + " = " + formula.en + " is added"});
        });
  }

  void states() {
    pair_up(
        from_.states, to_.states, [](const StateDef& state) { return state.id; },
        [&](const StateDef& state) {
          const Text name = named(state.label, state.id);
          add(Kind::state, Change::removed, state.id,
              {"删除状态" + name.zh, "State " + name.en + " is removed"});
        },
        [&](const StateDef& before, const StateDef& after) { state(before, after); },
        [&](const StateDef& state) {
          const Text name = named(state.label, state.id);
          add(Kind::state, Change::added, state.id,
              {"新增" + std::string(state.terminal ? "终止" : "") + "状态" + name.zh,
               std::string(state.terminal ? "Terminal state " : "State ") + name.en + " is added"});
          if (state.sla) sla(state, nullptr, &*state.sla);
          if (state.review) review(state, nullptr, &*state.review);
        });
  }

  void state(const StateDef& before, const StateDef& after) {
    const std::string& id = after.id;
    const Text old_name = named(before.label, id);
    const Text name = named(after.label, id);
    if (before.label != after.label) {
      add(Kind::state, Change::changed, id,
          {"状态" + old_name.zh + "更名为" + name.zh,
           "State " + old_name.en + " is renamed " + name.en});
    }
    if (before.terminal != after.terminal) {
      add(Kind::state, Change::changed, id,
          after.terminal
              ? Text{"状态" + name.zh + "改为终止状态", "State " + name.en + " becomes terminal"}
              : Text{"状态" + name.zh + "不再是终止状态",
                     "State " + name.en + " is no longer terminal"});
    }
    sla(after, before.sla ? &*before.sla : nullptr, after.sla ? &*after.sla : nullptr);
    review(after, before.review ? &*before.review : nullptr,
           after.review ? &*after.review : nullptr);
    if (before.report != after.report) {
      changed(Kind::rule, id, {"状态" + name.zh, "state " + name.en}, {"报表标记", "Report tag"},
              state_tag_text(before.report), state_tag_text(after.report));
    }
  }

  void sla(const StateDef& state, const SlaDef* before, const SlaDef* after) {
    const Text name = named(state.label, state.id);
    const Text subject{"状态" + name.zh, "state " + name.en};
    if (before == nullptr && after == nullptr) return;
    if (before == nullptr) {
      const Text days = duration_text(after->working_days);
      add(Kind::rule, Change::added, state.id,
          {subject.zh + "新增办理时限：" + days.zh,
           "State " + name.en + " gets an SLA of " + days.en});
      return;
    }
    if (after == nullptr) {
      add(Kind::rule, Change::removed, state.id,
          {subject.zh + "取消办理时限", "State " + name.en + " no longer has an SLA"});
      return;
    }
    if (!same_duration(before->working_days, after->working_days)) {
      changed(Kind::rule, state.id, subject, {"办理时限", "SLA"},
              duration_text(before->working_days), duration_text(after->working_days));
    }
    if (before->warn_before_working_days != after->warn_before_working_days) {
      const auto days = [](int count) {
        return Text{std::to_string(count) + "个工作日", std::to_string(count) + " working days"};
      };
      changed(Kind::rule, state.id, subject, {"时限预警提前量", "SLA warning lead"},
              days(before->warn_before_working_days), days(after->warn_before_working_days));
    }
    if (before->escalate != after->escalate) {
      changed(Kind::rule, state.id, subject, {"超时上报角色", "Escalation roles"},
              or_none(roles_text(before->escalate)), or_none(roles_text(after->escalate)));
    }
  }

  static Text quorum_text(const ReviewDef& review) {
    if (review.quorum_denominator > 0) {
      const std::string fraction =
          std::to_string(review.quorum_numerator) + "/" + std::to_string(review.quorum_denominator);
      return {"评审组的" + fraction, fraction + " of the panel"};
    }
    return {std::to_string(review.quorum) + "票", std::to_string(review.quorum) + " votes"};
  }

  void review(const StateDef& state, const ReviewDef* before, const ReviewDef* after) {
    const Text name = named(state.label, state.id);
    if (before == nullptr && after == nullptr) return;
    if (before == nullptr) {
      const Text quorum = quorum_text(*after);
      add(Kind::review, Change::added, state.id,
          {"状态" + name.zh + "新增评审：由角色 " + after->voters + " 投票，至少" + quorum.zh,
           "State " + name.en + " gets a review: role " + after->voters + " votes, quorum " +
               quorum.en});
      return;
    }
    if (after == nullptr) {
      add(Kind::review, Change::removed, state.id,
          {"状态" + name.zh + "取消评审", "State " + name.en + " no longer has a review"});
      return;
    }
    const Text subject{"状态" + name.zh + "评审", "the review in state " + name.en};
    if (before->voters != after->voters) {
      changed(Kind::review, state.id, subject, {"投票角色", "Voting role"},
              {before->voters, before->voters}, {after->voters, after->voters});
    }
    const Text old_quorum = quorum_text(*before);
    const Text quorum = quorum_text(*after);
    if (old_quorum.en != quorum.en) {
      changed(Kind::review, state.id, subject, {"法定票数", "Quorum"}, old_quorum, quorum);
    }
    if (before->pass.source() != after->pass.source()) {
      changed(Kind::review, state.id, subject, {"通过条件", "Pass rule"},
              code(before->pass.source()), code(after->pass.source()));
    }
    if (before->blind != after->blind) {
      const auto blind = [](bool on) { return on ? Text{"是", "yes"} : Text{"否", "no"}; };
      changed(Kind::review, state.id, subject, {"背靠背投票", "Blind ballots"},
              blind(before->blind), blind(after->blind));
    }
  }

  void transitions() {
    pair_up(
        from_.transitions, to_.transitions, [](const TransitionDef& t) { return t.id; },
        [&](const TransitionDef& transition) {
          const Text name = named(transition.label, transition.id);
          add(Kind::transition, Change::removed, transition.id,
              {"删除流转" + name.zh, "Transition " + name.en + " is removed"});
        },
        [&](const TransitionDef& before, const TransitionDef& after) { transition(before, after); },
        [&](const TransitionDef& transition) {
          const Text name = named(transition.label, transition.id);
          const Text from = sources(transition);
          const Text to = names_.state(transition.to);
          add(Kind::transition, Change::added, transition.id,
              {"新增流转" + name.zh + "：从" + from.zh + "到" + to.zh + "，由" +
                   roles_text(transition.roles).zh + "办理",
               "Transition " + name.en + " from " + from.en + " to " + to.en + " by " +
                   roles_text(transition.roles).en + " is added"});
          for (const GuardDef& guard : transition.guards)
            guard_added(transition, guard);
        });
  }

  Text sources(const TransitionDef& transition) const {
    if (transition.from_any) return {"任何未终止状态", "any open state"};
    return names_.states(transition.from);
  }

  void transition(const TransitionDef& before, const TransitionDef& after) {
    const std::string& id = after.id;
    const Text old_name = named(before.label, id);
    const Text name = named(after.label, id);
    if (before.label != after.label) {
      add(Kind::transition, Change::changed, id,
          {"流转" + old_name.zh + "更名为" + name.zh,
           "Transition " + old_name.en + " is renamed " + name.en});
    }
    const Text subject{"流转" + name.zh, "transition " + name.en};
    if (before.from_any != after.from_any || before.from != after.from) {
      changed(Kind::transition, id, subject, {"起点", "Source"}, sources(before), sources(after));
    }
    if (before.to != after.to) {
      changed(Kind::transition, id, subject, {"目标状态", "Target"}, names_.state(before.to),
              names_.state(after.to));
    }
    if (before.roles != after.roles) {
      changed(Kind::transition, id, subject, {"办理角色", "Roles"}, roles_text(before.roles),
              roles_text(after.roles));
    }
    for (const std::string& field : before.requires_fields) {
      if (std::find(after.requires_fields.begin(), after.requires_fields.end(), field) ==
          after.requires_fields.end()) {
        const Text name_of = names_.field(field);
        add(Kind::rule, Change::removed, id,
            {subject.zh + "不再要求填写" + name_of.zh,
             "Transition " + name.en + " no longer requires " + name_of.en});
      }
    }
    for (const std::string& field : after.requires_fields) {
      if (std::find(before.requires_fields.begin(), before.requires_fields.end(), field) ==
          before.requires_fields.end()) {
        const Text name_of = names_.field(field);
        add(Kind::rule, Change::added, id,
            {subject.zh + "要求先填写" + name_of.zh,
             "Transition " + name.en + " requires " + name_of.en});
      }
    }
    guards(after, before.guards, after.guards);
    if (before.comment != after.comment) {
      add(Kind::rule, Change::changed, id,
          after.comment == CommentRule::required
              ? Text{subject.zh + "改为必须填写意见",
                     "Transition " + name.en + " requires a comment"}
              : Text{subject.zh + "不再必须填写意见",
                     "Transition " + name.en + " no longer requires a comment"});
    }
    if (!same_expression(before.when, after.when)) {
      const auto condition = [](const std::optional<Expression>& when) {
        return when ? code(when->source()) : none_text();
      };
      changed(Kind::rule, id, subject, {"前提条件", "Condition"}, condition(before.when),
              condition(after.when));
    }
  }

  static std::string guard_key(const GuardDef& guard) {
    return guard.message.zh.empty() ? guard.check.source() : guard.message.zh;
  }

  static Text guard_name(const GuardDef& guard) {
    const Text message{guard.message.in("zh-CN"), guard.message.in("en")};
    if (message.zh.empty()) return code(guard.check.source());
    return {quoted_zh(message.zh), quoted_en(message.en)};
  }

  void guard_added(const TransitionDef& transition, const GuardDef& guard) {
    const Text name = named(transition.label, transition.id);
    const Text check = code(guard.check.source());
    add(Kind::rule, Change::added, transition.id,
        {"流转" + name.zh + "新增条件" + guard_name(guard).zh + "：" + check.zh,
         "Transition " + name.en + " gets the check " + guard_name(guard).en + ": " + check.en});
  }

  void guards(const TransitionDef& transition, const std::vector<GuardDef>& before,
              const std::vector<GuardDef>& after) {
    const Text name = named(transition.label, transition.id);
    pair_up(
        before, after, guard_key,
        [&](const GuardDef& guard) {
          add(Kind::rule, Change::removed, transition.id,
              {"流转" + name.zh + "取消条件" + guard_name(guard).zh,
               "Transition " + name.en + " drops the check " + guard_name(guard).en});
        },
        [&](const GuardDef& old, const GuardDef& guard) {
          if (old.check.source() != guard.check.source()) {
            changed(Kind::rule, transition.id,
                    {"流转" + name.zh + "的条件" + guard_name(guard).zh,
                     "the check " + guard_name(guard).en + " of transition " + name.en},
                    {"判断", "Rule"}, code(old.check.source()), code(guard.check.source()));
          }
          if (old.message.en != guard.message.en || old.field != guard.field) {
            add(Kind::rule, Change::changed, transition.id,
                {"流转" + name.zh + "的条件" + guard_name(guard).zh + "的提示已修改",
                 "The message of check " + guard_name(guard).en + " of transition " + name.en +
                     " changes"});
          }
        },
        [&](const GuardDef& guard) { guard_added(transition, guard); });
  }

  static Text clock_start(const MilestoneDef& milestone, const Names& names) {
    if (!milestone.from.empty()) {
      const Text field = names.field(milestone.from);
      return {"从" + field.zh + "的日期起", "from the date in " + field.en};
    }
    const Text state = names.state(milestone.after);
    return {"进入" + state.zh + "后", "after entering " + state.en};
  }

  void milestones() {
    pair_up(
        from_.milestones, to_.milestones, [](const MilestoneDef& m) { return m.id; },
        [&](const MilestoneDef& milestone) {
          const Text name = named(milestone.label, milestone.id);
          add(Kind::milestone, Change::removed, milestone.id,
              {"删除里程碑" + name.zh, "Milestone " + name.en + " is removed"});
        },
        [&](const MilestoneDef& before, const MilestoneDef& after) { milestone(before, after); },
        [&](const MilestoneDef& milestone) {
          const Text name = named(milestone.label, milestone.id);
          const Text start = clock_start(milestone, names_);
          const Text within = duration_text(milestone.within);
          add(Kind::milestone, Change::added, milestone.id,
              {"新增里程碑" + name.zh + "：" + start.zh + within.zh + "内完成",
               "Milestone " + name.en + " is added: due " + within.en + " " + start.en});
        });
  }

  void milestone(const MilestoneDef& before, const MilestoneDef& after) {
    const std::string& id = after.id;
    const Text old_name = named(before.label, id);
    const Text name = named(after.label, id);
    if (before.label != after.label) {
      add(Kind::milestone, Change::changed, id,
          {"里程碑" + old_name.zh + "更名为" + name.zh,
           "Milestone " + old_name.en + " is renamed " + name.en});
    }
    const Text subject{"里程碑" + name.zh, "milestone " + name.en};
    if (before.after != after.after || before.from != after.from) {
      changed(Kind::milestone, id, subject, {"起算点", "Start"}, clock_start(before, names_),
              clock_start(after, names_));
    }
    if (!same_duration(before.within, after.within)) {
      changed(Kind::milestone, id, subject, {"期限", "Time allowed"}, duration_text(before.within),
              duration_text(after.within));
    }
    if (before.field != after.field) {
      const auto field = [&](const std::string& name_of) {
        return name_of.empty() ? none_text() : names_.field(name_of);
      };
      changed(Kind::milestone, id, subject, {"记录日期的字段", "Date field"}, field(before.field),
              field(after.field));
    }
    if (!same_expression(before.done_when, after.done_when)) {
      const auto done = [](const std::optional<Expression>& when) {
        return when ? code(when->source()) : Text{"默认", "the default"};
      };
      changed(Kind::milestone, id, subject, {"完成条件", "Done when"}, done(before.done_when),
              done(after.done_when));
    }
    const bool warn_same =
        before.warn_before.has_value() == after.warn_before.has_value() &&
        (!before.warn_before || same_duration(*before.warn_before, *after.warn_before));
    if (!warn_same) {
      const auto warn = [](const std::optional<Duration>& duration) {
        return duration ? duration_text(*duration) : none_text();
      };
      changed(Kind::milestone, id, subject, {"预警提前量", "Warning lead"},
              warn(before.warn_before), warn(after.warn_before));
    }
    if (before.evidence_required != after.evidence_required) {
      add(Kind::milestone, Change::changed, id,
          after.evidence_required ? Text{subject.zh + "完成时须附证明材料",
                                         "Milestone " + name.en + " needs evidence when recorded"}
                                  : Text{subject.zh + "完成时不再须附证明材料",
                                         "Milestone " + name.en + " no longer needs evidence"});
    }
  }

  Text followup_text(const FollowupDef& followup) const {
    const Text states = names_.states(followup.in);
    const Text every = duration_text(followup.every);
    return {"在" + states.zh + "每" + every.zh + "由" + followup.role + "回访一次",
            "a visit by " + followup.role + " every " + every.en + " in " + states.en};
  }

  void followup() {
    const auto& before = from_.followup;
    const auto& after = to_.followup;
    if (!before && !after) return;
    if (!before) {
      const Text text = followup_text(*after);
      add(Kind::rule, Change::added, "followup",
          {"新增回访要求：" + text.zh, "Follow-up is added: " + text.en});
    } else if (!after) {
      add(Kind::rule, Change::removed, "followup", {"取消回访要求", "Follow-up is removed"});
    } else if (before->in != after->in || before->role != after->role ||
               !same_duration(before->every, after->every)) {
      changed(Kind::rule, "followup", {"流程", "the workflow"}, {"回访要求", "Follow-up"},
              followup_text(*before), followup_text(*after));
    }
  }

  Text rule_text(const NotifyRule& rule) const {
    const Text to = names_.recipients(rule.to);
    const Text channels = channels_text(rule.channels);
    const Text on = names_.trigger(rule.on);
    return {on.zh + "通知" + to.zh + "（" + channels.zh + "）",
            "tell " + to.en + " " + on.en + " (" + channels.en + ")"};
  }

  void notify() {
    // Rules are matched by what they listen for; several rules on one trigger are compared
    // as a whole.
    std::map<NotifyTrigger,
             std::pair<std::vector<const NotifyRule*>, std::vector<const NotifyRule*>>>
        by_trigger;
    for (const NotifyRule& rule : from_.notify)
      by_trigger[rule.on].first.push_back(&rule);
    for (const NotifyRule& rule : to_.notify)
      by_trigger[rule.on].second.push_back(&rule);
    const auto same = [](const NotifyRule* a, const NotifyRule* b) {
      return a->to == b->to && a->channels == b->channels;
    };
    for (const auto& [on, rules] : by_trigger) {
      const auto& [before, after] = rules;
      const std::string id = trigger_name(on);
      if (before.size() == 1 && after.size() == 1) {
        if (!same(before.front(), after.front())) {
          const Text old_text = rule_text(*before.front());
          const Text text = rule_text(*after.front());
          add(Kind::notify, Change::changed, id,
              {"通知规则由“" + old_text.zh + "”改为“" + text.zh + "”",
               "The notify rule \"" + old_text.en + "\" becomes \"" + text.en + "\""});
        }
        continue;
      }
      for (const NotifyRule* rule : before) {
        if (std::none_of(after.begin(), after.end(),
                         [&](auto* other) { return same(rule, other); })) {
          const Text text = rule_text(*rule);
          add(Kind::notify, Change::removed, id,
              {"删除通知：" + text.zh, "Notify rule removed: " + text.en});
        }
      }
      for (const NotifyRule* rule : after) {
        if (std::none_of(before.begin(), before.end(),
                         [&](auto* other) { return same(rule, other); })) {
          const Text text = rule_text(*rule);
          add(Kind::notify, Change::added, id,
              {"新增通知：" + text.zh, "Notify rule added: " + text.en});
        }
      }
    }
  }

  void deadlines() {
    const auto limit = [](const std::optional<int>& value, bool days) {
      if (!value) return Text{"不限", "no limit"};
      return days ? Text{std::to_string(*value) + "个工作日",
                         std::to_string(*value) + " working days"}
                  : Text{std::to_string(*value) + "次", std::to_string(*value) + " times"};
    };
    const auto& before = from_.deadline_extend;
    const auto& after = to_.deadline_extend;
    const Text subject{"期限", "deadlines"};
    if (before.max_times != after.max_times) {
      changed(Kind::rule, "deadlines", subject, {"延期次数上限", "Most extensions"},
              limit(before.max_times, false), limit(after.max_times, false));
    }
    if (before.max_working_days != after.max_working_days) {
      changed(Kind::rule, "deadlines", subject, {"单次延期上限", "Longest extension"},
              limit(before.max_working_days, true), limit(after.max_working_days, true));
    }
  }

  const WorkflowDefinition& from_;
  const WorkflowDefinition& to_;
  Names names_;
  std::vector<WorkflowChange> out_;
};

}  // namespace

std::vector<WorkflowChange> diff_workflows(const WorkflowDefinition& from,
                                           const WorkflowDefinition& to) {
  return Differ(from, to).run();
}

}  // namespace investflow::engine
