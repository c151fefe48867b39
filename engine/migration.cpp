#include "engine/migration.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "engine/duration_text.hpp"

namespace investflow::engine {
namespace {

std::string zh_of(const LocalizedText& label, std::string_view fallback) {
  return label.zh.empty() ? std::string(fallback) : label.zh;
}
std::string en_of(const LocalizedText& label, std::string_view fallback) {
  return label.en.empty() ? std::string(fallback) : label.en;
}

std::string date_text(const std::optional<Date>& date) {
  return date ? date->to_string() : std::string("-");
}

// Plans one project's move; the members are what plan_migration hands back.
class Planner {
 public:
  Planner(const Workflow& from, const Workflow& to, const Project& project, Date today)
      : from_(from),
        to_(to),
        project_(project),
        today_(today),
        version_zh_("第" + std::to_string(to.version) + "版"),
        version_en_("version " + std::to_string(to.version)) {}

  MigrationPlan plan(const std::map<std::string, std::string>& state_map) {
    plan_.migrated.workflow = to_.id;
    plan_.migrated.from_version = project_.workflow_version;
    plan_.migrated.to_version = to_.version;
    plan_.migrated.from_state = project_.state;
    plan_.migrated.state_map = state_map;
    if (from_.id != to_.id) {
      refuse(reason::kWrongWorkflow, "",
             "项目属于流程“" + from_.id + "”，不能迁移到流程“" + to_.id + "”",
             "the project is of workflow '" + from_.id + "', not '" + to_.id + "'");
      return std::move(plan_);
    }
    const auto mapped = state_map.find(project_.state);
    const std::string& to_state = mapped != state_map.end() ? mapped->second : project_.state;
    plan_.migrated.to_state = to_state;
    target_state_ = to_.find_state(to_state);
    source_state_ = from_.find_state(project_.state);
    if (target_state_ == nullptr) {
      std::string states;
      for (const StateDef& state : to_.states)
        states += (states.empty() ? "" : ", ") + state.id;
      refuse(reason::kUnknownState, "",
             "阶段“" + to_state + "”在" + version_zh_ + "中不存在，请指定对应的阶段（--map " +
                 project_.state + ":新阶段；可选：" + states + "）",
             "the stage '" + to_state + "' is not in " + version_en_ +
                 "; map it to one of its stages (--map " + project_.state + ":NEW; one of " +
                 states + ")");
    } else if (to_state != project_.state) {
      note("state", "renamed",
           "阶段“" + zh_of(source_label(), project_.state) + "”对应" + version_zh_ + "的“" +
               zh_of(target_state_->label, to_state) + "”，进入时间不变",
           "the stage '" + en_of(source_label(), project_.state) + "' is '" +
               en_of(target_state_->label, to_state) + "' in " + version_en_ +
               "; the day it was entered stays");
    }
    check_fields();
    if (target_state_ == nullptr) return std::move(plan_);
    // Deadlines are planned over the project as the target will hold it.
    moved_ = project_;
    moved_.workflow_version = to_.version;
    moved_.state = to_state;
    for (const FieldChange& change : plan_.migrated.changes)
      moved_.fields.insert_or_assign(change.field, change.after);
    plan_review();
    plan_sla();
    plan_milestones();
    plan_followup();
    return std::move(plan_);
  }

 private:
  LocalizedText source_label() const {
    return source_state_ != nullptr ? source_state_->label : LocalizedText{};
  }

  void refuse(std::string_view code, std::string field, std::string zh, std::string en) {
    plan_.reasons.push_back(
        Reason{std::string(code), std::move(field), LocalizedText{std::move(zh), std::move(en)}});
  }
  void note(std::string item, std::string action, std::string zh, std::string en) {
    plan_.migrated.notes.push_back(
        MigrationNote{std::move(item), std::move(action), std::move(zh), std::move(en)});
  }

