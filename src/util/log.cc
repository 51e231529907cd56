#include "util/log.h"

#include <fmt/chrono.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <memory>

namespace kv::log {

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20) {
          static const char* kHex = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

namespace {

// Formats each record as one JSON object: time, level, msg.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line =
        fmt::format(R"({{"time":"{:%Y-%m-%dT%H:%M:%S}Z","level":"{}","msg":"{}"}})",
                    fmt::gmtime(std::chrono::system_clock::to_time_t(msg.time)),
                    spdlog::level::to_string_view(msg.level),
                    JsonEscape(std::string_view(msg.payload.data(), msg.payload.size())));
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

Result<void> Setup(std::string_view level, std::string_view format) {
  spdlog::level::level_enum lvl;
  if (level.empty() || level == "info") {
    lvl = spdlog::level::info;
  } else if (level == "trace") {
    lvl = spdlog::level::trace;
  } else if (level == "debug") {
    lvl = spdlog::level::debug;
  } else if (level == "warn" || level == "warning") {
    lvl = spdlog::level::warn;
  } else if (level == "error" || level == "fatal" || level == "panic") {
    lvl = spdlog::level::err;
  } else {
    return Fail(ErrorCode::kInvalidConfig, "logLevel: unknown level '" + std::string(level) +
                                               "' (use trace, debug, info, warn or error)");
  }
  auto logger = std::make_shared<spdlog::logger>("kubevents",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else if (format.empty() || format == "text" || format == "pretty") {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  } else {
    return Fail(ErrorCode::kInvalidConfig,
                "logFormat: unknown format '" + std::string(format) + "' (use text or json)");
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return {};
}

}  // namespace kv::log
