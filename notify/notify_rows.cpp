#include "notify/notify_rows.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <climits>
#include <stdexcept>

#include "engine/notify_trigger.hpp"
#include "storage/codec.hpp"

namespace investflow::notify::rows {
namespace json = boost::json;

std::vector<std::string> strings_from(const std::string& text) {
  std::vector<std::string> out;
  auto parsed = storage::parse_json(text);
  if (!parsed || !parsed->is_array()) return out;
  for (const auto& item : parsed->get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

std::string strings_to(const std::vector<std::string>& items) {
  json::array array;
  for (const auto& item : items)
    array.emplace_back(item);
  return storage::canonical_json(array);
}

engine::Event event_from(const std::string& payload) {
  auto event = storage::decode_event(payload);
  if (!event) throw std::runtime_error("unreadable event: " + event.error().to_string());
  return std::move(*event);
}

DeliveryStatus delivery_status(std::string_view name) {
  return engine::value_named(kDeliveryStatusNames, name).value_or(DeliveryStatus::dead);
}

std::string stored_secret(const SecretBox* secrets, const std::string& secret) {
  return secrets && !secret.empty() ? secrets->seal(secret) : secret;
}

void open_secret(Webhook& webhook, const SecretBox* secrets) {
  if (!is_sealed(webhook.secret)) return;
  if (!secrets) {
    webhook.secret.clear();
    webhook.secret_error = "the webhook's secret is sealed, and no secret key was given";
    return;
  }
  auto plain = secrets->unseal(webhook.secret);
  webhook.secret = plain ? std::move(*plain) : std::string();
  if (!plain) webhook.secret_error = std::move(plain.error());
}

storage::Error no_secret_key() {
  return storage::Error{storage::Error::Kind::storage,
                        "no secret key to seal webhook secrets with"};
}

std::string digest_key(engine::Timestamp at) {
  return "digest:" + engine::local_date(at).to_string();
}

std::string digest_title_zh(engine::Timestamp at, std::int64_t count) {
  return engine::local_date(at).to_string() + " 时限提醒汇总：共 " + std::to_string(count) + " 条";
}

std::string digest_title_en(engine::Timestamp at, std::int64_t count) {
  return "Deadline alerts of " + engine::local_date(at).to_string() + ": " + std::to_string(count);
}

bool held_for_digest(std::string_view type, std::string_view deadlines) {
  return type == kDigestedEventType && deadlines == kDeadlinesDigest;
}

bool takes_event(const Webhook& webhook, std::string_view type, const std::string& payload) {
  return webhook_matches(webhook.events, type, engine::triggers_of(event_from(payload)));
}

bool takes_routed(const Webhook& webhook) {
  return std::any_of(webhook.events.begin(), webhook.events.end(),
                     [](const engine::EventFilter& filter) {
                       return filter.kind == engine::EventFilter::Kind::notify;
                     });
}

bool mentioned(const std::vector<std::string>& triggers) {
  return std::find(triggers.begin(), triggers.end(), "mentioned") != triggers.end();
}

std::int64_t page_before(const std::string& cursor) {
  return cursor.empty() ? INT64_MAX : std::stoll(cursor);
}

void close_page(NotificationPage& page, int limit) {
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.resize(static_cast<std::size_t>(limit));
    page.next_cursor = std::to_string(page.items.back().id);
  }
}

}  // namespace investflow::notify::rows
