#include "sinks/chat/chime/request.h"

#include "tmpl/event_value.h"
#include "util/json_writer.h"

namespace kv::sinks::chat::chime {

std::string EncodeBody(std::string_view text) {
  std::string body;
  json::Writer w(&body);
  w.BeginObject();
  w.Key("Content");
  w.String(TruncateCodePoints(text, kMaxContentChars));
  w.EndObject();
  return body;
}

Result<http::Request> BuildRequest(const ChimeConfig& cfg, const event::EventPtr& event) {
  auto text = Render(cfg.message, tmpl::EventToValue(event), "message");
  if (!text) return tl::unexpected(text.error());
  http::Request r;
  r.method = "POST";
  r.url = cfg.endpoint;
  r.timeout = cfg.timeout;
  r.headers = {{"Content-Type", "application/json"}, {"User-Agent", "kubevents"}};
  r.body = EncodeBody(*text);
  return r;
}

}  // namespace kv::sinks::chat::chime
