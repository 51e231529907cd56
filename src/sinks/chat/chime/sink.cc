#include "sinks/chat/chime/sink.h"

#include "sinks/chat/chime/request.h"
#include "sinks/chat/per_event_sink.h"

namespace kv::sinks::chat::chime {

Builder Parse(const config::Node& node) {
  ChimeConfig cfg = ParseConfig(node);
  http::TlsOptions tls = cfg.tls;
  return MakePerEventBuilder(
      [cfg = std::move(cfg)](const event::EventPtr& ev) { return BuildRequest(cfg, ev); },
      &ClassifyHttpDefault, std::move(tls));
}

}  // namespace kv::sinks::chat::chime
