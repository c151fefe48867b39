#include "app/scenario.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <span>
#include <sstream>

#include "engine/decide.hpp"
#include "storage/auth.hpp"

namespace investflow::app {
namespace {

using engine::Value;
using workflows::Diagnostic;

constexpr engine::Timestamp kWorkdayStart = 9LL * 3600 * 1000;  // steps dated by day: 09:00

class StepReader {
 public:
  StepReader(std::string file, std::vector<Diagnostic>& diagnostics)
      : file_(std::move(file)), diagnostics_(diagnostics) {}

  void error(const YAML::Node& node, std::string message) {
    const YAML::Mark mark = node.Mark();
    diagnostics_.push_back(
        {file_, mark.line + 1, mark.column + 1, Diagnostic::Severity::error, std::move(message)});
  }

  std::optional<std::string> scalar(const YAML::Node& node, std::string_view what) {
    if (!node.IsScalar()) {
      error(node, std::string(what) + " must be a single value");
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::optional<engine::Date> date(const YAML::Node& node, std::string_view what) {
    const std::optional<std::string> text = scalar(node, what);
    if (!text) return std::nullopt;
    const std::optional<engine::Date> parsed = engine::Date::parse(*text);
    if (!parsed) error(node, std::string(what) + " must be a date YYYY-MM-DD, not '" + *text + "'");
    return parsed;
  }

  std::vector<std::string> strings(const YAML::Node& node, std::string_view what) {
    std::vector<std::string> out;
    if (node.IsScalar()) {
      out.push_back(node.Scalar());
    } else if (node.IsSequence()) {
      for (const YAML::Node& item : node) {
        if (auto text = scalar(item, what)) out.push_back(*text);
      }
    } else {
      error(node, std::string(what) + " must be a list");
    }
    return out;
  }

  // Scenario values stay text: the engine converts them to each field's type, exactly as
  // it does for CSV and JSON input, so a scenario exercises the same conversions.
  Value value(const YAML::Node& node) {
    if (node.IsNull()) return Value();
    if (node.IsScalar()) return Value::text(node.Scalar());
    if (node.IsSequence()) {
      Value::List items;
      for (const YAML::Node& item : node)
        items.push_back(value(item));
      return Value::list(std::move(items));
    }
    error(node, "a field value must be a value or a list");
    return Value();
  }

  engine::FieldMap fields(const YAML::Node& node) {
    if (!node.IsMap()) {
      error(node, "fields must be a map of field name to value");
      return {};
    }
    engine::FieldMap::Entries out;
    for (const auto& entry : node)
      out.emplace_back(entry.first.Scalar(), value(entry.second));
    return engine::FieldMap::from_entries(std::move(out));
  }

  bool has_errors() const { return workflows::has_errors(diagnostics_); }

 private:
  std::string file_;
  std::vector<Diagnostic>& diagnostics_;
};

constexpr std::string_view kStepKeys[] = {
    "at",        "actor",   "roles",      "expect",     "reasons",  "note",    "version",
    "owner",     "create",  "edit",       "transition", "fields",   "comment", "vote",
    "milestone", "done_on", "planned_on", "evidence",   "followup", "extend",  "attach"};
constexpr std::string_view kCommandKeys[] = {"create",    "edit",     "transition", "vote",
                                             "milestone", "followup", "extend",     "attach"};

// A scenario's file stands for a scanned document: its id is the SHA-256 of its name, its
// type comes from the name's extension.
std::string media_type_of(std::string_view filename) {
  const auto dot = filename.rfind('.');
  std::string extension(dot == std::string_view::npos ? "" : filename.substr(dot + 1));
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == "pdf") return "application/pdf";
  if (extension == "jpg" || extension == "jpeg") return "image/jpeg";
  if (extension == "png") return "image/png";
  if (extension == "ofd") return "application/ofd";
  return "";
}

bool known(std::string_view key, std::span<const std::string_view> keys) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::vector<std::string> as_strings(std::span<const std::string_view> keys) {
  return {keys.begin(), keys.end()};
}

// Reads a command given as a map of `keys` (a followup, an extension): `read` gets each
// known key with its value; an unknown key is an error. False when `body` is not a map.
bool read_map(const YAML::Node& body, const std::string& what, const std::vector<std::string>& keys,
              StepReader& reader,
              const std::function<void(const std::string&, const YAML::Node&)>& read) {
  std::string list;
  for (const std::string& key : keys)
    list += (list.empty() ? "" : ", ") + key;
  if (!body.IsMap()) {
    reader.error(body, what + " must be a map {" + list + "}");
    return false;
  }
  for (const auto& entry : body) {
    const std::string key = entry.first.Scalar();
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
      read(key, entry.second);
    } else {
      reader.error(entry.first, "unknown key '" + key + "' in " + what + " (" + list + ")");
    }
  }
  return true;
}

std::optional<engine::Command> read_command(const YAML::Node& step, const std::string& kind,
                                            StepReader& reader) {
  engine::Command command;
  const YAML::Node body = step[kind];
  if (kind == "create") {
    engine::CreateProject create;
    create.fields = reader.fields(body);
    if (step["owner"]) create.owner = reader.scalar(step["owner"], "owner").value_or("");
    command.body = std::move(create);
  } else if (kind == "edit") {
    command.body = engine::EditFields{reader.fields(body)};
  } else if (kind == "transition") {
    engine::TakeTransition take;
    take.transition = reader.scalar(body, "transition").value_or("");
    if (step["fields"]) take.fields = reader.fields(step["fields"]);
    if (step["comment"]) take.comment = reader.scalar(step["comment"], "comment").value_or("");
    command.body = std::move(take);
  } else if (kind == "vote") {
    engine::CastVote vote;
    const std::string choice = reader.scalar(body, "vote").value_or("");
    if (const auto parsed = engine::parse_vote_choice(choice)) {
      vote.choice = *parsed;
    } else {
      reader.error(body, "vote must be approve, reject, abstain or recuse, not '" + choice + "'");
    }
    if (step["comment"]) vote.comment = reader.scalar(step["comment"], "comment").value_or("");
    command.body = std::move(vote);
  } else if (kind == "milestone") {
    engine::RecordMilestone record;
    record.milestone = reader.scalar(body, "milestone").value_or("");
    if (step["done_on"]) record.done_on = reader.date(step["done_on"], "done_on");
    if (step["planned_on"]) record.planned_on = reader.date(step["planned_on"], "planned_on");
    if (step["evidence"])
      record.evidence = reader.scalar(step["evidence"], "evidence").value_or("");
    command.body = std::move(record);
  } else if (kind == "extend") {
    // {kind: sla|milestone|followup, name, due_on, reason}: a deadline extension (v1.1).
    engine::ExtendDeadline extend;
    const bool read = read_map(
        body, "extend", {"kind", "name", "due_on", "reason"}, reader,
        [&](const std::string& key, const YAML::Node& value) {
          if (key == "kind") {
            const std::string name = reader.scalar(value, "extend.kind").value_or("");
            if (const auto parsed = engine::parse_deadline_kind(name)) {
              extend.kind = *parsed;
            } else {
              reader.error(value, "extend.kind must be sla, milestone or followup");
            }
          } else if (key == "name") {
            extend.name = reader.scalar(value, "extend.name").value_or("");
          } else if (key == "due_on") {
            extend.new_due_on = reader.date(value, "extend.due_on").value_or(engine::Date());
          } else {
            extend.reason = reader.scalar(value, "extend.reason").value_or("");
          }
        });
    if (!read) return std::nullopt;
    if (!body["due_on"]) reader.error(body, "extend needs 'due_on' (the new due date)");
    command.body = std::move(extend);
  } else if (kind == "attach") {
    // {filename, milestone}: a file attached to the project (evidence for a milestone).
    engine::AttachFile attach;
    const bool read =
        read_map(body, "attach", {"filename", "milestone"}, reader,
                 [&](const std::string& key, const YAML::Node& value) {
                   if (key == "filename") {
                     attach.filename = reader.scalar(value, "attach.filename").value_or("");
                   } else {
                     attach.milestone = reader.scalar(value, "attach.milestone").value_or("");
                   }
                 });
    if (!read) return std::nullopt;
    attach.media_type = media_type_of(attach.filename);
    if (attach.media_type.empty()) {
      reader.error(body, "attach.filename must end in .pdf, .jpg, .jpeg, .png or .ofd");
    }
    attach.attachment_id = storage::sha256_hex(attach.filename);
    attach.size = static_cast<std::int64_t>(attach.filename.size());
    command.body = std::move(attach);
  } else {
    engine::RecordFollowup visit;
    const bool read =
        read_map(body, "followup", {"on", "summary", "issues"}, reader,
                 [&](const std::string& key, const YAML::Node& value) {
                   if (key == "on") {
                     visit.on = reader.date(value, "followup.on").value_or(engine::Date());
                   } else if (key == "summary") {
                     visit.summary = reader.scalar(value, "followup.summary").value_or("");
                   } else {
                     visit.issues = reader.strings(value, "followup.issues");
                   }
                 });
    if (!read) return std::nullopt;
    if (!body["on"]) reader.error(body, "followup needs 'on' (the visit date)");
    command.body = std::move(visit);
  }
  return command;
}

void read_steps(const YAML::Node& steps, Scenario& scenario,
                const std::map<std::string, std::vector<std::string>>& actors, StepReader& reader) {
  engine::Timestamp clock =
      engine::start_of_day(*engine::Date::from_ymd(2026, 1, 5)) + kWorkdayStart;
  engine::Actor actor;
  for (const YAML::Node& step : steps) {
    if (!step.IsMap()) {
      reader.error(step, "each step must be a map");
      continue;
    }
    ScenarioStep out;
    out.line = step.Mark().line + 1;
    std::string kind;
    for (const auto& entry : step) {
      const std::string key = entry.first.Scalar();
      if (!known(key, kStepKeys)) {
        const std::string hint = engine::closest_match(key, as_strings(kStepKeys));
        reader.error(entry.first, "unknown key '" + key + "' in a step" +
                                      (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      } else if (known(key, kCommandKeys)) {
        if (!kind.empty())
          reader.error(entry.first, "a step has one command; '" + kind + "' came first");
        kind = key;
      }
    }
    if (kind.empty()) {
      reader.error(
          step,
          "the step names no command (create, edit, transition, vote, milestone, followup, "
          "extend, attach)");
      continue;
    }
    if (step["at"]) {
      const std::string at = reader.scalar(step["at"], "at").value_or("");
      const std::optional<engine::Timestamp> parsed = engine::parse_timestamp(at);
      if (!parsed) {
        reader.error(step["at"],
                     "at must be a date YYYY-MM-DD or an RFC 3339 time, not '" + at + "'");
      } else {
        clock = *parsed + (at.size() == 10 ? kWorkdayStart : 0);
      }
    }
    if (step["actor"]) {
      actor.id = reader.scalar(step["actor"], "actor").value_or("");
      const auto known_actor = actors.find(actor.id);
      actor.roles = known_actor == actors.end() ? std::vector<std::string>{} : known_actor->second;
      if (known_actor == actors.end() && !step["roles"]) {
        reader.error(step["actor"],
                     "unknown actor '" + actor.id + "': list it under actors or give roles");
      }
    }
    if (step["roles"]) actor.roles = reader.strings(step["roles"], "roles");
    if (actor.id.empty()) reader.error(step, "the first step needs an actor");
    out.at = clock;
    out.actor = actor;
    if (step["expect"]) {
      const std::string expect = reader.scalar(step["expect"], "expect").value_or("");
      if (expect != "accepted" && expect != "rejected") {
        reader.error(step["expect"], "expect must be accepted or rejected");
      }
      out.expect_accepted = expect != "rejected";
    }
    if (step["reasons"]) out.expect_reasons = reader.strings(step["reasons"], "reasons");
    std::optional<engine::Command> command = read_command(step, kind, reader);
    if (!command) continue;
    command->project_id = scenario.project;
    if (step["version"]) {
      const std::string version = reader.scalar(step["version"], "version").value_or("");
      try {
        command->expected_version = std::stoll(version);
      } catch (const std::exception&) {
        reader.error(step["version"], "version must be a whole number");
      }
    }
    out.command = std::move(*command);
    scenario.steps.push_back(std::move(out));
  }
}

std::string describe_command(const engine::Command& command) {
  return std::visit(
      [](const auto& body) -> std::string {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, engine::CreateProject>) return "create";
        if constexpr (std::is_same_v<T, engine::EditFields>) return "edit";
        if constexpr (std::is_same_v<T, engine::TakeTransition>)
          return "transition " + body.transition;
        if constexpr (std::is_same_v<T, engine::CastVote>) {
          return "vote " + std::string(engine::vote_choice_name(body.choice));
        }
        if constexpr (std::is_same_v<T, engine::RecordMilestone>)
          return "milestone " + body.milestone;
        if constexpr (std::is_same_v<T, engine::RecordFollowup>)
          return "followup " + body.on.to_string();
        if constexpr (std::is_same_v<T, engine::ExtendDeadline>) return "extend " + body.name;
        if constexpr (std::is_same_v<T, engine::RecordFunds>) return "funds " + body.month;
        if constexpr (std::is_same_v<T, engine::MigrateWorkflow>) {
          return "migrate to version " + std::to_string(body.to_version);
        }
        return "?";
      },
      command.body);
}

std::string state_label(const engine::Workflow& workflow, const std::string& state,
                        std::string_view lang) {
  const engine::StateDef* def = workflow.find_state(state);
  if (def == nullptr || def->label.in(lang).empty()) return state;
  return def->label.in(lang) + " (" + state + ")";
}

}  // namespace

ScenarioLoad load_scenario_text(const std::string& yaml, const std::string& file_name) {
  ScenarioLoad load;
  StepReader reader(file_name, load.diagnostics);
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    load.diagnostics.push_back(
        {file_name, e.mark.line + 1, e.mark.column + 1, Diagnostic::Severity::error, e.msg});
    return load;
  }
  try {
    if (!root.IsMap()) {
      reader.error(root, "a scenario is a map with workflow, project, actors, steps");
      return load;
    }
    Scenario scenario;
    scenario.file = file_name;
    std::map<std::string, std::vector<std::string>> actors;
    for (const auto& entry : root) {
      const std::string key = entry.first.Scalar();
      if (key == "workflow") {
        scenario.workflow = reader.scalar(entry.second, "workflow").value_or("");
      } else if (key == "project") {
        scenario.project = reader.scalar(entry.second, "project").value_or("");
      } else if (key == "expect_state") {
        scenario.expect_state = reader.scalar(entry.second, "expect_state");
      } else if (key == "actors") {
        if (!entry.second.IsMap()) {
          reader.error(entry.second, "actors must map each user to its roles");
          continue;
        }
        for (const auto& actor : entry.second) {
          actors[actor.first.Scalar()] = reader.strings(actor.second, "roles");
        }
      } else if (key == "steps" || key == "description") {
        // steps are read below, once the actors are known; description is for people
      } else {
        const std::vector<std::string> keys{"workflow",     "project", "actors",
                                            "expect_state", "steps",   "description"};
        const std::string hint = engine::closest_match(key, keys);
        reader.error(entry.first, "unknown key '" + key + "'" +
                                      (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
    if (!root["steps"] || !root["steps"].IsSequence()) {
      reader.error(root, "a scenario needs a list of steps");
    } else {
      read_steps(root["steps"], scenario, actors, reader);
    }
    scenario.actors = std::move(actors);
    if (!reader.has_errors()) load.scenario = std::move(scenario);
  } catch (const YAML::Exception& e) {
    load.diagnostics.push_back(
        {file_name, e.mark.line + 1, e.mark.column + 1, Diagnostic::Severity::error, e.msg});
  }
  return load;
}

ScenarioLoad load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ScenarioLoad load;
    load.diagnostics.push_back({path, 1, 1, Diagnostic::Severity::error, "cannot read the file"});
    return load;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_scenario_text(text.str(), path);
}

namespace {
// The declared actors holding the voters' role of the project's open review.
int review_panel(const engine::Workflow& workflow, const engine::Project& project,
                 const std::map<std::string, std::vector<std::string>>& actors) {
  const engine::StateDef* state = workflow.find_state(project.state);
  if (state == nullptr || !state->review) return 0;
  return static_cast<int>(std::count_if(actors.begin(), actors.end(), [&](const auto& actor) {
    return std::find(actor.second.begin(), actor.second.end(), state->review->voters) !=
           actor.second.end();
  }));
}
}  // namespace

ScenarioReport run_scenario(const engine::Workflow& workflow, const Scenario& scenario,
                            std::string_view lang, std::ostream& out) {
  ScenarioReport report;
  engine::Project project;
  engine::FixedClock clock(0);
  int number = 0;
  for (const ScenarioStep& step : scenario.steps) {
    ++number;
    clock.set(step.at);
    std::string roles;
    for (const std::string& role : step.actor.roles)
      roles += (roles.empty() ? "" : ",") + role;
    out << "#" << number << " " << engine::format_timestamp(step.at).substr(0, 16) << " "
        << step.actor.id << " [" << roles << "] " << describe_command(step.command) << " (line "
        << step.line << "): ";
    project.review_panel = review_panel(workflow, project, scenario.actors);
    engine::Decision decision = engine::decide(workflow, project, step.command, step.actor, clock);
    bool as_expected = decision.ok() == step.expect_accepted;
    if (decision) {
      for (const engine::Event& event : decision.value())
        project = engine::apply(std::move(project), event);
      out << "accepted -> " << state_label(workflow, project.state, lang) << ", v"
          << project.version;
    } else {
      out << "rejected";
      std::vector<std::string> missing;
      for (const std::string& code : step.expect_reasons) {
        if (!decision.error().has(code)) missing.push_back(code);
      }
      if (!missing.empty()) {
        as_expected = false;
        out << " (expected reasons missing:";
        for (const std::string& code : missing)
          out << " " << code;
        out << ")";
      }
    }
    out << (as_expected ? "" : "   <-- UNEXPECTED") << "\n";
    if (!decision) {
      for (const engine::Reason& reason : decision.error().reasons) {
        out << "    - " << reason.code << (reason.field.empty() ? "" : " [" + reason.field + "]")
            << ": " << reason.message.in(lang) << "\n";
      }
    }
    if (!as_expected) ++report.unexpected_steps;
  }
  report.final_state = project.state;
  report.final_version = project.version;
  out << "final state: "
      << (project.exists() ? state_label(workflow, project.state, lang) : "(none)") << ", version "
      << project.version << "\n";
  if (scenario.expect_state && *scenario.expect_state != project.state) {
    out << "expected final state " << *scenario.expect_state << "   <-- UNEXPECTED\n";
    ++report.unexpected_steps;
  }
  const engine::Date today = engine::local_date(clock.now());
  for (const engine::DueItem& item : engine::due_items(workflow, project, today)) {
    out << "due: " << engine::due_kind_name(item.kind) << " " << item.name << " on "
        << item.due_on.to_string() << " (" << engine::due_status_name(item.status) << ")\n";
  }
  report.ok = report.unexpected_steps == 0;
  return report;
}

}  // namespace investflow::app
