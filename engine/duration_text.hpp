#pragma once
// Durations as the engine's sentences name them, and whether two are the same rule: what the
// workflow diff and the migration planner both say about SLAs and milestones.

#include "engine/workflow.hpp"

namespace investflow::engine {

// "3个工作日" / "3 working days" ("1 working day"); an expression is shown as written, in
// backticks.
LocalizedText duration_text(const Duration& duration);

// The same unit and the same count, or the same expression text.
bool same_duration(const Duration& a, const Duration& b);

}  // namespace investflow::engine
