#include "sinks/chat/http_target.h"

#include <algorithm>

namespace kv::sinks::chat {

std::string ParseUrl(const config::Node& body, std::string_view key, bool required) {
  std::string url = body.String(key);
  if (url.empty()) {
    if (required) body.Report("missing required key", key);
    return {};
  }
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    body.Report("expected an http:// or https:// URL", key);
    return {};
  }
  return url;
}

std::chrono::milliseconds ParseTimeout(const config::Node& body) {
  return std::chrono::seconds(body.Int("timeoutSeconds", kDefaultTimeoutSeconds, 1, 3600));
}

std::vector<HeaderTemplate> ParseHeaders(const config::Node& body, std::string_view key) {
  std::vector<HeaderTemplate> out;
  if (!body.Has(key)) return out;
  config::Node node = body.Child(key);
  if (!node.Defined()) return out;
  if (!node.IsMap()) {
    body.Report("expected a map of header names to values", key);
    return out;
  }
  for (const auto& [name, value] : node.Entries()) {
    HeaderTemplate h;
    h.name = name;
    h.text = node.String(name);
    if (name.empty() || name.find_first_of(":\r\n ") != std::string::npos) {
      node.Report("not a valid HTTP header name", name);
      continue;
    }
    if (h.text.find_first_of("\r\n") != std::string::npos) {
      node.Report("a header value cannot hold a line break", name);
      continue;
    }
    auto parsed = tmpl::Template::Parse(h.text);
    if (parsed) {
      h.value = std::move(*parsed);
    } else {
      node.Warn(parsed.error().message + "; sent as written, as the reference exporter does", name);
    }
    out.push_back(std::move(h));
  }
  return out;
}

http::Headers RenderHeaders(const std::vector<HeaderTemplate>& headers, const tmpl::Value& event) {
  http::Headers out;
  out.reserve(headers.size());
  for (const auto& h : headers) {
    std::string value = h.text;
    if (h.value) {
      auto rendered = h.value->Execute(event);
      if (rendered) value = std::move(*rendered);
    }
    // A rendered line break would split the header: keep the value on one line.
    for (char& c : value) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    out.emplace_back(h.name, std::move(value));
  }
  return out;
}

std::optional<tmpl::Template> ParseTemplate(const config::Node& body, std::string_view key,
                                            std::string_view def) {
  std::string text(def);
  if (body.Has(key) && body.Child(key).Defined()) text = body.String(key);
  if (text.empty()) return std::nullopt;
  auto parsed = tmpl::Template::Parse(text);
  if (!parsed) {
    body.Report(parsed.error().message, key);
    return std::nullopt;
  }
  return std::move(*parsed);
}

NamedTemplates ParseTemplateMap(const config::Node& body, std::string_view key,
                                std::string_view what) {
  NamedTemplates out;
  if (!body.Has(key)) return out;
  config::Node map = body.Child(key);
  if (!map.IsMap()) {
    body.Report("expected a map of " + std::string(what) + " to value templates", key);
    return out;
  }
  for (const auto& [name, value] : map.Entries()) {
    auto t = tmpl::Template::Parse(map.String(name));
    if (t) {
      out.emplace_back(name, std::move(*t));
    } else {
      map.Report(t.error().message, name);
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

Result<std::string> Render(const std::optional<tmpl::Template>& t, const tmpl::Value& event,
                           std::string_view what) {
  if (!t) return std::string();
  auto out = t->Execute(event);
  if (!out) return Fail(ErrorCode::kInvalidConfig, std::string(what) + ": " + out.error().message);
  return out;
}

std::string TruncateCodePoints(std::string_view s, size_t max) {
  // Byte offsets where each code point starts (continuation bytes are 10xxxxxx).
  size_t count = 0;
  size_t cut = std::string_view::npos;  // where code point number `max - 1` starts
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (count + 1 == max) cut = i;
    ++count;
    if (count > max) {
      if (max == 0) return {};
      return std::string(s.substr(0, cut)) + "\xE2\x80\xA6";
    }
  }
  return std::string(s);
}

std::string RedactUrl(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "(url)";
  size_t host_end = url.find_first_of("/?#", scheme + 3);
  std::string_view authority =
      url.substr(scheme + 3, host_end == std::string_view::npos ? std::string_view::npos
                                                                : host_end - scheme - 3);
  // user:password@host never reaches a log either.
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string out(url.substr(0, scheme + 3));
  out += authority;
  if (host_end != std::string_view::npos) out += "/...";
  return out;
}

}  // namespace kv::sinks::chat
