#include "sinks/chat/webhook/config.h"

#include <algorithm>
#include <cctype>

#include "sinks/common/document.h"

namespace kv::sinks::chat::webhook {

namespace {

bool SameHeader(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void ParseBatch(const config::Node& node, WebhookConfig* cfg) {
  if (!node.Has("batch")) return;
  config::Node batch = node.Child("batch");
  if (!batch.IsMap()) {
    node.Report("expected a map {format, maxEvents, maxBytes}", "batch");
    return;
  }
  batch.RejectUnknownKeys({"format", "maxEvents", "maxBytes"});
  std::string format = batch.String("format");
  if (format == "array") {
    cfg->batch = BatchFormat::kArray;
  } else if (format == "ndjson") {
    cfg->batch = BatchFormat::kNdjson;
  } else if (format == "none") {
    cfg->batch = BatchFormat::kNone;
  } else if (!format.empty()) {  // "": the struct's default stands
    batch.Report("expected array, ndjson or none", "format");
  }
  cfg->batch_max_events = static_cast<size_t>(
      batch.Int("maxEvents", static_cast<int64_t>(cfg->batch_max_events), 1, 10000));
  cfg->batch_max_bytes = static_cast<size_t>(
      batch.Int("maxBytes", static_cast<int64_t>(cfg->batch_max_bytes), 1024, int64_t{1} << 30));
  if (cfg->batch == BatchFormat::kNone) {
    for (std::string_view key : {"maxEvents", "maxBytes"}) {
      if (batch.Has(key)) {
        batch.Warn("has no effect without format: array or ndjson (one event per request)", key);
      }
    }
  }
}

}  // namespace

WebhookConfig ParseConfig(const config::Node& node) {
  node.RejectUnknownKeys({"endpoint", "headers", "layout", "tls", "method", "timeoutSeconds",
                          "basicAuth", "bearerToken", "batch"});
  WebhookConfig cfg;
  cfg.endpoint = chat::ParseUrl(node, "endpoint", true);
  std::string method = node.String("method", cfg.method);
  std::transform(method.begin(), method.end(), method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (method != "POST" && method != "PUT" && method != "PATCH") {
    node.Report("expected POST, PUT or PATCH", "method");
  } else {
    cfg.method = method;
  }
  cfg.headers = chat::ParseHeaders(node, "headers");
  cfg.layout = common::ParseLayout(node, "layout");
  cfg.tls = chat::ParseTls(node);
  cfg.timeout = chat::ParseTimeout(node);
  if (node.Has("basicAuth")) {
    config::Node basic = node.Child("basicAuth");
    if (!basic.IsMap()) {
      node.Report("expected a map {username, password}", "basicAuth");
    } else {
      basic.RejectUnknownKeys({"username", "password"});
      cfg.basic_username = basic.String("username");
      cfg.basic_password = basic.String("password");
      if (cfg.basic_username.empty()) basic.Report("missing required key", "username");
      if (cfg.basic_username.find(':') != std::string::npos) {
        basic.Report("a basic-auth username cannot hold ':'", "username");
      }
    }
  }
  cfg.bearer_token = node.String("bearerToken");
  bool has_auth_header = std::any_of(cfg.headers.begin(), cfg.headers.end(), [](const auto& h) {
    return SameHeader(h.name, "Authorization");
  });
  int auths = (node.Has("basicAuth") ? 1 : 0) + (cfg.bearer_token.empty() ? 0 : 1) +
              (has_auth_header ? 1 : 0);
  if (auths > 1) {
    node.Report("choose one of basicAuth, bearerToken and an Authorization header");
  }
  ParseBatch(node, &cfg);
  return cfg;
}

}  // namespace kv::sinks::chat::webhook
