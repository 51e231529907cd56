#include "sinks/chat/chime/config.h"

namespace kv::sinks::chat::chime {

ChimeConfig ParseConfig(const config::Node& node) {
  node.RejectUnknownKeys({"endpoint", "message", "tls", "timeoutSeconds"});
  ChimeConfig cfg;
  cfg.endpoint = ParseUrl(node, "endpoint", true);
  cfg.message = ParseTemplate(node, "message", kDefaultText);
  cfg.tls = common::ParseTls(node);
  cfg.timeout = ParseTimeout(node);
  return cfg;
}

}  // namespace kv::sinks::chat::chime
