#include "notify/message.hpp"

#include <sstream>
#include <type_traits>

#include "engine/deadlines.hpp"
#include "engine/notify_trigger.hpp"
#include "engine/supervision.hpp"
#include "storage/codec.hpp"

namespace investflow::notify {
namespace {

struct Labels {
  std::string zh;
  std::string en;
};

Labels labels_of(const engine::LocalizedText* text, const std::string& id) {
  if (text == nullptr) return {id, id};
  return {text->zh.empty() ? id : text->zh, text->en.empty() ? id : text->en};
}

Labels state_labels(const engine::Workflow* workflow, const std::string& state) {
  const engine::StateDef* def = workflow != nullptr ? workflow->find_state(state) : nullptr;
  return labels_of(def != nullptr ? &def->label : nullptr, state);
}

Labels milestone_labels(const engine::Workflow* workflow, const std::string& id) {
  const engine::MilestoneDef* def = workflow != nullptr ? workflow->find_milestone(id) : nullptr;
  return labels_of(def != nullptr ? &def->label : nullptr, id);
}

Labels deadline_labels(const engine::Workflow* workflow, engine::DeadlineKind kind,
                       const std::string& name) {
  switch (kind) {
    case engine::DeadlineKind::sla: {
      const Labels state = state_labels(workflow, name);
      return {"“" + state.zh + "”办理时限", "the '" + state.en + "' time limit"};
    }
    case engine::DeadlineKind::milestone: {
      const Labels milestone = milestone_labels(workflow, name);
      return {"节点“" + milestone.zh + "”", "the milestone '" + milestone.en + "'"};
    }
    case engine::DeadlineKind::followup:
      return {"跟踪走访", "the follow-up visit"};
  }
  return {name, name};
}

std::string vote_zh(engine::VoteChoice choice) {
  switch (choice) {
    case engine::VoteChoice::approve:
      return "同意";
    case engine::VoteChoice::reject:
      return "反对";
    case engine::VoteChoice::abstain:
      return "弃权";
    case engine::VoteChoice::recuse:
      return "回避";
  }
  return "";
}

// Fills title and detail for one event body.
class Describer {
 public:
  Describer(Message& message, const engine::Workflow* workflow)
      : message_(message), workflow_(workflow), name_(message.project_name) {}

