// Event -> Opsgenie Alert API request (pure).
//
//   POST {URL}/v2/alerts
//   Authorization: GenieKey <apiKey>
//   Content-Type: application/json
//   {"message":…,"alias":…,"description":…,"tags":[…],"details":{…},"priority":"P3"}
// Keys in the Go SDK's order; empty values left out (message never is:
// an empty message is rejected here, Opsgenie requires one). Opsgenie's
// documented field limits are applied by cutting (chat::TruncateCodePoints,
// "…" last): message 130, alias 512, description 15000 characters, at
// most 20 tags of 50 characters. The alias is Opsgenie's dedup key: an
// open alert with the same alias is not created again, so the default
// (the event's uid/resourceVersion) makes a re-sent event one alert.
// Answers: ClassifyHttp (202 Accepted is success; 429 and 5xx retried;
// 400/422 bad request and 401/403 bad key rejected).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "event/event.h"
#include "http/client.h"
#include "sinks/chat/opsgenie/config.h"
#include "util/result.h"

namespace kv::sinks::chat::opsgenie {

inline constexpr size_t kMaxMessageChars = 130;
inline constexpr size_t kMaxAliasChars = 512;
inline constexpr size_t kMaxDescriptionChars = 15000;
inline constexpr size_t kMaxTags = 20;
inline constexpr size_t kMaxTagChars = 50;

struct Alert {
  std::string message, alias, description, priority;
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::string>> details;  // sorted by key
};

// The JSON body, limits applied.
std::string EncodeAlert(const Alert& alert);

Result<http::Request> BuildRequest(const OpsgenieConfig& cfg, const event::EventPtr& event);

}  // namespace kv::sinks::chat::opsgenie
