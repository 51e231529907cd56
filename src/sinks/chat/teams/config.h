// `teams` receiver settings, in one of two styles (exactly one of
// `endpoint` and `workflowURL`):
//   Office 365 connector (the reference's keys): endpoint, layout, headers;
//     sends a legacy MessageCard.
//   Power Automate Workflows (kubevents): workflowURL, title, message,
//     facts; sends an Adaptive Card (what Workflows accept).
// Both take tls and timeoutSeconds; headers are templates as for webhook.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/node.h"
#include "http/client.h"
#include "sinks/chat/http_target.h"
#include "tmpl/layout.h"
#include "tmpl/template.h"

namespace kv::sinks::chat::teams {

struct TeamsConfig {
  // Connector style.
  std::string endpoint;                // endpoint: the connector's webhook URL (secret)
  std::optional<tmpl::Layout> layout;  // layout: whose message/reason/metadata fill the card
  // Workflows style.
  std::string workflow_url;               // workflowURL: the flow's HTTP trigger URL (secret)
  std::optional<tmpl::Template> title;    // title: bold first line; none by default
  std::optional<tmpl::Template> message;  // message; default chat::kDefaultText
  std::vector<std::pair<std::string, tmpl::Template>> facts;  // facts: title -> value, sorted
  // Both.
  std::vector<HeaderTemplate> headers;
  http::TlsOptions tls;
  std::chrono::milliseconds timeout{kDefaultTimeoutSeconds * 1000};

  bool UsesWorkflow() const { return !workflow_url.empty(); }
};

TeamsConfig ParseConfig(const config::Node& node);

}  // namespace kv::sinks::chat::teams
