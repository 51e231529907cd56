#include "sinks/chat/teams/config.h"

#include <algorithm>

namespace kv::sinks::chat::teams {

TeamsConfig ParseConfig(const config::Node& node) {
  node.RejectUnknownKeys({"endpoint", "layout", "headers", "workflowURL", "title", "message",
                          "facts", "tls", "timeoutSeconds"});
  TeamsConfig cfg;
  bool connector = node.Has("endpoint");
  bool workflow = node.Has("workflowURL");
  if (connector == workflow) {
    node.Report(connector ? "endpoint and workflowURL exclude each other: choose one style"
                          : "set endpoint (Office 365 connector) or workflowURL (Workflows)");
  }
  if (connector) {
    cfg.endpoint = ParseUrl(node, "endpoint", true);
    for (std::string_view key : {"title", "message", "facts"}) {
      if (node.Has(key)) node.Report("only for the Workflows style (workflowURL)", key);
    }
    config::Node layout = node.Child("layout");
    if (layout.Defined()) {
      auto parsed = tmpl::Layout::Parse(layout.yaml(), layout.path());
      if (parsed) {
        cfg.layout = std::move(*parsed);
      } else {
        node.Report(parsed.error().message, "layout");
      }
    }
  }
  if (workflow) {
    cfg.workflow_url = ParseUrl(node, "workflowURL", true);
    if (node.Has("layout")) node.Report("only for the connector style (endpoint)", "layout");
    cfg.title = ParseTemplate(node, "title");
    cfg.message = ParseTemplate(node, "message", kDefaultText);
    if (node.Has("facts")) {
      config::Node facts = node.Child("facts");
      if (!facts.IsMap()) {
        node.Report("expected a map of fact titles to value templates", "facts");
      } else {
        for (const auto& [name, value] : facts.Entries()) {
          auto t = tmpl::Template::Parse(facts.String(name));
          if (t) {
            cfg.facts.emplace_back(name, std::move(*t));
          } else {
            facts.Report(t.error().message, name);
          }
        }
        std::sort(cfg.facts.begin(), cfg.facts.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
      }
    }
  }
  cfg.headers = ParseHeaders(node, "headers");
  cfg.tls = ParseTls(node);
  cfg.timeout = ParseTimeout(node);
  return cfg;
}

}  // namespace kv::sinks::chat::teams
