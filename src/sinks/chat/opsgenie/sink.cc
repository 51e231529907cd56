#include "sinks/chat/opsgenie/sink.h"

#include "sinks/chat/opsgenie/request.h"
#include "sinks/chat/per_event_sink.h"

namespace kv::sinks::chat::opsgenie {

Builder Parse(const config::Node& node) {
  OpsgenieConfig cfg = ParseConfig(node);
  http::TlsOptions tls = cfg.tls;
  return MakePerEventBuilder(
      [cfg = std::move(cfg)](const event::EventPtr& ev) { return BuildRequest(cfg, ev); },
      &ClassifyHttpDefault, std::move(tls));
}

}  // namespace kv::sinks::chat::opsgenie
