#include "sinks/chat/webhook/encoder.h"

#include "event/encode.h"

namespace kv::sinks::chat::webhook {

Result<std::string> EncodeEvent(const event::Event& event,
                                const std::optional<tmpl::Layout>& layout,
                                const tmpl::Value& value) {
  if (!layout) return event::EncodeJson(event);
  auto rendered = layout->Render(value);
  if (!rendered) return Fail(ErrorCode::kInvalidConfig, "layout: " + rendered.error().message);
  return rendered;
}

std::string JoinBody(std::span<const std::string> documents, BatchFormat format) {
  std::string body;
  switch (format) {
    case BatchFormat::kNone:
      for (const auto& d : documents) body += d;  // callers pass exactly one
      break;
    case BatchFormat::kArray:
      body.push_back('[');
      for (size_t i = 0; i < documents.size(); ++i) {
        if (i > 0) body.push_back(',');
        body += documents[i];
      }
      body.push_back(']');
      break;
    case BatchFormat::kNdjson:
      for (const auto& d : documents) {
        body += d;
        body.push_back('\n');
      }
      break;
  }
  return body;
}

std::string_view ContentType(BatchFormat format) {
  return format == BatchFormat::kNdjson ? "application/x-ndjson" : "application/json";
}

}  // namespace kv::sinks::chat::webhook
