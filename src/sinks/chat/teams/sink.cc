#include "sinks/chat/teams/sink.h"

#include "sinks/chat/per_event_sink.h"
#include "sinks/chat/teams/request.h"
#include "sinks/chat/teams/response.h"

namespace kv::sinks::chat::teams {

Builder Parse(const config::Node& node) {
  TeamsConfig cfg = ParseConfig(node);
  http::TlsOptions tls = cfg.tls;
  Classifier classify =
      cfg.UsesWorkflow() ? Classifier(&ClassifyHttpDefault) : Classifier(&ClassifyConnector);
  return MakePerEventBuilder(
      [cfg = std::move(cfg)](const event::EventPtr& ev) { return BuildRequest(cfg, ev); },
      std::move(classify), std::move(tls));
}

}  // namespace kv::sinks::chat::teams
