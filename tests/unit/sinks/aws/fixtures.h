// Test helpers for the AWS receivers: events, layouts and canned answers.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>

#include "event/event.h"
#include "http/client.h"
#include "sinks/common/json_lines.h"
#include "util/result.h"

namespace kv::sinks::aws_test {

inline event::EventPtr MakeEvent(const std::string& message, const std::string& uid = "u1",
                                 int64_t last_micros = 1700000000123000,
                                 const std::string& object_uid = "obj-1") {
  auto ev = std::make_shared<event::Event>();
  ev->metadata.name = "ev-" + uid;
  ev->metadata.namespace_ = "default";
  ev->metadata.uid = uid;
  ev->metadata.resource_version = "42";
  ev->involved_object.kind = "Pod";
  ev->involved_object.namespace_ = "default";
  ev->involved_object.name = "web-0";
  ev->involved_object.uid = object_uid;
  ev->reason = "Started";
  ev->type = "Normal";
  ev->message = message;
  ev->last_timestamp_micros = last_micros;
  return ev;
}

// A format whose layout renders {"msg": <message>}, so bodies are short
// and exact.
inline common::LineFormat MessageLayout() {
  common::LineFormat f;
  auto layout = tmpl::Layout::Parse(YAML::Load("{msg: '{{ .Message }}'}"));
  if (layout) f.layout = std::move(*layout);
  return f;
}

inline Result<http::Response> Answer(long status, std::string body, http::Headers headers = {}) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

}  // namespace kv::sinks::aws_test
