#include "sinks/chat/teams/request.h"

#include <simdjson.h>

#include "event/encode.h"
#include "tmpl/event_value.h"
#include "util/json_writer.h"

namespace kv::sinks::chat::teams {

namespace {

std::string Field(simdjson::dom::element root, std::string_view key) {
  simdjson::dom::element value;
  if (root[key].get(value) != simdjson::SUCCESS) return {};
  std::string_view s;
  if (value.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return simdjson::minify(value);
}

}  // namespace

std::string ConnectorText(std::string_view event_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string message, reason, metadata;
  if (parser.parse(event_json.data(), event_json.size()).get(root) == simdjson::SUCCESS &&
      root.is_object()) {
    message = Field(root, "message");
    reason = Field(root, "reason");
    metadata = Field(root, "metadata");
  }
  return "Event: " + message + " \nStatus: " + reason + " \nMetadata: " + metadata;
}

std::string EncodeMessageCard(std::string_view text) {
  std::string out;
  json::Writer w(&out);
  w.BeginObject();
  w.Key("@type");
  w.String("MessageCard");
  w.Key("@context");
  w.String("https://schema.org/extensions");
  w.Key("summary");
  w.String("event");
  w.Key("text");
  w.String(text);
  w.EndObject();
  return out;
}

std::string EncodeAdaptiveCard(std::string_view title, std::string_view message,
                               const std::vector<std::pair<std::string, std::string>>& facts) {
  std::string out;
  json::Writer w(&out);
  w.BeginObject();
  w.Key("type");
  w.String("message");
  w.Key("attachments");
  w.BeginArray();
  w.BeginObject();
  w.Key("contentType");
  w.String("application/vnd.microsoft.card.adaptive");
  w.Key("contentUrl");
  w.Null();
  w.Key("content");
  w.BeginObject();
  w.Key("$schema");
  w.String("http://adaptivecards.io/schemas/adaptive-card.json");
  w.Key("type");
  w.String("AdaptiveCard");
  w.Key("version");
  w.String("1.4");
  w.Key("body");
  w.BeginArray();
  if (!title.empty()) {
    w.BeginObject();
    w.Key("type");
    w.String("TextBlock");
    w.Key("text");
    w.String(title);
    w.Key("weight");
    w.String("Bolder");
    w.Key("size");
    w.String("Medium");
    w.Key("wrap");
    w.Bool(true);
    w.EndObject();
  }
  w.BeginObject();
  w.Key("type");
  w.String("TextBlock");
  w.Key("text");
  w.String(message);
  w.Key("wrap");
  w.Bool(true);
  w.EndObject();
  if (!facts.empty()) {
    w.BeginObject();
    w.Key("type");
    w.String("FactSet");
    w.Key("facts");
    w.BeginArray();
    for (const auto& [k, v] : facts) {
      w.BeginObject();
      w.Key("title");
      w.String(k);
      w.Key("value");
      w.String(v);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return out;
}

Result<http::Request> BuildRequest(const TeamsConfig& cfg, const event::EventPtr& event) {
  tmpl::Value value = tmpl::EventToValue(event);
  http::Request r;
  r.method = "POST";
  r.timeout = cfg.timeout;
  if (cfg.UsesWorkflow()) {
    auto title = Render(cfg.title, value, "title");
    if (!title) return tl::unexpected(title.error());
    auto message = Render(cfg.message, value, "message");
    if (!message) return tl::unexpected(message.error());
    std::vector<std::pair<std::string, std::string>> facts;
    for (const auto& [name, t] : cfg.facts) {
      auto v = t.Execute(value);
      if (!v) return Fail(ErrorCode::kInvalidConfig, "facts." + name + ": " + v.error().message);
      facts.emplace_back(name, std::move(*v));
    }
    r.url = cfg.workflow_url;
    r.body = EncodeAdaptiveCard(*title, *message, facts);
  } else {
    std::string doc;
    if (cfg.layout) {
      auto rendered = cfg.layout->Render(value);
      if (!rendered) {
        return Fail(ErrorCode::kInvalidConfig, "layout: " + rendered.error().message);
      }
      doc = std::move(*rendered);
    } else {
      doc = event::EncodeJson(*event);
    }
    r.url = cfg.endpoint;
    r.body = EncodeMessageCard(ConnectorText(doc));
  }
  r.headers = {{"Content-Type", "application/json"}, {"User-Agent", "kubevents"}};
  for (auto& [k, v] : RenderHeaders(cfg.headers, value)) r.headers.emplace_back(k, std::move(v));
  return r;
}

}  // namespace kv::sinks::chat::teams
