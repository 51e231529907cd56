#include "sinks/chat/teams/config.h"

#include <algorithm>

#include "sinks/common/document.h"

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
    cfg.layout = common::ParseLayout(node, "layout");
  }
  if (workflow) {
    cfg.workflow_url = ParseUrl(node, "workflowURL", true);
    if (node.Has("layout")) node.Report("only for the connector style (endpoint)", "layout");
    cfg.title = ParseTemplate(node, "title");
    cfg.message = ParseTemplate(node, "message", kDefaultText);
    cfg.facts = ParseTemplateMap(node, "facts", "fact titles");
  }
  cfg.headers = ParseHeaders(node, "headers");
  cfg.tls = common::ParseTls(node);
  cfg.timeout = ParseTimeout(node);
  return cfg;
}

}  // namespace kv::sinks::chat::teams
