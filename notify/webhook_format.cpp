#include "notify/webhook_format.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <boost/json.hpp>
#include <cctype>

#include "engine/notify_trigger.hpp"
#include "storage/codec.hpp"
#include "storage/wire_json.hpp"

namespace investflow::notify {
namespace json = boost::json;

namespace {

std::string markdown_escape_line(std::string text) {
  // Chat markdown: a newline inside a value would start a new block.
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

// The shared Chinese markdown of both chat robots.
std::string chat_markdown(const Message& message, bool wecom) {
  const bool urgent = message.title_zh.starts_with("【逾期】");
  std::string text = "### ";
  if (wecom) {
    text += urgent ? "<font color=\"warning\">" + markdown_escape_line(message.title_zh) + "</font>"
                   : markdown_escape_line(message.title_zh);
  } else {
    text += markdown_escape_line(message.title_zh);
  }
  text +=
      "\n> 项目：" + markdown_escape_line(message.project_name) + "（" + message.project_id + "）";
  if (!message.from.empty() && !message.to.empty()) {
    text += "\n> 阶段：" + message.from + " → " + message.to;
  }
  if (!message.actor.empty()) text += "\n> 操作人：" + markdown_escape_line(message.actor);
  text += "\n> 时间：" + engine::format_timestamp(message.at).substr(0, 19);
  if (!message.detail_zh.empty()) text += "\n> " + markdown_escape_line(message.detail_zh);
  text += "\n\n事件编号：" + std::to_string(message.event_id);
  return text;
}

// Cuts UTF-8 text to at most `limit` bytes without splitting a character.
std::string utf8_truncate(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  text.resize(end);
  return text;
}

}  // namespace

std::string_view webhook_format_name(WebhookFormat format) {
  return engine::name_in(kWebhookFormatNames, format);
}

std::optional<WebhookFormat> parse_webhook_format(std::string_view name) {
  return engine::value_named(kWebhookFormatNames, name);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &length);
  return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0F];
  }
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string url_encode(std::string_view text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kDigits[byte >> 4];
      out += kDigits[byte & 0x0F];
    }
  }
  return out;
}

std::string signature_header_value(std::string_view secret, std::string_view body) {
  return "sha256=" + to_hex(hmac_sha256(secret, body));
}

std::string dingtalk_signed_url(std::string_view url, std::string_view secret,
                                engine::Timestamp now_ms) {
  if (secret.empty()) return std::string(url);
  const std::string timestamp = std::to_string(now_ms);
  const std::string to_sign = timestamp + "\n" + std::string(secret);
  const std::string sign = url_encode(base64(hmac_sha256(secret, to_sign)));
  const char separator = url.find('?') == std::string_view::npos ? '?' : '&';
  return std::string(url) + separator + "timestamp=" + timestamp + "&sign=" + sign;
}

std::string json_body(const Message& message) {
  json::array triggers;
  for (const engine::NotifyTrigger& trigger : message.triggers)
    triggers.emplace_back(engine::trigger_name(trigger));
  // The message keeps the canonical event; receivers get its wire form like every client.
  json::value event = nullptr;
  if (auto decoded = storage::decode_event(message.event_json)) {
    event = storage::event_to_wire(*decoded);
  }
  const auto optional = [](const std::string& text) -> json::value {
    return text.empty() ? json::value(nullptr) : json::value(text);
  };
  json::object body{{"event_id", message.event_id},
                    {"type", message.type},
                    {"project", json::object{{"id", message.project_id},
                                             {"name", message.project_name},
                                             {"workflow", message.workflow}}},
                    {"from", optional(message.from)},
                    {"to", optional(message.to)},
                    {"transition", optional(message.transition)},
                    {"actor", message.actor},
                    {"at", storage::wire_timestamp(message.at)},
                    {"triggers", std::move(triggers)},
                    {"title", json::object{{"zh", message.title_zh}, {"en", message.title_en}}},
                    {"event", std::move(event)}};
  return storage::canonical_json(body);
}

std::string wecom_body(const Message& message) {
  json::object body{
      {"msgtype", "markdown"},
      {"markdown",
       json::object{{"content", utf8_truncate(chat_markdown(message, true), kWecomMaxBytes)}}}};
  return json::serialize(body);
}

std::string dingtalk_body(const Message& message) {
  json::object body{{"msgtype", "markdown"},
                    {"markdown", json::object{{"title", message.title_zh},
                                              {"text", chat_markdown(message, false)}}}};
  return json::serialize(body);
}

std::string digest_markdown(const Digest& digest) {
  std::string text = "### " + markdown_escape_line(digest.heading_zh);
  // Room kept for the closing line about what was left out.
  constexpr std::size_t kReserve = 160;
  std::size_t listed = 0;
  for (const Message& message : digest.messages) {
    const std::string line = "\n- " + markdown_escape_line(message.title_zh) + "（事件编号 " +
                             std::to_string(message.event_id) + "）";
    if (text.size() + line.size() + kReserve > kDigestMaxBytes) break;
    text += line;
    ++listed;
  }
  if (listed < digest.messages.size()) {
    text += "\n\n……另有 " + std::to_string(digest.messages.size() - listed) +
            " 条未列出（事件编号 " + std::to_string(digest.messages[listed].event_id) + "–" +
            std::to_string(digest.messages.back().event_id) + "）";
  }
  return text;
}

std::string digest_body(WebhookFormat format, const Digest& digest) {
  const std::string text = digest_markdown(digest);
  if (format == WebhookFormat::dingtalk) {
    return json::serialize(
        json::object{{"msgtype", "markdown"},
                     {"markdown", json::object{{"title", digest.heading_zh}, {"text", text}}}});
  }
  return json::serialize(
      json::object{{"msgtype", "markdown"}, {"markdown", json::object{{"content", text}}}});
}

std::string body_for(WebhookFormat format, const Message& message) {
  switch (format) {
    case WebhookFormat::json:
      return json_body(message);
    case WebhookFormat::wecom:
      return wecom_body(message);
    case WebhookFormat::dingtalk:
      return dingtalk_body(message);
  }
  return json_body(message);
}

}  // namespace investflow::notify