  void check_fields() {
    for (const auto& [name, value] : project_.fields) {
      const FieldDef* field = to_.find_field(name);
      if (field == nullptr) {
        refuse(reason::kUnknownField, name,
               "字段“" + name + "”在" + version_zh_ + "中不存在，请先清空或改用新字段",
               "the field '" + name + "' is not in " + version_en_ +
                   "; clear it or move its value first");
        continue;
      }
      Result<Value, FieldValueError> typed = coerce_field_value(*field, value);
      if (!typed) {
        const LocalizedText& why = typed.error().message;
        refuse(reason::kInvalidField, name,
               "“" + zh_of(field->label, name) + "”的值不符合" + version_zh_ + "的定义：" + why.zh,
               "the value of '" + en_of(field->label, name) + "' does not fit " + version_en_ +
                   ": " + why.en);
        continue;
      }
      if (typed.value() != value) {
        note("field:" + name, "converted",
             "“" + zh_of(field->label, name) + "”的值按" + version_zh_ + "的类型换算为 " +
                 typed.value().to_display(),
             "the value of '" + en_of(field->label, name) + "' is converted to " + version_en_ +
                 "'s type: " + typed.value().to_display());
        plan_.migrated.changes.push_back({name, value, std::move(typed.value())});
      }
    }
    // Required: at creation, and by every transition of the target into the mapped state.
    std::set<std::string> required;
    for (const FieldDef& field : to_.fields) {
      if (field.required) required.insert(field.name);
    }
    if (target_state_ != nullptr) {
      std::optional<std::set<std::string>> on_entry;
      for (const TransitionDef& transition : to_.transitions) {
        if (transition.to != target_state_->id) continue;
        std::set<std::string> these(transition.requires_fields.begin(),
                                    transition.requires_fields.end());
        if (!on_entry) {
          on_entry = std::move(these);
        } else {
          std::erase_if(*on_entry, [&](const std::string& name) { return !these.contains(name); });
        }
      }
      if (on_entry) required.insert(on_entry->begin(), on_entry->end());
    }
    for (const std::string& name : required) {
      if (project_.field(name).is_present()) continue;
      const FieldDef* field = to_.find_field(name);
      const LocalizedText label = field != nullptr ? field->label : LocalizedText{};
      refuse(reason::kMissingField, name,
             version_zh_ + "要求此阶段的项目填写“" + zh_of(label, name) + "”，请先补填",
             version_en_ + " requires '" + en_of(label, name) +
                 "' of projects in this stage; fill it in first");
    }
  }

  void plan_review() {
    const ReviewDef* before =
        source_state_ != nullptr && source_state_->review ? &*source_state_->review : nullptr;
    const ReviewDef* after = target_state_->review ? &*target_state_->review : nullptr;
    const std::string votes = std::to_string(project_.votes.size());
    if (project_.votes.empty()) {
      if (after != nullptr) {
        note("review", "carried", "评审尚无投票，按" + version_zh_ + "的规则进行",
             "no votes yet; the review runs under " + version_en_ + "'s rules");
      }
      return;
    }
    if (after != nullptr && before != nullptr && after->voters == before->voters) {
      note("review", "carried",
           "评审已投" + votes + "票，沿用：投票角色未变，按" + version_zh_ + "的规则计票",
           votes + " vote(s) carried over: the voters' role is the same; they are counted under " +
               version_en_ + "'s rules");
      return;
    }
    plan_.migrated.review_cleared = true;
    moved_.votes.clear();
    if (after == nullptr) {
      note("review", "cleared", "已投的" + votes + "票不再计入：" + version_zh_ + "此阶段没有评审",
           votes + " vote(s) no longer count: this stage has no review in " + version_en_);
    } else {
      note("review", "cleared",
           "已投的" + votes + "票不再计入：" + version_zh_ + "改由“" + after->voters +
               "”投票，需重新投票",
           votes + " vote(s) no longer count: in " + version_en_ + " the role '" + after->voters +
               "' votes; the review starts again");
    }
  }

  void plan_sla() {
    WorkflowMigrated& out = plan_.migrated;
    const SlaDef* before =
        source_state_ != nullptr && source_state_->sla ? &*source_state_->sla : nullptr;
    const SlaDef* after = target_state_->sla ? &*target_state_->sla : nullptr;
    const bool extended =
        std::any_of(project_.deadline_extensions.begin(), project_.deadline_extensions.end(),
                    [](const auto& entry) { return entry.first.starts_with("sla:"); });
    if (after == nullptr) {
      out.sla_recomputed = project_.sla_due_on.has_value();
      if (project_.sla_due_on) {
        note("sla", "cleared",
             version_zh_ + "此阶段没有办理时限，原时限 " + date_text(project_.sla_due_on) + " 取消",
             "this stage has no SLA in " + version_en_ + "; the deadline " +
                 date_text(project_.sla_due_on) + " is dropped");
      }
      return;
    }
    if (before != nullptr && project_.sla_due_on &&
        same_duration(before->working_days, after->working_days) &&
        from_.calendar_name == to_.calendar_name) {
      out.sla_due_on = project_.sla_due_on;
      out.sla_due_estimated = project_.sla_due_estimated;
      note("sla", "carried",
           "办理时限 " + date_text(project_.sla_due_on) + " 沿用：时限规则未变" +
               (extended ? "（已批准的延期仍有效）" : ""),
           "the SLA " + date_text(project_.sla_due_on) + " is carried over: the rule is the same" +
               (extended ? " (extensions granted stand)" : ""));
      return;
    }
    const Date entered = local_date(project_.state_entered_at);
    const detail::DueDate due =
        detail::due_under(to_, moved_, after->working_days, entered, today_);
    out.sla_due_on = due.on;
    out.sla_due_estimated = due.estimated;
    out.sla_recomputed = true;
    note("sla", "recomputed",
         "办理时限按" + version_zh_ + "的规则重算：自进入本阶段（" + entered.to_string() + "）起" +
             duration_text(after->working_days).zh + "，至 " + due.on.to_string() + "（原 " +
             date_text(project_.sla_due_on) + "）" +
             (extended ? "；原时限上批准的延期不再适用" : ""),
         "the SLA is recomputed under " + version_en_ + ": " +
             duration_text(after->working_days).en + " from entering the stage (" +
             entered.to_string() + "), due " + due.on.to_string() + " (was " +
             date_text(project_.sla_due_on) + ")" +
             (extended ? "; extensions granted on the old date lapse" : ""));
  }

