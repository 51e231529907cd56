// Events and parsed configs for the search receiver tests.
#pragma once

#include <memory>
#include <string>

#include "config/node.h"
#include "event/event.h"
#include "sinks/search/config.h"

namespace kv::sinks::search::testing {

inline event::EventPtr MakeEvent(std::string uid, std::string rv, std::string message = "hello",
                                 int64_t last_seen_micros = 1714557600123456) {
  auto ev = std::make_shared<event::Event>();
  ev->metadata.name = "web-1.17c";
  ev->metadata.namespace_ = "default";
  ev->metadata.uid = std::move(uid);
  ev->metadata.resource_version = std::move(rv);
  ev->metadata.labels = {{"app.kubernetes.io/name", "web"}};
  ev->involved_object.kind = "Pod";
  ev->involved_object.name = "web-1";
  ev->reason = "BackOff";
  ev->message = std::move(message);
  ev->type = "Warning";
  ev->count = 3;
  ev->last_timestamp = "2024-05-01T10:00:00Z";
  ev->last_timestamp_micros = last_seen_micros;
  return ev;
}

// Parses `yaml` (a receiver body) with the shared parser; problems are
// collected in `problems` ("" when none).
inline SearchConfig ParseBody(const std::string& yaml, std::string* problems,
                              Engine engine = Engine::kOpenSearch) {
  auto diag = std::make_shared<config::Diagnostics>();
  config::Node node = config::ParseYaml(yaml, "r.yaml", diag);
  SearchConfig c = ParseSearchConfig(node, engine, {});
  problems->clear();
  for (const auto& p : diag->problems()) *problems += p.ToString() + "\n";
  return c;
}

}  // namespace kv::sinks::search::testing
