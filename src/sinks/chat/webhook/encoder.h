// Event -> the JSON document a webhook sends, and documents -> one body.
// Pure; called from the receiver's worker thread.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "event/event.h"
#include "sinks/chat/webhook/config.h"
#include "tmpl/layout.h"
#include "tmpl/value.h"
#include "util/result.h"

namespace kv::sinks::chat::webhook {

// The layout rendered against `value` (the event as template data), or,
// without a layout, the full event in the reference exporter's shape.
// Error kInvalidConfig when the layout cannot render this event.
Result<std::string> EncodeEvent(const event::Event& event,
                                const std::optional<tmpl::Layout>& layout,
                                const tmpl::Value& value);

// One body from one or more documents: the document itself (kNone), a JSON
// array `[d1,d2]` (kArray) or one document per line, each line ended by
// "\n" (kNdjson).
std::string JoinBody(std::span<const std::string> documents, BatchFormat format);

// The Content-Type of such a body.
std::string_view ContentType(BatchFormat format);

}  // namespace kv::sinks::chat::webhook
