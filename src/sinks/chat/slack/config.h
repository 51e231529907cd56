// `slack` receiver settings, in one of two styles (exactly one of `token`
// and `webhookURL`):
//   Web API (the reference's keys): token (a bot token, xoxb-…), channel,
//     message, color, footer, title, author_name, fields; kubevents adds
//     apiURL (default https://slack.com/api).
//   Incoming webhook (kubevents): webhookURL, and message, color, footer,
//     title, author_name, fields as above (no channel: a webhook posts to
//     the channel it was made for).
// Both take tls and timeoutSeconds. Every text key is a template.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/node.h"
#include "http/client.h"
#include "sinks/chat/http_target.h"
#include "tmpl/template.h"

namespace kv::sinks::chat::slack {

inline constexpr std::string_view kDefaultApiUrl = "https://slack.com/api";

struct SlackConfig {
  std::string token;                      // Web API bot token (secret)
  std::string api_url{kDefaultApiUrl};    // apiURL: chat.postMessage is under it
  std::optional<tmpl::Template> channel;  // channel: "#name", "@user" or an id (Web API)
  std::string webhook_url;                // webhookURL: incoming webhook (secret)
  std::optional<tmpl::Template> message;  // message; default chat::kDefaultText
  std::optional<tmpl::Template> color;    // attachment color ("good", "#36a64f", …)
  std::optional<tmpl::Template> footer;
  std::optional<tmpl::Template> title;
  std::optional<tmpl::Template> author_name;
  std::vector<std::pair<std::string, tmpl::Template>> fields;  // sorted by name
  http::TlsOptions tls;
  std::chrono::milliseconds timeout{kDefaultTimeoutSeconds * 1000};

  bool UsesWebhook() const { return !webhook_url.empty(); }
  // An attachment is sent when any of its keys is set.
  bool HasAttachment() const { return color || footer || title || author_name || !fields.empty(); }
};

SlackConfig ParseConfig(const config::Node& node);

}  // namespace kv::sinks::chat::slack
