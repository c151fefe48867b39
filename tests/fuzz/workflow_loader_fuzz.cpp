// libFuzzer target: any bytes as a workflow file. The loader must not crash, leak, hang or
// throw, and what it returns must be consistent: positions inside the file (1-based), and a
// workflow exactly when there is no error.
//
//   build/fuzz/tests/fuzz/workflow_loader_fuzz tests/fuzz/corpus/loader -max_len=8192

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "workflows/loader.hpp"

namespace {

using investflow::workflows::CalendarRegistry;

// Built once: the loader only reads the registry.
const CalendarRegistry& registry() {
  static const CalendarRegistry calendars = [] {
    CalendarRegistry built;
    built.add(std::make_shared<investflow::engine::Calendar>(
        investflow::engine::Calendar::weekends_only("cn-mainland")));
    return built;
  }();
  return calendars;
}

int line_count(std::string_view text) {
  int lines = 1;
  for (const char c : text)
    lines += c == '\n' ? 1 : 0;
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const investflow::workflows::WorkflowLoad load =
      investflow::workflows::load_workflow_text(text, "fuzz.yaml", registry());
  const int lines = line_count(text);
  for (const investflow::workflows::Diagnostic& diagnostic : load.diagnostics) {
    if (diagnostic.line < 1 || diagnostic.column < 1 || diagnostic.line > lines ||
        diagnostic.message.empty()) {
      std::abort();
    }
  }
  if ((load.workflow != nullptr) == investflow::workflows::has_errors(load.diagnostics)) {
    std::abort();
  }
  return 0;
}
