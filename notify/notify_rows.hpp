#pragma once
// What both NotifyStore implementations (SqliteNotifyStore, notify_store.cpp, and
// PgNotifyStore, pg_notify_store.cpp) do the same way whatever their SQL: the JSON of
// trigger, recipient and filter names in the tables, events from their payloads, webhook
// secrets sealed and unsealed, the daily digest's key and titles, which events a webhook's
// fan-out takes, a notification page's cursor. One place for each rule; the stores only
// move values between these and their rows.

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/date.hpp"
#include "engine/event.hpp"
#include "notify/notify_store.hpp"
#include "notify/secret_box.hpp"

namespace investflow::notify::rows {

// Why an outbox row was settled without notifying anyone, and a delivery buried.
inline constexpr std::string_view kSkippedHistorical =
    "skipped: historical event (seeded or imported)";
inline constexpr std::string_view kWebhookDeleted = "webhook deleted";

// A JSON array of strings; an unreadable text or a non-string item reads as nothing.
std::vector<std::string> strings_from(const std::string& text);
std::string strings_to(const std::vector<std::string>& items);

// A JSON array of trigger, recipient or filter names, read with the vocabulary's reader
// (engine/notify_trigger.hpp); a name it does not know is left out.
template <typename Parse>
auto names_from(const std::string& text, Parse parse) {
  std::vector<typename std::invoke_result_t<Parse, std::string_view>::value_type> out;
  for (const std::string& name : strings_from(text)) {
    if (auto item = parse(name)) out.push_back(std::move(*item));
  }
  return out;
}

// The reverse of names_from, with the vocabulary's namer.
template <typename T, typename Name>
std::string names_to(const std::vector<T>& items, Name name) {
  std::vector<std::string> names;
  names.reserve(items.size());
  for (const T& item : items)
    names.push_back(name(item));
  return strings_to(names);
}

// An event from its stored payload; throws (a storage error) when it cannot be read.
engine::Event event_from(const std::string& payload);

// Only the names of kDeliveryStatusNames are written; anything else reads as dead.
DeliveryStatus delivery_status(std::string_view name);

// A webhook secret as stored: sealed when there is a SecretBox (and a secret), else as given.
std::string stored_secret(const SecretBox* secrets, const std::string& secret);
// The reverse, in place: `webhook.secret` holds the stored text and becomes the plain
// secret, or empty with Webhook::secret_error set when it cannot be unsealed.
void open_secret(Webhook& webhook, const SecretBox* secrets);
// seal_plain_secrets without a SecretBox.
storage::Error no_secret_key();

// The day's digest of held deadline alerts for a user: its notice key, and its titles
// once it counts `count` alerts.
std::string digest_key(engine::Timestamp at);
std::string digest_title_zh(engine::Timestamp at, std::int64_t count);
std::string digest_title_en(engine::Timestamp at, std::int64_t count);
// Whether an inbox entry of `type` for a user who chose `deadlines` is held for the digest.
bool held_for_digest(std::string_view type, std::string_view deadlines);

// Fan-out: whether the webhook takes an event by its own filter (type and triggers of the
// payload), and whether it has a `notify` filter (then an event the workflow's rules routed
// to the webhook channel, which the outbox says, is taken too).
bool takes_event(const Webhook& webhook, std::string_view type, const std::string& payload);
bool takes_routed(const Webhook& webhook);

// A comment notification's triggers: whether the user was mentioned in it (我的待办) rather
// than told by a rule.
bool mentioned(const std::vector<std::string>& triggers);

// Notification pages: the id to read below (the cursor, or all), and the page cut to
// `limit` items with the next cursor when a row past them was read (limit + 1 are read).
std::int64_t page_before(const std::string& cursor);
void close_page(NotificationPage& page, int limit);

}  // namespace investflow::notify::rows
