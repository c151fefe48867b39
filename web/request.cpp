#include "web/request.hpp"

namespace investflow::web {

SpooledBody::~SpooledBody() {
  if (kept_) return;
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

}  // namespace investflow::web
