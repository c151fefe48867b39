#pragma once
// What a webhook receiver gets: the request body for each format, and the signatures.
//
//   json      {"event_id", "type", "project": {"id","name","workflow"}, "from", "to",
//              "transition", "actor", "at", "triggers", "title": {"zh","en"}, "event"}
//             with `at` and `event` in the wire form (storage/wire_json.hpp)
//             signed: X-Investflow-Signature: sha256=<hex HMAC-SHA256(secret, body)>
//   wecom     WeCom (企业微信) group robot: {"msgtype":"markdown","markdown":{"content"}}
//             (developer.work.weixin.qq.com/document/path/91770; content <= 4096 bytes)
//   dingtalk  DingTalk (钉钉) custom robot: {"msgtype":"markdown","markdown":{"title","text"}}
//             with &timestamp=<ms>&sign=<urlencode(base64(HMAC-SHA256(secret,
//             timestamp + "\n" + secret)))> added to the URL when a secret is set
//             (open.dingtalk.com/document/robots/customize-robot-security-settings)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/date.hpp"
#include "engine/names.hpp"
#include "notify/message.hpp"

namespace investflow::notify {

enum class WebhookFormat { json, wecom, dingtalk };
inline constexpr engine::EnumName<WebhookFormat> kWebhookFormatNames[] = {
    {WebhookFormat::json, "json"},
    {WebhookFormat::wecom, "wecom"},
    {WebhookFormat::dingtalk, "dingtalk"},
};
static_assert(engine::in_order(kWebhookFormatNames));
std::string_view webhook_format_name(WebhookFormat format);
std::optional<WebhookFormat> parse_webhook_format(std::string_view name);

// The header that carries the generic format's signature.
inline constexpr std::string_view kSignatureHeader = "X-Investflow-Signature";
// WeCom refuses markdown content above this many bytes.
inline constexpr std::size_t kWecomMaxBytes = 4096;

std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string to_hex(std::string_view bytes);
std::string base64(std::string_view bytes);
std::string url_encode(std::string_view text);  // RFC 3986 unreserved kept, others %XX

// "sha256=<hex>" of the body.
std::string signature_header_value(std::string_view secret, std::string_view body);
// The DingTalk URL with its timestamp and sign parameters (unchanged without a secret).
std::string dingtalk_signed_url(std::string_view url, std::string_view secret,
                                engine::Timestamp now_ms);

std::string json_body(const Message& message);
std::string wecom_body(const Message& message);
std::string dingtalk_body(const Message& message);
std::string body_for(WebhookFormat format, const Message& message);

// Several events in one chat-robot message: what a robot gets beyond its rate limit, and
// what a bulk operation's events become (notify/dispatcher.hpp). A heading, then one line
// per event, oldest first, each with its event number; the lines that would pass the size
// limit are left out and counted, with the range of their event numbers.
struct Digest {
  std::string heading_zh;  // "另有 37 条动态", "批量操作：共 500 条动态"
  std::vector<Message> messages;
};
// Both robots get at most this many bytes of markdown in a digest (WeCom's limit;
// DingTalk's is larger).
inline constexpr std::size_t kDigestMaxBytes = kWecomMaxBytes;
std::string digest_markdown(const Digest& digest);
// The body for a wecom or dingtalk robot (json webhooks get no digests).
std::string digest_body(WebhookFormat format, const Digest& digest);

}  // namespace investflow::notify
