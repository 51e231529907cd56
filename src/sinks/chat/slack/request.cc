#include "sinks/chat/slack/request.h"

#include "tmpl/event_value.h"
#include "util/json_writer.h"
#include "util/url.h"

namespace kv::sinks::chat::slack {

Result<Message> RenderMessage(const SlackConfig& cfg, const tmpl::Value& event) {
  Message m;
  auto render = [&](const std::optional<tmpl::Template>& t, std::string_view what,
                    std::string* out) -> Result<void> {
    auto r = Render(t, event, what);
    if (!r) return tl::unexpected(r.error());
    *out = std::move(*r);
    return {};
  };
  if (!cfg.UsesWebhook()) {
    if (auto r = render(cfg.channel, "channel", &m.channel); !r) return tl::unexpected(r.error());
    if (m.channel.empty()) return Fail(ErrorCode::kInvalidConfig, "channel rendered empty");
  }
  if (auto r = render(cfg.message, "message", &m.text); !r) return tl::unexpected(r.error());
  m.attachment = cfg.HasAttachment();
  if (!m.attachment) return m;
  for (auto [t, what, out] :
       {std::tuple{&cfg.color, "color", &m.color},
        std::tuple{&cfg.author_name, "author_name", &m.author_name},
        std::tuple{&cfg.title, "title", &m.title}, std::tuple{&cfg.footer, "footer", &m.footer}}) {
    if (auto r = render(*t, what, out); !r) return tl::unexpected(r.error());
  }
  for (const auto& [name, t] : cfg.fields) {
    auto value = t.Execute(event);
    if (!value) {
      return Fail(ErrorCode::kInvalidConfig, "fields." + name + ": " + value.error().message);
    }
    m.fields.emplace_back(name, std::move(*value));
  }
  return m;
}

std::string EscapeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

void WriteAttachment(const Message& m, json::Writer& w) {
  w.BeginObject();
  auto opt = [&w](std::string_view key, const std::string& value) {
    if (value.empty()) return;
    w.Key(key);
    w.String(value);
  };
  opt("color", m.color);
  opt("author_name", m.author_name);
  opt("title", m.title);
  if (!m.fields.empty()) {
    w.Key("fields");
    w.BeginArray();
    for (const auto& [title, value] : m.fields) {
      w.BeginObject();
      w.Key("title");
      w.String(title);
      w.Key("value");
      w.String(value);
      w.Key("short");
      w.Bool(false);
      w.EndObject();
    }
    w.EndArray();
  }
  opt("footer", m.footer);
  w.EndObject();
}

}  // namespace

std::string EncodeAttachments(const Message& m) {
  if (!m.attachment) return {};
  std::string out;
  json::Writer w(&out);
  w.BeginArray();
  WriteAttachment(m, w);
  w.EndArray();
  return out;
}

std::string EncodeForm(const Message& m) {
  std::string body;
  std::string attachments = EncodeAttachments(m);
  if (!attachments.empty()) body += "attachments=" + url::PercentEncode(attachments) + "&";
  body += "channel=" + url::PercentEncode(m.channel);
  body += "&text=" + url::PercentEncode(EscapeText(m.text));
  return body;
}

std::string EncodeWebhookBody(const Message& m) {
  std::string out;
  json::Writer w(&out);
  w.BeginObject();
  w.Key("text");
  w.String(EscapeText(m.text));
  if (m.attachment) {
    w.Key("attachments");
    w.BeginArray();
    WriteAttachment(m, w);
    w.EndArray();
  }
  w.EndObject();
  return out;
}

Result<http::Request> BuildRequest(const SlackConfig& cfg, const event::EventPtr& event) {
  auto m = RenderMessage(cfg, tmpl::EventToValue(event));
  if (!m) return tl::unexpected(m.error());
  http::Request r;
  r.method = "POST";
  r.timeout = cfg.timeout;
  if (cfg.UsesWebhook()) {
    r.url = cfg.webhook_url;
    r.headers = {{"Content-Type", "application/json"}, {"User-Agent", "kubevents"}};
    r.body = EncodeWebhookBody(*m);
  } else {
    r.url = cfg.api_url + "/chat.postMessage";
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Authorization", "Bearer " + cfg.token},
                 {"User-Agent", "kubevents"}};
    r.body = EncodeForm(*m);
  }
  return r;
}

}  // namespace kv::sinks::chat::slack
