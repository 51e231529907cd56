#include "sinks/chat/webhook/request.h"

#include <algorithm>
#include <cctype>

#include "sinks/chat/webhook/encoder.h"
#include "tmpl/event_value.h"
#include "util/base64.h"

namespace kv::sinks::chat::webhook {

namespace {

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void SetHeader(http::Headers* headers, std::string name, std::string value) {
  for (auto& [k, v] : *headers) {
    if (SameName(k, name)) {
      v = std::move(value);
      return;
    }
  }
  headers->emplace_back(std::move(name), std::move(value));
}

// One event, encoded, with the headers rendered for it.
struct Encoded {
  size_t index;
  std::string document;
  http::Headers headers;
  std::string key;
};

chat::PlannedRequest MakeRequest(const WebhookConfig& cfg, std::vector<Encoded>& group) {
  chat::PlannedRequest p;
  http::Request& r = p.request;
  r.method = cfg.method;
  r.url = cfg.endpoint;
  r.timeout = cfg.timeout;
  r.headers = {{"Content-Type", std::string(ContentType(cfg.batch))},
               {"User-Agent", std::string(kUserAgent)}};
  for (auto& [k, v] : group.front().headers) SetHeader(&r.headers, k, std::move(v));
  if (!cfg.basic_username.empty()) {
    SetHeader(&r.headers, "Authorization",
              "Basic " + base64::Encode(cfg.basic_username + ":" + cfg.basic_password));
  } else if (!cfg.bearer_token.empty()) {
    SetHeader(&r.headers, "Authorization", "Bearer " + cfg.bearer_token);
  }
  SetHeader(&r.headers, std::string(kIdempotencyHeader), group.front().key);
  std::vector<std::string> docs;
  docs.reserve(group.size());
  for (auto& e : group) {
    docs.push_back(std::move(e.document));
    p.items.push_back(e.index);
  }
  r.body = JoinBody(docs, cfg.batch);
  p.what = r.method + " " + chat::RedactUrl(r.url);
  group.clear();
  return p;
}

}  // namespace

chat::Plan PlanRequests(std::span<const event::EventPtr> batch, const WebhookConfig& cfg) {
  chat::Plan plan;
  plan.items.assign(batch.size(), Verdict::kDelivered);
  std::vector<Encoded> group;
  size_t group_bytes = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    tmpl::Value value = tmpl::EventToValue(batch[i]);
    auto doc = EncodeEvent(*batch[i], cfg.layout, value);
    if (!doc) {
      plan.items[i] = Verdict::kReject;
      if (plan.reason.empty()) plan.reason = doc.error().message;
      continue;
    }
    // The array's commas and the lines' newlines: one byte per document.
    size_t bytes = doc->size() + 1;
    if (!group.empty() &&
        (cfg.batch == BatchFormat::kNone || group.size() >= cfg.batch_max_events ||
         group_bytes + bytes > cfg.batch_max_bytes)) {
      plan.requests.push_back(MakeRequest(cfg, group));
      group_bytes = 0;
    }
    Encoded e{i, std::move(*doc), {}, batch[i]->IdempotencyKey()};
    // Headers are rendered for the first event of a request only.
    if (group.empty()) e.headers = chat::RenderHeaders(cfg.headers, value);
    group.push_back(std::move(e));
    group_bytes += bytes;
  }
  if (!group.empty()) plan.requests.push_back(MakeRequest(cfg, group));
  return plan;
}

}  // namespace kv::sinks::chat::webhook