  void operator()(const engine::ProjectCreated& created) {
    const Labels state = state_labels(workflow_, created.state);
    set("新项目“" + name_ + "”已登记（" + state.zh + "）",
        "New project '" + name_ + "' registered (" + state.en + ")");
    message_.to = created.state;
    message_.to_label = {state.zh, state.en};
  }
  void operator()(const engine::FieldsEdited&) {
    set("项目“" + name_ + "”信息已更新", "Project '" + name_ + "' was edited");
  }
  void operator()(const engine::TransitionTaken& taken) {
    const Labels from = state_labels(workflow_, taken.from);
    const Labels to = state_labels(workflow_, taken.to);
    set("项目“" + name_ + "”：" + from.zh + " → " + to.zh,
        "Project '" + name_ + "': " + from.en + " → " + to.en);
    message_.from = taken.from;
    message_.to = taken.to;
    message_.from_label = {from.zh, from.en};
    message_.to_label = {to.zh, to.en};
    message_.transition = taken.transition;
    if (!taken.comment.empty()) message_.detail_zh = "说明：" + taken.comment;
  }
  void operator()(const engine::VoteCast& vote) {
    if (vote.quorum_reached) {
      // The secretariat's cue to close the review: no ballot shown (a blind review's stay
      // hidden until it closes).
      set("项目“" + name_ + "”的评审已达到法定票数，可以形成评审结论",
          "Project '" + name_ + "': the review reached its quorum and can be decided");
      return;
    }
    set("项目“" + name_ + "”收到评审意见（" + vote.voter + "：" + vote_zh(vote.choice) + "）",
        "Project '" + name_ + "' got a vote (" + vote.voter + ": " +
            std::string(engine::vote_choice_name(vote.choice)) + ")");
  }
  void operator()(const engine::MilestoneRecorded& recorded) {
    const Labels milestone = milestone_labels(workflow_, recorded.milestone);
    set("项目“" + name_ + "”登记了节点“" + milestone.zh + "”",
        "Project '" + name_ + "' recorded the milestone '" + milestone.en + "'");
  }
  void operator()(const engine::FollowupRecorded& visit) {
    set("项目“" + name_ + "”已登记跟踪走访（" + visit.on.to_string() + "）",
        "Project '" + name_ + "' had a follow-up visit (" + visit.on.to_string() + ")");
    message_.detail_zh = visit.summary;
  }
  void operator()(const engine::DeadlineFired& fired) {
    const Labels what = deadline_labels(workflow_, fired.kind, fired.name);
    const std::string due = fired.due_on.to_string();
    switch (fired.alert) {
      case engine::DeadlineAlert::warning:
        set("【临期】项目“" + name_ + "”的" + what.zh + "将于 " + due + " 到期",
            "Due soon: project '" + name_ + "', " + what.en + " ends " + due);
        break;
      case engine::DeadlineAlert::overdue:
        set("【逾期】项目“" + name_ + "”的" + what.zh + "已于 " + due + " 到期，请督办",
            "Overdue: project '" + name_ + "', " + what.en + " ended " + due);
        break;
      case engine::DeadlineAlert::due:
        set("【走访】项目“" + name_ + "”应于 " + due + " 前完成跟踪走访",
            "Follow-up due: project '" + name_ + "' needs a visit by " + due);
        break;
    }
  }
  void operator()(const engine::DeadlineExtended& extended) {
    const Labels what = deadline_labels(workflow_, extended.kind, extended.name);
    set("项目“" + name_ + "”的" + what.zh + "延期至 " + extended.new_due_on.to_string(),
        "Project '" + name_ + "': " + what.en + " extended to " + extended.new_due_on.to_string());
    message_.detail_zh =
        "原期限 " + extended.previous_due_on.to_string() + "，延期理由：" + extended.reason;
  }
  void operator()(const engine::Commented& comment) {
    set("项目“" + name_ + "”有新评论：" + excerpt(comment.text),
        "Project '" + name_ + "' got a comment: " + excerpt(comment.text));
    message_.detail_zh = comment.text;
  }
  void operator()(const engine::FileAttached& attached) {
    set("项目“" + name_ + "”上传了附件“" + attached.filename + "”",
        "Project '" + name_ + "' got an attachment '" + attached.filename + "'");
  }
  void operator()(const engine::WorkflowMigrated& migrated) {
    const std::string to = std::to_string(migrated.to_version);
    set("项目“" + name_ + "”已迁移到流程第" + to + "版",
        "Project '" + name_ + "' moved to version " + to + " of its workflow");
    message_.from = migrated.from_state;
    message_.to = migrated.to_state;
  }
  void operator()(const engine::FundsRecorded& funds) {
    std::ostringstream amount;
    amount << funds.amount;
    set("项目“" + name_ + "”登记到位资金 " + amount.str() + " 万元（" + funds.month + "）",
        "Project '" + name_ + "': funds in place " + amount.str() + " 万元 recorded (" +
            funds.month + ")");
    message_.detail_zh = std::string("来源：") +
                         std::string(engine::funds_source_zh(funds.source)) +
                         (funds.comment.empty() ? "" : "；说明：" + funds.comment);
  }
  void operator()(const engine::Supervised& supervised) {
    Labels level{supervised.level, supervised.level};
    if (workflow_ != nullptr && workflow_->supervision) {
      for (const engine::SupervisionLevel& def : workflow_->supervision->levels) {
        if (def.id == supervised.level) level = labels_of(&def.label, def.id);
      }
    }
    const std::string due = supervised.new_due_on.to_string();
    set("【" + level.zh + "】“" + name_ + "”被督办，须于 " + due + " 前办结",
        level.en + ": '" + name_ + "' is supervised, due " + due);
    message_.detail_zh = "督办理由：" + supervised.reason;
  }
  void operator()(const engine::Reassigned& reassigned) {
    Labels holder{"负责人", "owner"};
    if (reassigned.holder != engine::kOwnerHolder) {
      const engine::FieldDef* field =
          workflow_ != nullptr ? workflow_->find_field(reassigned.holder) : nullptr;
      holder = labels_of(field != nullptr ? &field->label : nullptr, reassigned.holder);
    }
    const std::string from = reassigned.from.empty() ? "（空）" : reassigned.from;
    set("“" + name_ + "”的" + holder.zh + "由 " + from + " 转交给 " + reassigned.to,
        "'" + name_ + "': " + holder.en + " reassigned from " +
            (reassigned.from.empty() ? "(none)" : reassigned.from) + " to " + reassigned.to);
    message_.detail_zh = "转交理由：" + reassigned.reason;
  }

 private:
  // The start of a comment for a title: at most kExcerptBytes, cut between UTF-8
  // characters, with an ellipsis when cut.
  static std::string excerpt(const std::string& text) {
    constexpr std::size_t kExcerptBytes = 90;
    if (text.size() <= kExcerptBytes) return text;
    std::size_t end = kExcerptBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
      --end;
    return text.substr(0, end) + "…";
  }

  void set(std::string zh, std::string en) {
    message_.title_zh = std::move(zh);
    message_.title_en = std::move(en);
  }

  Message& message_;
  const engine::Workflow* workflow_;
  const std::string& name_;
};

}  // namespace

Message make_message(std::int64_t event_id, const engine::Event& event,
                     const engine::Workflow* workflow, const std::string& project_name) {
  Message message;
  message.event_id = event_id;
  message.type = std::string(engine::event_type(event));
  message.project_id = event.project_id;
  message.project_name = project_name.empty() ? event.project_id : project_name;
  message.workflow = workflow != nullptr ? workflow->id : "";
  message.actor = event.actor;
  message.at = event.at;
  message.triggers = engine::triggers_of(event);
  Describer describer(message, workflow);
  std::visit(describer, event.body);
  message.event_json = storage::encode_event(event);
  return message;
}

}  // namespace investflow::notify
