#include "web/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace investflow::web {
namespace {

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;  // paths start with '/'
  while (true) {
    const auto end = path.find('/', start);
    segments.push_back(path.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return segments;
}

std::vector<std::string> parse_pattern(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route template must start with '/': " + std::string(pattern));
  }
  std::vector<std::string> segments;
  for (const auto segment : split_path(pattern)) {
    const bool braces = segment.find_first_of("{}") != std::string_view::npos;
    if (braces && !is_parameter(segment)) {
      throw std::invalid_argument("a parameter must be a whole segment: " + std::string(pattern));
    }
    if (is_parameter(segment)) {
      const auto name = segment.substr(1, segment.size() - 2);
      const bool named = std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      });
      if (!named) throw std::invalid_argument("bad parameter name in " + std::string(pattern));
      if (std::find(segments.begin(), segments.end(), segment) != segments.end()) {
        throw std::invalid_argument("repeated parameter in " + std::string(pattern));
      }
    }
    segments.emplace_back(segment);
  }
  return segments;
}

// The parameters when the path fits the template; literal-ness per segment goes to rank.
std::optional<RouteParams> fit(const Route& route, const std::vector<std::string_view>& path,
                               std::vector<bool>& rank) {
  if (route.segments.size() != path.size()) return std::nullopt;
  RouteParams params;
  rank.clear();
  for (std::size_t i = 0; i < path.size(); ++i) {
    const auto& segment = route.segments[i];
    if (is_parameter(segment)) {
      if (path[i].empty()) return std::nullopt;
      params.add(segment.substr(1, segment.size() - 2), std::string(path[i]));
      rank.push_back(false);
    } else {
      if (segment != path[i]) return std::nullopt;
      rank.push_back(true);
    }
  }
  return params;
}

bool answers(const Route& route, std::string_view method) {
  return route.method == method || (method == "HEAD" && route.method == "GET");
}

}  // namespace

void RouteParams::add(std::string name, std::string value) {
  values_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> RouteParams::find(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

const std::string& RouteParams::at(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  throw std::out_of_range("no route parameter " + std::string(name));
}

Router& Router::add(std::string_view method, std::string_view pattern, Handler handler,
                    Execution execution) {
  AsyncHandler adapter = [handler = std::move(handler)](const Request& request,
                                                        const RouteParams& params, Reply reply) {
    reply(handler(request, params));
  };
  return add_route(Route{std::string(method), std::string(pattern), parse_pattern(pattern),
                         std::move(adapter), execution, FastPath()});
}

Router& Router::add(std::string_view method, std::string_view pattern, Handler handler,
                    FastPath fast) {
  add(method, pattern, std::move(handler), Execution::worker_pool);
  routes_.back().fast = std::move(fast);
  return *this;
}

Router& Router::add_async(std::string_view method, std::string_view pattern, AsyncHandler handler) {
  return add_route(Route{std::string(method), std::string(pattern), parse_pattern(pattern),
                         std::move(handler), Execution::io_thread, FastPath()});
}

Router& Router::add_route(Route route) {
  const bool upper =
      !route.method.empty() && std::all_of(route.method.begin(), route.method.end(),
                                           [](char c) { return c >= 'A' && c <= 'Z'; });
  if (!upper) throw std::invalid_argument("method must be upper case: " + route.method);
  for (const auto& existing : routes_) {
    if (existing.method != route.method || existing.segments.size() != route.segments.size()) {
      continue;
    }
    // Same literals in the same places, parameters anywhere: the two can never be told apart.
    bool same = true;
    for (std::size_t i = 0; i < route.segments.size(); ++i) {
      const bool both_parameters =
          is_parameter(existing.segments[i]) && is_parameter(route.segments[i]);
      if (!both_parameters && existing.segments[i] != route.segments[i]) same = false;
    }
    if (same) throw std::invalid_argument("duplicate route " + route.method + " " + route.pattern);
  }
  routes_.push_back(std::move(route));
  return *this;
}

Router& Router::allow_body(std::string_view method, std::string_view pattern, std::uint64_t bytes) {
  for (Route& route : routes_) {
    if (route.method == method && route.pattern == pattern) {
      route.body_limit = bytes;
      largest_body_limit_ = std::max(largest_body_limit_, bytes);
      return *this;
    }
  }
  throw std::invalid_argument("no route " + std::string(method) + " " + std::string(pattern));
}

Router& Router::spool_body(std::string_view method, std::string_view pattern) {
  for (Route& route : routes_) {
    if (route.method == method && route.pattern == pattern) {
      route.spool_body = true;
      return *this;
    }
  }
  throw std::invalid_argument("no route " + std::string(method) + " " + std::string(pattern));
}

const Route* Router::find(std::string_view method, std::string_view path) const {
  const RouteMatch found = match(method, path);
  const auto* route = std::get_if<RouteFound>(&found);
  return route != nullptr ? route->route : nullptr;
}

std::uint64_t Router::body_limit(std::string_view method, std::string_view path) const {
  const RouteMatch found = match(method, path);
  const auto* route = std::get_if<RouteFound>(&found);
  return route != nullptr ? route->route->body_limit : 0;
}

bool Router::has(std::string_view method, std::string_view pattern) const {
  return std::any_of(routes_.begin(), routes_.end(), [&](const Route& route) {
    return route.method == method && route.pattern == pattern;
  });
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  const auto segments = split_path(path);
  const Route* best = nullptr;
  std::optional<RouteParams> best_params;
  std::vector<bool> best_rank;
  const Route* best_other = nullptr;  // best template for the path under another method
  std::vector<bool> other_rank;
  std::vector<std::string> allow;
  std::vector<bool> rank;
  for (const auto& route : routes_) {
    auto params = fit(route, segments, rank);
    if (!params) continue;
    if (answers(route, method)) {
      // An explicit HEAD route beats the GET one that also answers HEAD.
      const bool exact_tie = best != nullptr && rank == best_rank && route.method == method;
      if (best == nullptr || rank > best_rank || exact_tie) {
        best = &route;
        best_params = std::move(params);
        best_rank = rank;
      }
    } else {
      if (best_other == nullptr || rank > other_rank) {
        best_other = &route;
        other_rank = rank;
      }
      allow.push_back(route.method);
      if (route.method == "GET") allow.emplace_back("HEAD");
    }
  }
  if (best != nullptr) return RouteFound{best, std::move(*best_params)};
  if (best_other != nullptr) {
    std::sort(allow.begin(), allow.end());
    allow.erase(std::unique(allow.begin(), allow.end()), allow.end());
    return RouteMethodNotAllowed{best_other->pattern, std::move(allow)};
  }
  return RouteNotFound{};
}

std::string allow_header(const std::vector<std::string>& methods) {
  std::string header;
  for (const auto& method : methods) {
    if (!header.empty()) header += ", ";
    header += method;
  }
  return header;
}

}  // namespace investflow::web
