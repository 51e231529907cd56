// Event -> Chime webhook request (pure).
//
// Body: {"Content":"<text>"}. Chime takes at most kMaxContentChars
// characters; a longer text is cut to its first 4095 code points followed
// by "…" (U+2026), 4096 in all (chat::TruncateCodePoints).
// Answers: 2xx delivered; 429 (Chime throttles each webhook) and 5xx
// retried, Retry-After honoured; other 4xx (a revoked token: 403/404)
// rejected: common ClassifyHttp.
#pragma once

#include <string>
#include <string_view>

#include "event/event.h"
#include "http/client.h"
#include "sinks/chat/chime/config.h"
#include "util/result.h"

namespace kv::sinks::chat::chime {

inline constexpr size_t kMaxContentChars = 4096;

// The JSON body for `text` (truncated as above).
std::string EncodeBody(std::string_view text);

Result<http::Request> BuildRequest(const ChimeConfig& cfg, const event::EventPtr& event);

}  // namespace kv::sinks::chat::chime
