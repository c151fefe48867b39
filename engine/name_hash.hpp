#pragma once
// A hash index from names to items that never change once indexed (a workflow's states and
// transitions): every command looks up its project's state and its transition by name, and
// an open-addressed table probed on the names' prefix words answers in one or two steps
// where a search over sorted names takes several.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/field_map.hpp"

namespace investflow::engine {

template <typename T>
class NameHash {
 public:
  void clear() {
    slots_.clear();
    entries_.clear();
  }
  bool empty() const { return entries_.empty(); }

  // Indexes `item` under `name`; a repeated name keeps its first item.
  void emplace(std::string_view name, const T* item) {
    if (find(name) != nullptr) return;
    entries_.push_back({std::string(name), name_prefix(name), item});
    rebuild();
  }

  const T* find(std::string_view name) const {
    if (slots_.empty()) return nullptr;
    const std::uint64_t prefix = name_prefix(name);
    for (std::size_t slot = hash(prefix, name.size()) & mask_;; slot = (slot + 1) & mask_) {
      const std::uint32_t index = slots_[slot];
      if (index == kEmpty) return nullptr;
      const Entry& entry = entries_[index];
      if (entry.prefix == prefix && same_name_after_prefix(entry.name, name)) return entry.item;
    }
  }

 private:
  struct Entry {
    std::string name;
    std::uint64_t prefix;
    const T* item;
  };
  static constexpr std::uint32_t kEmpty = ~std::uint32_t{0};

  static std::size_t hash(std::uint64_t prefix, std::size_t size) {
    return static_cast<std::size_t>(((prefix ^ size) * 0x9E3779B97F4A7C15ULL) >> 32);
  }

  // At most half full, so a probe ends soon at an empty slot.
  void rebuild() {
    const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(8, entries_.size() * 2));
    slots_.assign(capacity, kEmpty);
    mask_ = capacity - 1;
    for (std::uint32_t i = 0; i < entries_.size(); ++i) {
      std::size_t slot = hash(entries_[i].prefix, entries_[i].name.size()) & mask_;
      while (slots_[slot] != kEmpty)
        slot = (slot + 1) & mask_;
      slots_[slot] = i;
    }
  }

  std::vector<std::uint32_t> slots_;
  std::vector<Entry> entries_;
  std::size_t mask_ = 0;
};

}  // namespace investflow::engine
