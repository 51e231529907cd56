#include "sinks/chat/slack/sink.h"

#include "sinks/chat/per_event_sink.h"
#include "sinks/chat/slack/request.h"
#include "sinks/chat/slack/response.h"

namespace kv::sinks::chat::slack {

Builder Parse(const config::Node& node) {
  SlackConfig cfg = ParseConfig(node);
  http::TlsOptions tls = cfg.tls;
  Classifier classify =
      cfg.UsesWebhook() ? Classifier(&ClassifyHttpDefault) : Classifier(&ClassifyApi);
  return MakePerEventBuilder(
      [cfg = std::move(cfg)](const event::EventPtr& ev) { return BuildRequest(cfg, ev); },
      std::move(classify), std::move(tls));
}

}  // namespace kv::sinks::chat::slack
