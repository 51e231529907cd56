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

}  // namespace kv::log
