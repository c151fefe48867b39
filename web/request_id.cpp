#include "web/request_id.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>

namespace investflow::web {

RequestIds::RequestIds() : prefix_(std::random_device{}()) {
}

std::string RequestIds::next() {
  return fmt::format("{:08x}-{:016x}", prefix_, counter_.fetch_add(1) + 1);
}

bool is_acceptable_request_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

}  // namespace investflow::web
