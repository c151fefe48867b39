#include "notify/webhook_format.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <boost/json.hpp>
#include <cctype>

#include "engine/notify_trigger.hpp"
#include "storage/codec.hpp"
#include "storage/field_text.hpp"
#include "storage/wire_json.hpp"

namespace investflow::notify {
namespace json = boost::json;

namespace {

// Cuts UTF-8 text to at most `limit` bytes without splitting a character.
std::string_view utf8_prefix(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return text.substr(0, end);
}

constexpr std::string_view kOverdueMarker = "【逾期】";

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

std::size_t chat_max_bytes(WebhookFormat format) {
  switch (format) {
    case WebhookFormat::wecom:
      return kWecomMaxBytes;
    case WebhookFormat::dingtalk:
      return kDingtalkMaxBytes;
    case WebhookFormat::json:
      break;
  }
  return 0;
}

std::string chat_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // U+0085, U+2028 and U+2029 end lines too.
    if (text.substr(i, 2) == "\xC2\x85") {
      out += ' ';
      ++i;
      continue;
    }
    if (text.substr(i, 3) == "\xE2\x80\xA8" || text.substr(i, 3) == "\xE2\x80\xA9") {
      out += ' ';
      i += 2;
      continue;
    }
    switch (c) {
      case '\n':
      case '\r':
      case '\t':
      case '\v':
      case '\f':
        out += ' ';
        break;
      case '\0':
        break;
      case '[':
        out += "［";
        break;
      case ']':
        out += "］";
        break;
      case '<':
        out += "＜";
        break;
      case '>':
        out += "＞";
        break;
      case '*':
        out += "＊";
        break;
      case '_':
        out += "＿";
        break;
      case '#':
        out += "＃";
        break;
      case '`':
        out += "｀";
        break;
      case '~':
        out += "～";
        break;
      case '|':
        out += "｜";
        break;
      case '\\':
        out += "＼";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string chat_title(const Message& message, WebhookFormat format) {
  std::string_view title = message.title_zh;
  std::string marker;
  if (title.starts_with(kOverdueMarker)) {
    title.remove_prefix(kOverdueMarker.size());
    marker = format == WebhookFormat::wecom
                 ? "<font color=\"warning\">" + std::string(kOverdueMarker) + "</font>"
                 : std::string(kOverdueMarker);
  }
  return marker + chat_text(title);
}

std::string chat_line(const Message& message, WebhookFormat format) {
  std::string line = chat_title(message, format);
  if (!message.actor.empty()) line += " · " + chat_text(message.actor);
  line += " · " + storage::timestamp_text(message.at);
  line += " · 事件编号 " + std::to_string(message.event_id);
  return line;
}

std::string chat_footer(const Message& message) {
  std::string footer = "事件编号：" + std::to_string(message.event_id);
  // A link is ours (the console's address), never a person's text; brackets and spaces in it
  // would end the markdown link early, so they are percent-encoded.
  if (!message.link.empty()) {
    std::string target;
    for (const char c : message.link) {
      switch (c) {
        case ' ':
          target += "%20";
          break;
        case '(':
          target += "%28";
          break;
        case ')':
          target += "%29";
          break;
        case '<':
          target += "%3C";
          break;
        case '>':
          target += "%3E";
          break;
        default:
          if (static_cast<unsigned char>(c) >= 0x20) target += c;
      }
    }
    footer += "\n[查看项目](" + target + ")";
  }
  return footer;
}

std::string chat_fit(std::string_view body, std::string_view footer, std::size_t limit) {
  static constexpr std::string_view kEllipsis = "…";
  if (body.size() + footer.size() <= limit) return std::string(body) + std::string(footer);
  const std::size_t room =
      limit > footer.size() + kEllipsis.size() ? limit - footer.size() - kEllipsis.size() : 0;
  return std::string(utf8_prefix(body, room)) + std::string(kEllipsis) + std::string(footer);
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

namespace {

// The markdown both chat robots get: the title, the project, the stage (labels), who, when,
// the detail; then the footer. Cut to the platform's limit, keeping the footer.
std::string chat_markdown(const Message& message, WebhookFormat format) {
  std::string text = "### " + chat_title(message, format);
  text +=
      "\n> 项目：" + chat_text(message.project_name) + "（" + chat_text(message.project_id) + "）";
  if (!message.to.empty()) {
    const std::string to =
        chat_text(message.to_label.zh.empty() ? message.to : message.to_label.zh);
    if (message.from.empty()) {
      text += "\n> 阶段：" + to;
    } else {
      text += "\n> 阶段：" +
              chat_text(message.from_label.zh.empty() ? message.from : message.from_label.zh) +
              " → " + to;
    }
  }
  if (!message.actor.empty()) text += "\n> 操作人：" + chat_text(message.actor);
  text += "\n> 时间：" + storage::timestamp_text(message.at);
  if (!message.detail_zh.empty()) text += "\n> " + chat_text(message.detail_zh);
  return chat_fit(text, "\n\n" + chat_footer(message), chat_max_bytes(format));
}

}  // namespace

std::string wecom_body(const Message& message) {
  json::object body{
      {"msgtype", "markdown"},
      {"markdown", json::object{{"content", chat_markdown(message, WebhookFormat::wecom)}}}};
  return json::serialize(body);
}

std::string dingtalk_body(const Message& message) {
  // The title is what the chat list shows: plain text, one line.
  std::string title = message.title_zh;
  for (char& c : title) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  json::object body{
      {"msgtype", "markdown"},
      {"markdown", json::object{{"title", chat_fit(title, "", 200)},
                                {"text", chat_markdown(message, WebhookFormat::dingtalk)}}}};
  return json::serialize(body);
}

std::string digest_markdown(const Digest& digest, WebhookFormat format) {
  const std::size_t limit = chat_max_bytes(format);
  std::string text = "### " + chat_text(digest.heading_zh);
  // Room kept for the closing line about what was left out.
  constexpr std::size_t kReserve = 160;
  std::size_t listed = 0;
  for (const Message& message : digest.messages) {
    const std::string line = "\n- " + chat_line(message, format);
    if (text.size() + line.size() + kReserve > limit) break;
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
  const std::string text = digest_markdown(digest, format);
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
