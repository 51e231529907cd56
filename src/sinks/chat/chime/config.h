// `chime` receiver settings (a kubevents kind; the reference has none).
// Amazon Chime incoming webhooks: POST {"Content": text} to the room's
// webhook URL (https://hooks.chime.aws/incomingwebhooks/ID?token=TOKEN).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "config/node.h"
#include "http/client.h"
#include "sinks/chat/http_target.h"
#include "tmpl/template.h"

namespace kv::sinks::chat::chime {

struct ChimeConfig {
  std::string endpoint;                   // required: the webhook URL; its token is a secret
  std::optional<tmpl::Template> message;  // message: template; default chat::kDefaultText
  http::TlsOptions tls;                   // tls: as for webhook
  std::chrono::milliseconds timeout{kDefaultTimeoutSeconds * 1000};  // timeoutSeconds
};

ChimeConfig ParseConfig(const config::Node& node);

}  // namespace kv::sinks::chat::chime
