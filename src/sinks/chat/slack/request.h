// Event -> Slack request, in both styles (pure).
//
// Web API (the reference's way, through slack-go's SendMessage):
//   POST {apiURL}/chat.postMessage
//   Authorization: Bearer <token>      (the reference sent it as a form field)
//   Content-Type: application/x-www-form-urlencoded
//   attachments=<JSON array>&channel=<channel>&text=<text>   (keys sorted, as Go's url.Values)
// Incoming webhook:
//   POST <webhookURL>, Content-Type: application/json
//   {"text":"<text>","attachments":[…]}
// The text has & < > escaped as Slack asks (&amp; &lt; &gt;), as the
// reference does; attachment values are sent as rendered. The attachment
// (sent when any of color, author_name, title, fields, footer is set):
//   {"color":…,"author_name":…,"title":…,"fields":[{"title":…,"value":…,"short":false}],"footer":…}
// with empty values left out, fields sorted by title.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "event/event.h"
#include "http/client.h"
#include "sinks/chat/slack/config.h"
#include "tmpl/value.h"
#include "util/result.h"

namespace kv::sinks::chat::slack {

// One event's message, rendered.
struct Message {
  std::string channel;  // Web API only
  std::string text;     // unescaped
  bool attachment = false;
  std::string color, author_name, title, footer;
  std::vector<std::pair<std::string, std::string>> fields;
};

Result<Message> RenderMessage(const SlackConfig& cfg, const tmpl::Value& event);

// Slack's escaping of message text: & -> &amp;, < -> &lt;, > -> &gt;.
std::string EscapeText(std::string_view text);

// The attachments JSON array, "" when the message has none.
std::string EncodeAttachments(const Message& m);

// The Web API form body; the webhook JSON body.
std::string EncodeForm(const Message& m);
std::string EncodeWebhookBody(const Message& m);

Result<http::Request> BuildRequest(const SlackConfig& cfg, const event::EventPtr& event);

}  // namespace kv::sinks::chat::slack
