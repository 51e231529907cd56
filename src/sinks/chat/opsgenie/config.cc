#include "sinks/chat/opsgenie/config.h"

#include <algorithm>

namespace kv::sinks::chat::opsgenie {

OpsgenieConfig ParseConfig(const config::Node& node) {
  node.RejectUnknownKeys({"apiKey", "URL", "priority", "message", "alias", "description", "tags",
                          "details", "tls", "timeoutSeconds"});
  OpsgenieConfig cfg;
  cfg.api_key = node.String("apiKey");
  if (cfg.api_key.empty()) node.Report("missing required key", "apiKey");
  std::string url = node.String("URL");
  if (!url.empty()) {
    if (url.find("://") == std::string::npos) {
      // The Go SDK's ApiUrl is a host name; it adds https://.
      url = "https://" + url;
    } else if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      node.Report("expected a host (api.eu.opsgenie.com) or an http(s):// URL", "URL");
    }
    while (!url.empty() && url.back() == '/') url.pop_back();
    cfg.base_url = url;
  }
  std::string priority = node.String("priority", cfg.priority);
  if (priority.empty()) priority = "P3";  // the reference's default for ""
  if (priority.size() != 2 || priority[0] != 'P' || priority[1] < '1' || priority[1] > '5') {
    node.Report("expected P1, P2, P3, P4 or P5", "priority");
  } else {
    cfg.priority = priority;
  }
  cfg.message = ParseTemplate(node, "message", kDefaultText);
  cfg.alias = ParseTemplate(node, "alias", kDefaultAlias);
  cfg.description = ParseTemplate(node, "description");
  if (node.Has("tags")) {
    config::Node tags = node.Child("tags");
    if (!tags.IsSequence()) {
      node.Report("expected a list of tag templates", "tags");
    } else {
      for (const auto& item : tags.Items()) {
        auto t = tmpl::Template::Parse(item.AsString());
        if (t) {
          cfg.tags.push_back(std::move(*t));
        } else {
          item.Report(t.error().message);
        }
      }
    }
  }
  cfg.details = ParseTemplateMap(node, "details", "detail keys");
  cfg.tls = common::ParseTls(node);
  cfg.timeout = ParseTimeout(node);
  return cfg;
}

}  // namespace kv::sinks::chat::opsgenie
