#include "util/log.h"

#include <fmt/chrono.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <cctype>
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

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whitespace and control characters (bytes below 0x20 and DEL) as one
// space, trimmed.
std::string Collapse(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// `s` without its tags (the text between '<' and '>').
std::string StripTags(std::string_view s) {
  std::string out;
  bool in_tag = false;
  for (char c : s) {
    if (c == '<') {
      in_tag = true;
      out += ' ';
    } else if (c == '>') {
      in_tag = false;
    } else if (!in_tag) {
      out += c;
    }
  }
  return out;
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
bool Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Keeps the start (what failed) and the end (where formatters append the
// verdict, e.g. "...; not retried"), cut at UTF-8 character boundaries.
std::string Cut(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t tail = max / 3;
  size_t head = max - tail;
  while (head > 0 && Continuation(s[head])) --head;
  size_t from = s.size() - tail;
  while (from < s.size() && Continuation(s[from])) ++from;
  return s.substr(0, head) + "..." + s.substr(from);
}

}  // namespace

std::string ShortReason(std::string_view text, size_t max) {
  // Bounded work and memory whatever the answer's size (a search peer's
  // body may be megabytes): what a reason says is at its start, and a
  // formatter's suffix after a page is short.
  constexpr size_t kHead = size_t{64} << 10;
  constexpr size_t kTail = size_t{4} << 10;
  const std::string_view head = text.substr(0, kHead);
  const std::string lower = Lower(head);
  // Where a page starts: the first of the tags every HTML page has one of.
  size_t page = std::string::npos;
  for (std::string_view tag : {"<!doctype", "<html", "<head", "<body", "<title"}) {
    page = std::min(page, lower.find(tag));
  }
  if (page == std::string::npos) return Cut(Collapse(head), max);

  std::string before = Collapse(head.substr(0, page));
  while (!before.empty() && (before.back() == ':' || before.back() == ' ')) before.pop_back();
  std::string title;
  if (size_t open = lower.find("<title", page); open != std::string::npos) {
    size_t start = lower.find('>', open);
    size_t end = start == std::string::npos ? start : lower.find("</title", start);
    if (end != std::string::npos) {
      title = Cut(Collapse(StripTags(head.substr(start + 1, end - start - 1))), 80);
    }
  }
  std::string out = before;
  if (!out.empty()) out += ' ';
  out += title.empty() ? "(HTML page)" : "(HTML page: " + title + ")";
  // What a formatter appended after the page (" (authentication ...)").
  const size_t tail_at = text.size() > kTail ? text.size() - kTail : 0;
  const std::string tail = Lower(text.substr(tail_at));
  if (size_t close = tail.rfind("</html>"); close != std::string::npos && tail_at + close >= page) {
    std::string after = Collapse(text.substr(tail_at + close + 7));
    if (!after.empty()) out += " " + after;
  }
  return Cut(std::move(out), max);
}

}  // namespace kv::log
