// Webhook bodies and signatures against their documented forms: the generic JSON with its
// HMAC header, the WeCom group robot's markdown message (msgtype markdown, content of at
// most 4096 bytes), and the DingTalk robot's markdown (title and text) with the
// timestamp + sign URL parameters (HMAC-SHA256 of "timestamp\nsecret", Base64, URL-encoded).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "notify/dispatcher.hpp"
#include "notify/message.hpp"
#include "notify/webhook_format.hpp"
#include "tests/notify/notify_test_support.hpp"
#include "tests/support/wire_shapes.hpp"

namespace investflow::notify::testing {
namespace {

namespace json = boost::json;

// Project P-7's event `version`, by zhang at 10:00 on 2026-02-10.
Message message_of(std::int64_t event_id, std::int64_t version,
                   decltype(engine::Event::body) body) {
  const engine::Event event{"P-7", version, at_ten(2026, 2, 10), "zhang", std::move(body)};
  const auto workflow = timers_workflow();
  return make_message(event_id, event, workflow.get(), "高性能膜材料项目");
}

engine::TransitionTaken lead_to_signed(std::string comment) {
  engine::TransitionTaken taken;
  taken.transition = "sign";
  taken.from = "lead";
  taken.to = "signed";
  taken.comment = std::move(comment);
  return taken;
}

Message transition_message() {
  return message_of(42, 3, lead_to_signed("签约仪式已完成"));
}

TEST(WebhookFormat, HmacMatchesRfc4231) {
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(signature_header_value("whsec", R"({"a":1})"),
            "sha256=19373ef0e8c66f206e49d251e4402291615bbce6ef00922e94a47a213fb76ee1");
}

TEST(WebhookFormat, DingtalkSignIsTheDocumentedOne) {
  // Reference value from DingTalk's documented Python recipe:
  // quote_plus(b64encode(hmac.new(secret, f"{ts}\n{secret}", sha256).digest()))
  const std::string url =
      dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc",
                          "SEC0123456789abcdef", 1767225600000);
  EXPECT_EQ(url,
            "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1767225600000"
            "&sign=B0RWzLp5DJ68eWPlqN2is7j%2FCJw7WP3nV1RkTFHU%2BF4%3D");
  EXPECT_EQ(dingtalk_signed_url("https://x/robot", "", 1), "https://x/robot");
}

TEST(WebhookFormat, GenericJsonCarriesTheEventAndItsId) {
  const Message message = transition_message();
  const auto body = json::parse(json_body(message)).as_object();
  EXPECT_EQ(body.at("event_id").as_int64(), 42);
  EXPECT_EQ(body.at("type").as_string(), "transition_taken");
  EXPECT_EQ(body.at("project").at("id").as_string(), "P-7");
  EXPECT_EQ(body.at("project").at("name").as_string(), "高性能膜材料项目");
  EXPECT_EQ(body.at("from").as_string(), "lead");
  EXPECT_EQ(body.at("to").as_string(), "signed");
  EXPECT_EQ(body.at("actor").as_string(), "zhang");
  EXPECT_EQ(body.at("at").as_string(), "2026-02-10T10:00:00.000+08:00");
  EXPECT_EQ(body.at("title").at("zh").as_string(), "项目“高性能膜材料项目”：线索 → 已签约");
  EXPECT_EQ(body.at("event").at("version").as_int64(), 3);
  EXPECT_EQ(body.at("event").at("at").as_string(), "2026-02-10T10:00:00.000+08:00");
  wire_testing::expect_wire_shapes(body);
}

// The event goes out in the wire form, like every response: a date field's change is
// "YYYY-MM-DD", not the stored {"date": ...}.
TEST(WebhookFormat, GenericJsonEventHasPlainFieldValues) {
  engine::FieldsEdited edited;
  edited.changes = {{"registered_on", engine::Value::date(*engine::Date::parse("2026-02-09")),
                     engine::Value::date(*engine::Date::parse("2026-02-10"))}};
  const auto body = json::parse(json_body(message_of(43, 4, edited)));
  wire_testing::expect_wire_shapes(body);
  const auto& change = body.at("event").at("body").at("changes").at(0);
  EXPECT_EQ(change.at("before").as_string(), "2026-02-09");
  EXPECT_EQ(change.at("after").as_string(), "2026-02-10");
}

TEST(WebhookFormat, WecomMarkdownMessage) {
  const auto body = json::parse(wecom_body(transition_message())).as_object();
  EXPECT_EQ(body.size(), 2u);
  EXPECT_EQ(body.at("msgtype").as_string(), "markdown");
  const auto& markdown = body.at("markdown").as_object();
  EXPECT_EQ(markdown.size(), 1u);
  const std::string content(markdown.at("content").as_string());
  EXPECT_TRUE(content.starts_with("### 项目“高性能膜材料项目”：线索 → 已签约")) << content;
  EXPECT_NE(content.find("> 操作人：zhang"), std::string::npos);
  EXPECT_NE(content.find("> 时间：2026-02-10 10:00:00\n"), std::string::npos) << content;
  EXPECT_NE(content.find("签约仪式已完成"), std::string::npos);
  EXPECT_LE(content.size(), kWecomMaxBytes);
}

// Every line of a chat message is one this program starts: the heading, a quoted field, the
// footer; a person's text never opens a line, a link, a tag, emphasis or code.
void expect_only_our_markup(const std::string& content) {
  std::size_t start = 0;
  while (start <= content.size()) {
    const std::size_t end = std::min(content.find('\n', start), content.size());
    const std::string line = content.substr(start, end - start);
    EXPECT_TRUE(line.empty() || line.starts_with("### ") || line.starts_with("> 项目：") ||
                line.starts_with("> 阶段：") || line.starts_with("> 操作人：") ||
                line.starts_with("> 时间：") || line.starts_with("> 说明：") ||
                line.starts_with("事件编号：") || line.starts_with("[查看项目](https://"))
        << line;
    start = end + 1;
  }
  for (const char* markup : {"[点我]", "](", "<font color=red", "<b>", "**", "`", "<@"}) {
    EXPECT_EQ(content.find(markup), std::string::npos) << markup << " in " << content;
  }
}

Message hostile_message() {
  const engine::Event event{
      "P-7", 3, at_ten(2026, 2, 10), "zhang_san*",
      lead_to_signed("见 [链接](http://evil) <b>粗</b>\n# 标题\n> 引用 `code` <@all>")};
  const auto workflow = timers_workflow();
  return make_message(42, event, workflow.get(),
                      "[点我](http://evil)<font color=red>红</font>**粗**_斜_\n### 标题~~删~~|表|");
}

TEST(WebhookFormat, ChatMarkdownShowsPeoplesTextAsText) {
  const Message message = hostile_message();
  for (const WebhookFormat format : {WebhookFormat::wecom, WebhookFormat::dingtalk}) {
    const auto body = json::parse(body_for(format, message)).as_object();
    const std::string content(format == WebhookFormat::wecom
                                  ? body.at("markdown").at("content").as_string()
                                  : body.at("markdown").at("text").as_string());
    expect_only_our_markup(content);
    // The name reads the same, in full-width brackets and signs.
    EXPECT_NE(content.find("［点我］(http://evil)＜font color=red＞红＜/font＞＊＊粗＊＊＿斜＿ "
                           "＃＃＃ 标题～～删～～｜表｜"),
              std::string::npos)
        << content;
    EXPECT_NE(content.find("> 操作人：zhang＿san＊"), std::string::npos) << content;
    EXPECT_NE(
        content.find("> 说明：见 ［链接］(http://evil) ＜b＞粗＜/b＞ ＃ 标题 ＞ 引用 ｀code｀ "
                     "＜@all＞"),
        std::string::npos)
        << content;
  }
  // DingTalk's title (the chat list's preview) is one line.
  const auto dingtalk = json::parse(dingtalk_body(message)).as_object();
  EXPECT_EQ(std::string(dingtalk.at("markdown").at("title").as_string()).find('\n'),
            std::string::npos);
}

TEST(WebhookFormat, ChatTextEscapesEveryMarkupCharacter) {
  EXPECT_EQ(chat_text("a[b]c<d>e*f_g#h`i~j|k\\l"), "a［b］c＜d＞e＊f＿g＃h｀i～j｜k＼l");
  EXPECT_EQ(chat_text("一\n二\r\n三\t四\xE2\x80\xA8五\xC2\x85六"), "一 二  三 四 五 六");
  EXPECT_EQ(chat_text(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(chat_text("高性能膜材料项目（一期）"), "高性能膜材料项目（一期）");
}

TEST(WebhookFormat, ChatStageLinesShowLabels) {
  for (const WebhookFormat format : {WebhookFormat::wecom, WebhookFormat::dingtalk}) {
    const auto body = json::parse(body_for(format, transition_message())).as_object();
    const std::string content(format == WebhookFormat::wecom
                                  ? body.at("markdown").at("content").as_string()
                                  : body.at("markdown").at("text").as_string());
    EXPECT_NE(content.find("\n> 阶段：线索 → 已签约\n"), std::string::npos) << content;
    EXPECT_EQ(content.find("lead"), std::string::npos) << content;
    EXPECT_EQ(content.find("signed"), std::string::npos) << content;
  }
  // A new project: the stage it starts in.
  engine::ProjectCreated created;
  created.workflow = "timers";
  created.state = "lead";
  const Message message = message_of(41, 1, created);
  EXPECT_EQ(message.to_label.zh, "线索");
  const std::string content(
      json::parse(wecom_body(message)).at("markdown").at("content").as_string());
  EXPECT_NE(content.find("\n> 阶段：线索\n"), std::string::npos) << content;
  // English titles carry English labels.
  EXPECT_EQ(transition_message().title_en, "Project '高性能膜材料项目': Lead → Signed");
  // A digest line: the same title, who, when, the event number.
  EXPECT_EQ(chat_line(transition_message(), WebhookFormat::wecom),
            "项目“高性能膜材料项目”：线索 → 已签约 · zhang · 2026-02-10 10:00:00 · 事件编号 42");
}

TEST(WebhookFormat, OverdueMarkerIsColouredOnWecomOnly) {
  Message overdue = transition_message();
  overdue.title_zh = "【逾期】项目“<font color=info>”的节点已到期";
  EXPECT_EQ(chat_title(overdue, WebhookFormat::wecom),
            "<font color=\"warning\">【逾期】</font>项目“＜font color=info＞”的节点已到期");
  EXPECT_EQ(chat_title(overdue, WebhookFormat::dingtalk),
            "【逾期】项目“＜font color=info＞”的节点已到期");
}

// Boost.JSON writes the bytes of a string as they are and refuses broken UTF-8 when reading.
bool valid_utf8(const std::string& text) {
  boost::system::error_code error;
  json::parse(json::serialize(json::value(text)), error);
  return !error;
}

TEST(WebhookFormat, ChatFitCutsTheMiddleOnACharacterBoundary) {
  ASSERT_FALSE(valid_utf8("a\xE9\x95"));         // half of 长: the check can fail
  EXPECT_EQ(chat_fit("ab长", "|", 6), "ab长|");  // fits exactly: untouched
  // 7 bytes: 1 for the footer, 3 for "…", 3 left; the third byte is inside 长.
  EXPECT_EQ(chat_fit("ab长长", "|", 7), "ab…|");
  for (std::size_t limit = 22; limit < 80; ++limit) {
    const std::string cut =
        chat_fit("标题 a长b長c𠀀d" + std::string(40, 'x'), "\n\n事件编号：42", limit);
    EXPECT_LE(cut.size(), limit);
    EXPECT_TRUE(valid_utf8(cut)) << limit;
    EXPECT_TRUE(cut.ends_with("…\n\n事件编号：42")) << cut;
  }
}

TEST(WebhookFormat, LongMessagesKeepTheEventNumberAndLink) {
  for (const WebhookFormat format : {WebhookFormat::wecom, WebhookFormat::dingtalk}) {
    Message huge = transition_message();
    huge.link = "https://zone.example/console/#/projects/P-7";
    // Three-byte characters after one ASCII byte: the cut falls inside a character for
    // some length of the rest; every length is tried around the limit.
    for (int extra = 0; extra < 3; ++extra) {
      huge.detail_zh = std::string(static_cast<std::size_t>(extra), 'a');
      for (std::size_t i = 0; i < chat_max_bytes(format) / 3 + 10; ++i)
        huge.detail_zh += "长";
      const auto body = json::parse(body_for(format, huge)).as_object();  // refuses broken UTF-8
      const std::string content(format == WebhookFormat::wecom
                                    ? body.at("markdown").at("content").as_string()
                                    : body.at("markdown").at("text").as_string());
      EXPECT_LE(content.size(), chat_max_bytes(format));
      EXPECT_GE(content.size(), chat_max_bytes(format) - 3);  // cut at the limit, not before
      EXPECT_TRUE(content.starts_with("### 项目“高性能膜材料项目”：线索 → 已签约"));
      EXPECT_TRUE(
          content.ends_with("…\n\n事件编号：42\n[查看项目](https://zone.example/console/#/"
                            "projects/P-7)"))
          << content.substr(content.size() - 120);
    }
  }
  // A message that fits is not cut.
  const std::string content(
      json::parse(wecom_body(transition_message())).at("markdown").at("content").as_string());
  EXPECT_EQ(content.find("…"), std::string::npos);
  EXPECT_TRUE(content.ends_with("\n\n事件编号：42"));
}

TEST(WebhookFormat, DingtalkMarkdownMessage) {
  const auto body = json::parse(dingtalk_body(transition_message())).as_object();
  EXPECT_EQ(body.at("msgtype").as_string(), "markdown");
  const auto& markdown = body.at("markdown").as_object();
  EXPECT_EQ(markdown.at("title").as_string(), "项目“高性能膜材料项目”：线索 → 已签约");
  EXPECT_TRUE(std::string(markdown.at("text").as_string()).starts_with("### 项目"));
}

TEST(WebhookFormat, RobotsAnswerWithErrcode) {
  EXPECT_TRUE(judge_response("wecom", {200, R"({"errcode":0,"errmsg":"ok"})", ""}).delivered);
  const AttemptResult refused =
      judge_response("dingtalk", {200, R"({"errcode":310000,"errmsg":"sign not match"})", ""});
  EXPECT_FALSE(refused.delivered);
  EXPECT_NE(refused.error.find("310000"), std::string::npos);
  EXPECT_TRUE(judge_response("json", {204, "", ""}).delivered);
  EXPECT_FALSE(judge_response("json", {500, "", ""}).delivered);
  EXPECT_FALSE(judge_response("json", {0, "", "timed out"}).delivered);
}

TEST(WebhookFormat, Backoff) {
  DispatchOptions options;
  options.backoff_base = std::chrono::milliseconds(1000);
  options.backoff_cap = std::chrono::milliseconds(60000);
  std::mt19937_64 random(7);
  for (int attempt = 1; attempt <= 12; ++attempt) {
    const std::int64_t full = std::min<std::int64_t>(60000, 1000LL << (attempt - 1));
    const auto delay = backoff_delay(options, attempt, random).count();
    EXPECT_GE(delay, full / 2) << attempt;
    EXPECT_LE(delay, full) << attempt;
  }
}

TEST(WebhookFormat, Urls) {
  auto url = parse_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->https);
  EXPECT_EQ(url->host, "qyapi.weixin.qq.com");
  EXPECT_EQ(url->port, "443");
  EXPECT_EQ(url->target, "/cgi-bin/webhook/send?key=k");
  url = parse_url("http://127.0.0.1:8081");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, "8081");
  EXPECT_EQ(url->target, "/");
  EXPECT_FALSE(parse_url("ftp://x/"));
  EXPECT_FALSE(parse_url("http://user@x/"));
  EXPECT_FALSE(parse_url("http://:80/"));
  // No spaces or control characters anywhere: CR LF would inject a header (issue 19).
  EXPECT_FALSE(parse_url("http://x/hook\r\nX-Injected: 1"));
  EXPECT_FALSE(parse_url("http://x/hook\nX-Injected: 1"));
  EXPECT_FALSE(parse_url("http://x/a b"));
  EXPECT_FALSE(parse_url("http://x\t/"));
  EXPECT_FALSE(parse_url(std::string_view("http://x/\0", 10)));
  EXPECT_FALSE(parse_url("http://x/\x7f"));
  EXPECT_TRUE(parse_url("http://x/%0D%0A"));  // percent-encoded is data, not a line break
}

TEST(WebhookFormat, NamesReadBothWays) {
  for (const WebhookFormat format :
       {WebhookFormat::json, WebhookFormat::wecom, WebhookFormat::dingtalk}) {
    EXPECT_EQ(parse_webhook_format(webhook_format_name(format)), format);
  }
  EXPECT_EQ(webhook_format_name(WebhookFormat::wecom), "wecom");
  EXPECT_EQ(parse_webhook_format("slack"), std::nullopt);
  EXPECT_EQ(parse_webhook_format("JSON"), std::nullopt);
}

}  // namespace
}  // namespace investflow::notify::testing
