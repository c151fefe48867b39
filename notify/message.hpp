#pragma once
// One event as people read it: who did what to which project, in Chinese and English.
// Built once per event (message.cpp) and rendered per channel: inbox titles, webhook
// bodies, chat-robot markdown.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/event.hpp"
#include "engine/workflow.hpp"

namespace investflow::notify {

struct Message {
  std::int64_t event_id = 0;
  std::string type;  // engine::event_type
  std::string project_id;
  std::string project_name;
  std::string workflow;
  std::string actor;
  engine::Timestamp at = 0;
  std::string from;  // transition_taken: the states left and entered (ids)
  std::string to;    // (project_created: the first state)
  // Their labels as people read them (线索 / Lead); the id when the workflow has none.
  engine::LocalizedText from_label;
  engine::LocalizedText to_label;
  std::string transition;                       // transition_taken: its id
  std::vector<engine::NotifyTrigger> triggers;  // what the event raised (engine::triggers_of)
  std::string title_zh;
  std::string title_en;
  std::string detail_zh;   // one more line for chat messages (comment, due date, ...)
  std::string link;        // where the project is seen (the console), when known; else empty
  std::string event_json;  // the canonical event, for the generic format
};

// `workflow` may be null (labels then fall back to ids).
Message make_message(std::int64_t event_id, const engine::Event& event,
                     const engine::Workflow* workflow, const std::string& project_name);

}  // namespace investflow::notify
