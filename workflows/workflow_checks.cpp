// Checks that need the whole workflow, run after parse_workflow (see workflow_parser.hpp).

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "workflows/workflow_parser.hpp"
#include "workflows/yaml_reader.hpp"

namespace investflow::workflows::detail {
namespace {

using engine::ExprType;
using Use = ExpressionSite::Use;

std::string in_quotes(std::string_view name) {
  return "'" + std::string(name) + "'";
}

// Computed values that depend on each other in a cycle could never be evaluated. Reports each
// cycle once, at its first member in the file, and turns the members into null so the checks
// that follow (and the type inference behind them) cannot loop.
void check_computed_cycles(ParsedWorkflow& parsed, Reporter& reporter) {
  std::vector<engine::ComputedDef>& computed = parsed.definition.computed;
  std::map<std::string, std::size_t, std::less<>> index_of;
  for (std::size_t i = 0; i < computed.size(); ++i)
    index_of.emplace(computed[i].name, i);
  std::vector<std::vector<std::size_t>> depends_on(computed.size());
  for (std::size_t i = 0; i < computed.size(); ++i) {
    for (const std::string& name : computed[i].expression.referenced_names()) {
      if (const auto target = index_of.find(name); target != index_of.end()) {
        depends_on[i].push_back(target->second);
      }
    }
  }
  enum class Mark { unvisited, on_path, done };
  std::vector<Mark> marks(computed.size(), Mark::unvisited);
  std::set<std::size_t> in_reported_cycle;
  // Depth-first search with an explicit stack (a generated file may chain thousands of
  // computed values): each frame is a value and the next dependency to follow.
  for (std::size_t start = 0; start < computed.size(); ++start) {
    if (marks[start] != Mark::unvisited) continue;
    std::vector<std::pair<std::size_t, std::size_t>> path{{start, 0}};
    marks[start] = Mark::on_path;
    while (!path.empty()) {
      auto& [node, next] = path.back();
      if (next == depends_on[node].size()) {
        marks[node] = Mark::done;
        path.pop_back();
        continue;
      }
      const std::size_t target = depends_on[node][next++];
      if (marks[target] == Mark::unvisited) {
        marks[target] = Mark::on_path;
        path.emplace_back(target, 0);
        continue;
      }
      if (marks[target] != Mark::on_path) continue;
      // A cycle: target ... node -> target.
      std::vector<std::size_t> cycle;
      auto frame = std::find_if(path.begin(), path.end(),
                                [&](const auto& entry) { return entry.first == target; });
      for (; frame != path.end(); ++frame)
        cycle.push_back(frame->first);
      if (std::any_of(cycle.begin(), cycle.end(),
                      [&](std::size_t member) { return in_reported_cycle.count(member) > 0; })) {
        continue;
      }
      const auto first = std::min_element(cycle.begin(), cycle.end());
      std::rotate(cycle.begin(), first, cycle.end());
      std::string chain;
      for (const std::size_t member : cycle)
        chain += computed[member].name + " -> ";
      chain += computed[cycle.front()].name;
      const auto key = parsed.computed_keys.find(computed[cycle.front()].name);
      const YAML::Mark at = key != parsed.computed_keys.end() ? key->second.Mark() : YAML::Mark();
      reporter.error(at, "computed values depend on each other in a cycle: " + chain);
      in_reported_cycle.insert(cycle.begin(), cycle.end());
    }
  }
  for (const std::size_t member : in_reported_cycle)
    computed[member].expression = {};
}

std::string_view expected_type_phrase(Use use) {
  return use == Use::amount ? "a number" : "true or false";
}

bool type_fits(Use use, ExprType type) {
  if (type == ExprType::any) return true;
  switch (use) {
    case Use::value:
      return true;
    case Use::amount:
      return type == ExprType::number;
    case Use::condition:
    case Use::review_pass:
      return type == ExprType::boolean;
  }
  return true;
}

void check_expressions(const ParsedWorkflow& parsed, const engine::Workflow& workflow,
                       const engine::WorkflowFamily* family, Reporter& reporter) {
  const engine::WorkflowNames names(workflow, false, family);
  const engine::WorkflowNames vote_names(workflow, /*review_vote_names=*/true, family);
  for (const ExpressionSite& site : parsed.expressions) {
    const engine::NameResolver& scope =
        site.use == Use::review_pass ? static_cast<const engine::NameResolver&>(vote_names) : names;
    const std::vector<engine::ExpressionError> errors = site.expression.check(scope);
    for (const engine::ExpressionError& error : errors) {
      const std::size_t offset = static_cast<std::size_t>(std::max(error.column, 1) - 1);
      reporter.report(reporter.source().position_in_scalar(site.node, offset),
                      Diagnostic::Severity::error, error.message);
    }
    if (!errors.empty()) continue;
    const ExprType type = site.expression.type(scope);
    if (!type_fits(site.use, type)) {
      reporter.error(site.node.Mark(),
                     site.what + " must give " + std::string(expected_type_phrase(site.use)) +
                         ", but this expression gives " + std::string(engine::type_name(type)));
    }
  }
}

// `{name}` in a message is replaced by a value when the message is shown; a name that does not
// exist would silently show nothing.
void check_messages(const ParsedWorkflow& parsed, const engine::Workflow& workflow,
                    const engine::WorkflowFamily* family, Reporter& reporter) {
  const engine::WorkflowNames names(workflow, false, family);
  for (const MessageSite& site : parsed.messages) {
    const std::string& text = site.node.Scalar();
    for (std::size_t at = 0; at < text.size(); ++at) {
      if (text[at] == '}' && at + 1 < text.size() && text[at + 1] == '}') {
        ++at;
        continue;
      }
      if (text[at] != '{') continue;
      if (at + 1 < text.size() && text[at + 1] == '{') {
        ++at;
        continue;
      }
      const std::size_t close = text.find('}', at + 1);
      if (close == std::string::npos) break;
      const std::string name = text.substr(at + 1, close - at - 1);
      if (!names.lookup(name)) {
        reporter.report(reporter.source().position_in_scalar(site.node, at + 1),
                        Diagnostic::Severity::error,
                        "unknown name " + in_quotes(name) + " in " + site.what +
                            suggestion(reporter, name, names.names()));
      }
      at = close;
    }
  }
}

void check_state_graph(const ParsedWorkflow& parsed, const engine::Workflow& workflow,
                       Reporter& reporter) {
  if (parsed.graph_uncertain) return;
  const auto key_mark = [&](const std::string& state) {
    const auto key = parsed.state_keys.find(state);
    return key != parsed.state_keys.end() ? key->second.Mark() : YAML::Mark();
  };
  for (const engine::StateDef& state : workflow.states) {
    if (!state.terminal && workflow.transitions_from(state.id).empty()) {
      reporter.warning(key_mark(state.id), "state " + in_quotes(state.id) +
                                               " is not terminal, but no transition leaves it");
    }
  }
  if (workflow.find_state(workflow.initial) == nullptr) return;
  std::set<std::string, std::less<>> reached{workflow.initial};
  std::deque<std::string> pending{workflow.initial};
  while (!pending.empty()) {
    const std::string state = std::move(pending.front());
    pending.pop_front();
    for (const engine::TransitionDef* transition : workflow.transitions_from(state)) {
      if (workflow.find_state(transition->to) != nullptr && reached.insert(transition->to).second) {
        pending.push_back(transition->to);
      }
    }
  }
  for (const engine::StateDef& state : workflow.states) {
    if (reached.count(state.id) == 0) {
      reporter.warning(key_mark(state.id), "state " + in_quotes(state.id) +
                                               " cannot be reached from the initial state " +
                                               in_quotes(workflow.initial));
    }
  }
}

// Loaded together with others, the workflows `parent:` names must be among them.
void check_parents(const ParsedWorkflow& parsed, const engine::Workflow& workflow,
                   const engine::WorkflowFamily& family, Reporter& reporter) {
  if (!workflow.parent) return;
  for (const auto& [id, node] : parsed.parent_nodes) {
    if (std::find(family.loaded.begin(), family.loaded.end(), id) != family.loaded.end()) continue;
    reporter.error(node.Mark(), "parent workflow " + in_quotes(id) +
                                    " is not among the workflows loaded with this one" +
                                    suggestion(reporter, id, family.loaded));
  }
}

// What `workflow`'s parent links reach among the workflows loaded with it.
engine::WorkflowFamily family_in(const engine::Workflow& workflow, const WorkflowSet& loaded) {
  engine::WorkflowFamily family;
  for (const auto& other : loaded) {
    family.loaded.push_back(other->id);
    if (workflow.accepts_parent(other->id)) family.parents.push_back(other.get());
    if (other->accepts_parent(workflow.id)) family.children.push_back(other->id);
  }
  return family;
}

}  // namespace

std::shared_ptr<const engine::Workflow> check_workflow(ParsedWorkflow& parsed, Reporter& reporter,
                                                       const WorkflowSet* loaded_with) {
  check_computed_cycles(parsed, reporter);
  std::shared_ptr<const engine::Workflow> workflow =
      engine::Workflow::make(std::move(parsed.definition));
  std::optional<engine::WorkflowFamily> known;
  if (loaded_with != nullptr) known = family_in(*workflow, *loaded_with);
  const engine::WorkflowFamily* family = known ? &*known : nullptr;
  if (family != nullptr) check_parents(parsed, *workflow, *family, reporter);
  check_expressions(parsed, *workflow, family, reporter);
  check_messages(parsed, *workflow, family, reporter);
  check_state_graph(parsed, *workflow, reporter);
  return workflow;
}

}  // namespace investflow::workflows::detail