  void plan_milestones() {
    WorkflowMigrated& out = plan_.migrated;
    for (const auto& [id, running] : project_.milestones) {
      const MilestoneDef* after = to_.find_milestone(id);
      const MilestoneDef* before = from_.find_milestone(id);
      const std::string zh = zh_of(after != nullptr    ? after->label
                                   : before != nullptr ? before->label
                                                       : LocalizedText{},
                                   id);
      const std::string en = en_of(after != nullptr    ? after->label
                                   : before != nullptr ? before->label
                                                       : LocalizedText{},
                                   id);
      const std::string item = "milestone:" + id;
      if (running.done_on ||
          (after != nullptr && detail::milestone_done_under(to_, moved_, after, running, today_))) {
        note(item, "carried", "节点“" + zh + "”已完成，记录保留",
             "the milestone '" + en + "' is done; its record stays");
        continue;
      }
      if (after == nullptr) {
        out.milestones_dropped.push_back(id);
        note(item, "dropped",
             "未完成的节点“" + zh + "”在" + version_zh_ + "中不存在，不再计时（原期限 " +
                 running.due_on.to_string() + "）",
             "the open milestone '" + en + "' is not in " + version_en_ +
                 "; its clock stops (it was due " + running.due_on.to_string() + ")");
        continue;
      }
      if (before != nullptr && same_duration(before->within, after->within) &&
          from_.calendar_name == to_.calendar_name) {
        note(item, "carried",
             "节点“" + zh + "”期限 " + running.due_on.to_string() + " 沿用：期限规则未变",
             "the milestone '" + en + "' stays due " + running.due_on.to_string() +
                 ": the rule is the same");
        continue;
      }
      const detail::DueDate due =
          detail::due_under(to_, moved_, after->within, running.started_on, today_);
      out.milestones_started.push_back({id, running.started_on, due.on, due.estimated});
      note(item, "recomputed",
           "节点“" + zh + "”按" + version_zh_ + "的规则重算：自 " + running.started_on.to_string() +
               " 起" + duration_text(after->within).zh + "，至 " + due.on.to_string() + "（原 " +
               running.due_on.to_string() + "）",
           "the milestone '" + en + "' is recomputed under " + version_en_ + ": " +
               duration_text(after->within).en + " from " + running.started_on.to_string() +
               ", due " + due.on.to_string() + " (was " + running.due_on.to_string() + ")");
    }
    // Clocks the target starts that are not running: on entering the mapped state, or
    // from a date field already set.
    for (const MilestoneDef& milestone : to_.milestones) {
      if (project_.milestones.contains(milestone.id)) continue;
      std::optional<Date> start;
      std::string why_zh;
      std::string why_en;
      if (!milestone.after.empty() && milestone.after == target_state_->id) {
        start = local_date(project_.state_entered_at);
        why_zh = "自进入本阶段（" + start->to_string() + "）起";
        why_en = "from entering the stage (" + start->to_string() + ")";
      } else if (!milestone.from.empty()) {
        const Value value = moved_.field(milestone.from);
        if (const Date* date = value.as_date()) {
          start = *date;
          why_zh = "自“" + milestone.from + "”（" + date->to_string() + "）起";
          why_en = "from '" + milestone.from + "' (" + date->to_string() + ")";
        }
      }
      if (!start) continue;
      const detail::DueDate due = detail::due_under(to_, moved_, milestone.within, *start, today_);
      out.milestones_started.push_back({milestone.id, *start, due.on, due.estimated});
      note("milestone:" + milestone.id, "started",
           version_zh_ + "新增节点“" + zh_of(milestone.label, milestone.id) + "”：" + why_zh +
               duration_text(milestone.within).zh + "，至 " + due.on.to_string(),
           version_en_ + " adds the milestone '" + en_of(milestone.label, milestone.id) + "': " +
               duration_text(milestone.within).en + " " + why_en + ", due " + due.on.to_string());
    }
  }

