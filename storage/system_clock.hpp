#pragma once
// The real clock, for the edges (the engine only ever sees engine::Clock).

#include <chrono>

#include "engine/date.hpp"

namespace investflow::storage {

class SystemClock final : public engine::Clock {
 public:
  engine::Timestamp now() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace investflow::storage
