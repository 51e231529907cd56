#include "sinks/chat/opsgenie/request.h"

#include "tmpl/event_value.h"
#include "util/json_writer.h"

namespace kv::sinks::chat::opsgenie {

std::string EncodeAlert(const Alert& alert) {
  std::string out;
  json::Writer w(&out);
  w.BeginObject();
  w.Key("message");
  w.String(TruncateCodePoints(alert.message, kMaxMessageChars));
  if (!alert.alias.empty()) {
    w.Key("alias");
    w.String(TruncateCodePoints(alert.alias, kMaxAliasChars));
  }
  if (!alert.description.empty()) {
    w.Key("description");
    w.String(TruncateCodePoints(alert.description, kMaxDescriptionChars));
  }
  if (!alert.tags.empty()) {
    w.Key("tags");
    w.BeginArray();
    for (size_t i = 0; i < alert.tags.size() && i < kMaxTags; ++i) {
      w.String(TruncateCodePoints(alert.tags[i], kMaxTagChars));
    }
    w.EndArray();
  }
  if (!alert.details.empty()) {
    w.Key("details");
    w.BeginObject();
    for (const auto& [k, v] : alert.details) {
      w.Key(k);
      w.String(v);
    }
    w.EndObject();
  }
  if (!alert.priority.empty()) {
    w.Key("priority");
    w.String(alert.priority);
  }
  w.EndObject();
  return out;
}

Result<http::Request> BuildRequest(const OpsgenieConfig& cfg, const event::EventPtr& event) {
  tmpl::Value value = tmpl::EventToValue(event);
  Alert alert;
  alert.priority = cfg.priority;
  for (auto [t, what, out] : {std::tuple{&cfg.message, "message", &alert.message},
                              std::tuple{&cfg.alias, "alias", &alert.alias},
                              std::tuple{&cfg.description, "description", &alert.description}}) {
    auto r = Render(*t, value, what);
    if (!r) return tl::unexpected(r.error());
    *out = std::move(*r);
  }
  if (alert.message.empty()) {
    return Fail(ErrorCode::kInvalidConfig, "message rendered empty; Opsgenie requires one");
  }
  for (size_t i = 0; i < cfg.tags.size(); ++i) {
    auto tag = cfg.tags[i].Execute(value);
    if (!tag) {
      return Fail(ErrorCode::kInvalidConfig,
                  "tags[" + std::to_string(i) + "]: " + tag.error().message);
    }
    if (!tag->empty()) alert.tags.push_back(std::move(*tag));
  }
  for (const auto& [name, t] : cfg.details) {
    auto v = t.Execute(value);
    if (!v) return Fail(ErrorCode::kInvalidConfig, "details." + name + ": " + v.error().message);
    alert.details.emplace_back(name, std::move(*v));
  }
  http::Request r;
  r.method = "POST";
  r.url = cfg.base_url + "/v2/alerts";
  r.timeout = cfg.timeout;
  r.headers = {{"Content-Type", "application/json"},
               {"Authorization", "GenieKey " + cfg.api_key},
               {"User-Agent", "kubevents"}};
  r.body = EncodeAlert(alert);
  return r;
}

}  // namespace kv::sinks::chat::opsgenie