  void plan_followup() {
    WorkflowMigrated& out = plan_.migrated;
    const bool before = detail::followup_in_state(from_, project_.state);
    const bool after = detail::followup_in_state(to_, target_state_->id);
    if (!after) {
      out.followup_recomputed = project_.followup_due_on.has_value();
      if (project_.followup_due_on) {
        note("followup", "cleared",
             version_zh_ + "此阶段不需要跟踪走访，原走访期限 " +
                 date_text(project_.followup_due_on) + " 取消",
             "no follow-up visits in this stage in " + version_en_ + "; the visit due " +
                 date_text(project_.followup_due_on) + " is dropped");
      }
      return;
    }
    const Duration& every = to_.followup->every;
    if (before && project_.followup_due_on && same_duration(from_.followup->every, every) &&
        from_.calendar_name == to_.calendar_name) {
      out.followup_due_on = project_.followup_due_on;
      out.followup_due_estimated = project_.followup_due_estimated;
      note("followup", "carried",
           "下次走访期限 " + date_text(project_.followup_due_on) + " 沿用：走访周期未变",
           "the next visit stays due " + date_text(project_.followup_due_on) +
               ": the period is the same");
      return;
    }
    const Date base =
        project_.visits.empty() ? local_date(project_.state_entered_at) : project_.visits.back().on;
    const detail::DueDate due = detail::due_under(to_, moved_, every, base, today_);
    out.followup_due_on = due.on;
    out.followup_due_estimated = due.estimated;
    out.followup_recomputed = true;
    note("followup", "recomputed",
         "走访期限按" + version_zh_ + "的周期重算：自" +
             (project_.visits.empty() ? "进入本阶段" : "上次走访") + "（" + base.to_string() +
             "）起" + duration_text(every).zh + "，至 " + due.on.to_string() + "（原 " +
             date_text(project_.followup_due_on) + "）",
         "the next visit is recomputed under " + version_en_ + ": " + duration_text(every).en +
             " from the " + (project_.visits.empty() ? "stage's entry" : "last visit") + " (" +
             base.to_string() + "), due " + due.on.to_string() + " (was " +
             date_text(project_.followup_due_on) + ")");
  }

  const Workflow& from_;
  const Workflow& to_;
  const Project& project_;
  Date today_;
  std::string version_zh_;
  std::string version_en_;
  const StateDef* source_state_ = nullptr;
  const StateDef* target_state_ = nullptr;
  Project moved_;  // the project as the target will hold it, for counting deadlines
  MigrationPlan plan_;
};

// Renames the keys of a running deadline ("sla:OLD..." to "sla:NEW...") in the fired
// alerts and extensions, when the stage it runs in is renamed and it is carried over.
void rename_keys(Project& project, const std::string& from, const std::string& to) {
  std::set<std::string, std::less<>> fired;
  for (const std::string& key : project.deadlines_fired)
    fired.insert(key.starts_with(from) ? to + key.substr(from.size()) : key);
  project.deadlines_fired = std::move(fired);
  std::map<std::string, int, std::less<>> extensions;
  for (const auto& [key, times] : project.deadline_extensions) {
    extensions.emplace(key == from.substr(0, from.size() - 1) ? to.substr(0, to.size() - 1) : key,
                       times);
  }
  project.deadline_extensions = std::move(extensions);
}

}  // namespace

MigrationPlan plan_migration(const Workflow& from, const Workflow& to, const Project& project,
                             const std::map<std::string, std::string>& state_map, Date today) {
  return Planner(from, to, project, today).plan(state_map);
}

void apply_workflow_migrated(Project& project, const WorkflowMigrated& migrated) {
  project.workflow_version = migrated.to_version;
  if (migrated.to_state != project.state && !migrated.sla_recomputed) {
    rename_keys(project, "sla:" + project.state + ":", "sla:" + migrated.to_state + ":");
  }
  project.state = migrated.to_state;
  if (migrated.review_cleared) project.votes.clear();
  project.sla_due_on = migrated.sla_due_on;
  project.sla_due_estimated = migrated.sla_due_estimated;
  for (const std::string& id : migrated.milestones_dropped)
    project.milestones.erase(id);
  for (const MilestoneStarted& started : migrated.milestones_started) {
    MilestoneState& state = project.milestones[started.milestone];
    state.id = started.milestone;
    state.started_on = started.started_on;
    state.due_on = started.due_on;
    state.estimated = started.estimated;
  }
  project.followup_due_on = migrated.followup_due_on;
  project.followup_due_estimated = migrated.followup_due_estimated;
}

}  // namespace investflow::engine
