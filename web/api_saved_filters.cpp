#include "web/api_saved_filters.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>

#include "engine/date.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;

// The list's query parameters a filter may hold (GET /api/projects), paging aside.
constexpr std::array<std::string_view, 15> kListParams = {"workflow",
                                                          "state",
                                                          "industry",
                                                          "owner",
                                                          "q",
                                                          "overdue",
                                                          "sort",
                                                          "parent",
                                                          "responsible_unit",
                                                          "problem_category",
                                                          "parent_promoting_unit",
                                                          "figure",
                                                          "from",
                                                          "to",
                                                          "promoting_unit"};
constexpr std::size_t kMostNameCharacters = 40;
constexpr std::size_t kMostValueBytes = 200;

std::size_t characters(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

json::object filter_json(const storage::SavedFilter& filter) {
  boost::system::error_code error;
  json::value params = json::parse(filter.params, error);
  if (error || !params.is_object()) params = json::object{};
  return json::object{{"id", filter.id},
                      {"name", filter.name},
                      {"params", std::move(params)},
                      {"updated_at", engine::format_timestamp(filter.updated_at)}};
}

// The parameters as stored: known names only, strings, empty ones left out.
Parsed<std::string> params_text(const json::object& body) {
  const json::value* raw = body.if_contains("params");
  const json::object* params = raw != nullptr ? raw->if_object() : nullptr;
  if (params == nullptr) {
    return engine::fail(bad_request({"params 应为列表查询参数的对象",
                                     "params must be an object of the list's query parameters"},
                                    {FieldError{"params", {"应为对象", "expected an object"}}},
                                    "invalid_type"));
  }
  json::object kept;
  for (const json::key_value_pair& member : *params) {
    const std::string name(member.key().data(), member.key().size());
    const json::value& value = member.value();
    const std::string where = "params." + name;
    if (std::find(kListParams.begin(), kListParams.end(), name) == kListParams.end()) {
      return engine::fail(bad_request(
          {"“" + name + "”不是列表的筛选条件", "'" + name + "' is no filter of the list"},
          {FieldError{where, {"未知的列表参数", "unknown list parameter"}}}, "invalid_field"));
    }
    if (!value.is_string() || value.get_string().size() > kMostValueBytes) {
      return engine::fail(bad_request(
          {where + " 应为不超过 " + std::to_string(kMostValueBytes) + " 字节的文字",
           where + " must be a string of at most " + std::to_string(kMostValueBytes) + " bytes"},
          {FieldError{where, {"应为较短的文字", "expected a short string"}}}, "invalid_type"));
    }
    if (!value.get_string().empty()) kept[name] = value;
  }
  return json::serialize(kept);
}

engine::Rejection refusal(std::string field, std::string zh, std::string en) {
  engine::Rejection refused;
  refused.reasons.push_back(
      {"invalid_field", std::move(field), engine::LocalizedText{std::move(zh), std::move(en)}});
  return refused;
}

}  // namespace

Response list_saved_filters(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  auto filters = context.auth.saved_filters(caller->user.id);
  if (!filters) return storage_failure(filters.error(), request);
  json::array list;
  for (const auto& filter : *filters)
    list.push_back(filter_json(filter));
  return json_body(200, json::object{{"filters", std::move(list)}});
}

Response save_filter(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  auto body = parse_object(request);
  if (!body) return problem(request, body.error());
  auto raw_name = string_member(*body, "name", true);
  if (!raw_name) return problem(request, raw_name.error());
  auto params = params_text(*body);
  if (!params) return problem(request, params.error());
  const std::string name = trimmed(*raw_name);
  const std::string_view lang = language(request);
  if (name.empty()) {
    return rejection(refusal("name", "请填写筛选名称", "name the filter"), lang);
  }
  if (characters(name) > kMostNameCharacters) {
    const std::string most = std::to_string(kMostNameCharacters);
    return rejection(refusal("name", "筛选名称不能超过" + most + "个字",
                             "a filter's name has at most " + most + " characters"),
                     lang);
  }
  auto saved = context.auth.save_filter(caller->user.id, name, *params);
  if (!saved) {
    if (saved.error().kind != storage::Error::Kind::invalid_request) {
      return storage_failure(saved.error(), request);
    }
    const std::string most = std::to_string(storage::kMostSavedFilters);
    return rejection(refusal("name", "每人最多保存" + most + "个筛选，请先删除不用的",
                             "at most " + most + " saved filters per user: delete one first"),
                     lang);
  }
  return json_body(200, filter_json(*saved));
}

Response delete_saved_filter(ApiContext& context, const Request& request,
                             const RouteParams& params) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string& text = params.at("id");
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size()) {
    return problem(request,
                   not_found({"没有已存筛选“" + text + "”", "no saved filter '" + text + "'"},
                             "no_such_filter"));
  }
  auto removed = context.auth.delete_filter(caller->user.id, id);
  if (!removed) return storage_failure(removed.error(), request);
  if (!*removed)
    return problem(request,
                   not_found({"没有已存筛选“" + text + "”", "no saved filter '" + text + "'"},
                             "no_such_filter"));
  return empty_response(204);
}

}  // namespace investflow::web::api
