#include "sinks/chat/slack/config.h"

#include <algorithm>

namespace kv::sinks::chat::slack {

SlackConfig ParseConfig(const config::Node& node) {
  node.RejectUnknownKeys({"token", "channel", "message", "color", "footer", "title", "author_name",
                          "fields", "apiURL", "webhookURL", "tls", "timeoutSeconds"});
  SlackConfig cfg;
  cfg.token = node.String("token");
  bool has_webhook = node.Has("webhookURL");
  cfg.webhook_url = ParseUrl(node, "webhookURL", has_webhook);
  if (cfg.token.empty() && !has_webhook) {
    node.Report("set token (Web API chat.postMessage) or webhookURL (incoming webhook)");
  } else if (!cfg.token.empty() && has_webhook) {
    node.Report("token and webhookURL exclude each other: choose one style", "webhookURL");
  }
  if (has_webhook) {
    if (node.Has("channel")) {
      node.Report("an incoming webhook posts to its own channel; remove channel", "channel");
    }
    if (node.Has("apiURL")) node.Report("apiURL is for the Web API style (token)", "apiURL");
  } else if (!cfg.token.empty()) {
    std::string api = ParseUrl(node, "apiURL", false);
    if (!api.empty()) cfg.api_url = api;
    while (!cfg.api_url.empty() && cfg.api_url.back() == '/') cfg.api_url.pop_back();
    cfg.channel = ParseTemplate(node, "channel");
    if (!node.Has("channel")) node.Report("missing required key", "channel");
  }
  cfg.message = ParseTemplate(node, "message", kDefaultText);
  cfg.color = ParseTemplate(node, "color");
  cfg.footer = ParseTemplate(node, "footer");
  cfg.title = ParseTemplate(node, "title");
  cfg.author_name = ParseTemplate(node, "author_name");
  // The reference sorts fields by title (Go's byte order).
  cfg.fields = ParseTemplateMap(node, "fields", "field titles");
  cfg.tls = common::ParseTls(node);
  cfg.timeout = ParseTimeout(node);
  return cfg;
}

}  // namespace kv::sinks::chat::slack
