// `opsgenie` receiver settings: the reference's keys (apiKey, URL,
// priority, message, alias, description, tags, details) plus tls and
// timeoutSeconds. Text keys are templates.
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

namespace kv::sinks::chat::opsgenie {

inline constexpr std::string_view kDefaultHost = "api.opsgenie.com";  // EU: api.eu.opsgenie.com
inline constexpr std::string_view kDefaultAlias = "{{ .IdempotencyKey }}";

struct OpsgenieConfig {
  std::string api_key;                               // apiKey: an API integration's key (secret)
  std::string base_url{"https://api.opsgenie.com"};  // URL: a host (as the SDK takes it) or a URL
  std::string priority = "P3";                       // priority: P1..P5
  std::optional<tmpl::Template> message;             // message; default chat::kDefaultText
  std::optional<tmpl::Template> alias;               // alias (dedup key); default kDefaultAlias
  std::optional<tmpl::Template> description;         // description; none by default
  std::vector<tmpl::Template> tags;                  // tags: templates; empty results dropped
  std::vector<std::pair<std::string, tmpl::Template>> details;  // details: key -> template, sorted
  http::TlsOptions tls;
  std::chrono::milliseconds timeout{kDefaultTimeoutSeconds * 1000};
};

OpsgenieConfig ParseConfig(const config::Node& node);

}  // namespace kv::sinks::chat::opsgenie
