#include "engine/graph.hpp"

#include <sstream>

namespace investflow::engine {
namespace {

// Mermaid state ids allow letters, digits and underscores.
std::string mermaid_id(std::string_view id) {
  std::string out(id);
  for (char& c : out) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!keep) c = '_';
  }
  return out;
}

// Quotes, colons and line breaks would end a Mermaid label early.
std::string mermaid_label(std::string_view label) {
  std::string out;
  for (const char c : label) {
    switch (c) {
      case '"':
        out += "#quot;";
        break;
      case ':':
        out += "#58;";
        break;
      case ';':
        out += "#59;";
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string label_or_id(const LocalizedText& label, std::string_view lang, std::string_view id) {
  const std::string& text = label.in(lang);
  return text.empty() ? std::string(id) : text;
}

}  // namespace

std::string mermaid_state_diagram(const Workflow& workflow, std::string_view lang) {
  const bool english = lang.substr(0, 2) == "en";
  std::ostringstream out;
  out << "stateDiagram-v2\n";
  for (const StateDef& state : workflow.states) {
    out << "    state \"" << mermaid_label(label_or_id(state.label, lang, state.id)) << "\" as "
        << mermaid_id(state.id) << "\n";
  }
  bool any_from_all = false;
  for (const TransitionDef& transition : workflow.transitions)
    any_from_all |= transition.from_any;
  constexpr std::string_view kAnyActive = "any_active_stage";
  if (any_from_all) {
    out << "    state \"" << (english ? "(any active stage)" : "（任一进行中阶段）") << "\" as "
        << kAnyActive << "\n";
  }
  out << "    [*] --> " << mermaid_id(workflow.initial) << "\n";
  for (const TransitionDef& transition : workflow.transitions) {
    const std::string label = mermaid_label(label_or_id(transition.label, lang, transition.id));
    if (transition.from_any) {
      out << "    " << kAnyActive << " --> " << mermaid_id(transition.to) << " : " << label << "\n";
      continue;
    }
    for (const std::string& from : transition.from) {
      out << "    " << mermaid_id(from) << " --> " << mermaid_id(transition.to) << " : " << label
          << "\n";
    }
  }
  for (const StateDef& state : workflow.states) {
    if (state.terminal) out << "    " << mermaid_id(state.id) << " --> [*]\n";
  }
  return out.str();
}

}  // namespace investflow::engine
