// Teams answers -> SendOutcome (pure).
//
// Connector: ClassifyHttp, and one more rule the reference has: an Office
// 365 connector that is itself throttled answers 200 with a body saying
// "Microsoft Teams endpoint returned HTTP error 429"; that is retried.
// Workflows: ClassifyHttp (the trigger answers 202 Accepted; 429 and 5xx
// retried with Retry-After, other 4xx rejected).
#pragma once

#include <string_view>

#include "http/client.h"
#include "sinks/sink.h"
#include "util/result.h"

namespace kv::sinks::chat::teams {

inline constexpr std::string_view kConnectorThrottled =
    "Microsoft Teams endpoint returned HTTP error 429";

SendOutcome ClassifyConnector(const Result<http::Response>& response, std::string_view what);

}  // namespace kv::sinks::chat::teams
