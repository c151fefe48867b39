#pragma once
// The state machine of a workflow as Mermaid `stateDiagram-v2` text, for the CLI, the API
// and the console's workflow view.

#include <string>
#include <string_view>

#include "engine/workflow.hpp"

namespace investflow::engine {

// Labels in `lang` ("zh-CN" or "en"). Transitions from "*" are drawn once, from a pseudo
// state standing for every active stage, so the diagram stays readable.
std::string mermaid_state_diagram(const Workflow& workflow, std::string_view lang);

}  // namespace investflow::engine
