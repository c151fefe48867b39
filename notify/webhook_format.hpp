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
// The robots refuse markdown above this many bytes (UTF-8): WeCom documents 4,096 bytes for
// markdown.content; DingTalk's markdown.text is held to 20,000 bytes.
inline constexpr std::size_t kWecomMaxBytes = 4096;
inline constexpr std::size_t kDingtalkMaxBytes = 20000;
std::size_t chat_max_bytes(WebhookFormat format);  // 0 for json (no limit)

std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string to_hex(std::string_view bytes);
std::string base64(std::string_view bytes);
std::string url_encode(std::string_view text);  // RFC 3986 unreserved kept, others %XX

// "sha256=<hex>" of the body.
std::string signature_header_value(std::string_view secret, std::string_view body);
// The DingTalk URL with its timestamp and sign parameters (unchanged without a secret).
std::string dingtalk_signed_url(std::string_view url, std::string_view secret,
                                engine::Timestamp now_ms);

// Chat robot markdown, in pieces a single message and a digest of many share.
//
// Text from people (project names, comments, user ids, labels) shown as it was typed: the
// characters WeCom's and DingTalk's markdown would read as markup ([ ] < > * _ # ` ~ | \)
// become their full-width forms (［ ］ ＜ ＞ ＊ ＿ ＃ ｀ ～ ｜ ＼), which look the same to a reader
// and which no markdown or HTML parser takes for syntax; line breaks and tabs become
// spaces, so a value never starts a line (no heading, quote or list).
std::string chat_text(std::string_view text);
// The message's title as chat markdown (escaped; WeCom shows 【逾期】 in its warning colour).
std::string chat_title(const Message& message, WebhookFormat format);
// One line about the message, for digests: title · actor · time (China) · 事件编号 N.
std::string chat_line(const Message& message, WebhookFormat format);
// The closing lines every chat message keeps: the event number, and the link when known.
std::string chat_footer(const Message& message);
// `body` + `footer` within `limit` bytes: when too long, the end of `body` is cut on a
// UTF-8 character boundary and "…" marks the cut; `footer` is always kept whole.
std::string chat_fit(std::string_view body, std::string_view footer, std::size_t limit);

std::string json_body(const Message& message);
std::string wecom_body(const Message& message);
std::string dingtalk_body(const Message& message);
std::string body_for(WebhookFormat format, const Message& message);

// Several events in one chat-robot message: what a robot gets beyond its rate limit, and
// what a bulk operation's events become (notify/dispatcher.hpp). A heading, then one
// chat_line per event, oldest first; the lines that would pass the robot's limit
// (chat_max_bytes) are left out and counted, with the range of their event numbers.
struct Digest {
  std::string heading_zh;  // "另有 37 条动态", "批量操作：共 500 条动态"
  std::vector<Message> messages;
};
std::string digest_markdown(const Digest& digest, WebhookFormat format);
// The body for a wecom or dingtalk robot (json webhooks get no digests).
std::string digest_body(WebhookFormat format, const Digest& digest);

}  // namespace investflow::notify
