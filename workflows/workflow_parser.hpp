#pragma once
// Private to workflows/: reading a workflow document (v1) into an engine::Workflow. The parser
// checks the shape of every part and every reference between parts (states, roles, fields,
// transitions) as it goes; expressions are parsed here and checked by check_workflow once
// every name is known.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/expression.hpp"
#include "engine/workflow.hpp"
#include "workflows/loader.hpp"
#include "workflows/yaml_document.hpp"

namespace investflow::workflows::detail {

// An expression of the workflow, where it was read from and what it must produce.
struct ExpressionSite {
  enum class Use {
    value,        // computed: anything
    condition,    // guards, when, done_when: true or false
    amount,       // durations: a number
    review_pass,  // review.pass: true or false, with the bare vote counts in scope
  };
  engine::Expression expression;
  YAML::Node node;  // the scalar holding the source, for mapping error columns
  Use use = Use::value;
  std::string what;  // "'check' of transition 'approve'"
};

// A text that interpolates `{name}` (guard messages); each name must exist.
struct MessageSite {
  YAML::Node node;  // a scalar
  std::string what;
};

struct ParsedWorkflow {
  engine::WorkflowDefinition definition;
  std::vector<ExpressionSite> expressions;
  std::vector<MessageSite> messages;
  // Key nodes, for problems found after parsing.
  std::map<std::string, YAML::Node, std::less<>> state_keys;
  std::map<std::string, YAML::Node, std::less<>> computed_keys;
  YAML::Node initial_node;
  std::map<std::string, YAML::Node, std::less<>> parent_nodes;  // `parent.workflows` items
  // Set when a state's terminal flag or a transition's ends could not be read: warnings
  // about the state graph would then be consequences of those errors, so none are given.
  bool graph_uncertain = false;
};

ParsedWorkflow parse_workflow(const YAML::Node& root, const CalendarRegistry& calendars,
                              Reporter& reporter);

// Checks that need the whole workflow: cycles between computed values (errors; their members
// become null), then, on the workflow made from (and taking) `parsed.definition`, which is
// returned, expressions against its names and their result types, `{name}`s in messages
// (errors), states that cannot be reached or cannot be left (warnings).
// With `loaded_with` (the workflows loaded together with this one), also that its
// `parent:` workflows are among them, and `parent.FIELD` and `open_children('WORKFLOW')`
// against them.
std::shared_ptr<const engine::Workflow> check_workflow(ParsedWorkflow& parsed, Reporter& reporter,
                                                       const WorkflowSet* loaded_with = nullptr);

}  // namespace investflow::workflows::detail
