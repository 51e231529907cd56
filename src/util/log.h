// Logging set-up. Logs go to stderr only, so stdout stays clean for the
// stdout receiver's JSON lines. Format "text" (default) or "json", one
// line per fact, as the reference exporter's logFormat key allows.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

#include "util/result.h"

namespace kv::log {

// Installs the process-wide stderr logger. `level`: trace, debug, info,
// warn, error (the reference's names; "warning" and "fatal" are accepted).
Result<void> Setup(std::string_view level, std::string_view format);

// Escapes `s` for inclusion in a JSON log line.
std::string JsonEscape(std::string_view s);

// A failure reason made fit for one log line (and a dead-letter line): an
// HTML page in it (a proxy's or load balancer's 502, quoted by the HTTP
// error formatting) becomes "(HTML page: <its title>)", runs of whitespace
// and control characters become one space, and the whole is cut to about
// `max` bytes (at a UTF-8 boundary, "..." appended). The delivery worker
// passes every reason a sink gives through it, so no sink can put a page
// of markup into the log. Reads at most the first 64 KiB and the last 4 KiB
// of `text`, so a huge answer body costs no more than that.
std::string ShortReason(std::string_view text, size_t max = 200);

}  // namespace kv::log
