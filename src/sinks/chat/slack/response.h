// Slack answers -> SendOutcome (pure).
//
// Web API: HTTP 200 with {"ok":true,…} is delivered. {"ok":false,"error":E}
// is retried when E says Slack is busy or failing (ratelimited,
// rate_limited, service_unavailable, fatal_error, internal_error,
// request_timeout) and rejected otherwise (channel_not_found,
// not_in_channel, invalid_auth, token_revoked, msg_too_long, …: the same
// message will fail again). A 200 whose body is not Slack's JSON (a proxy's
// page) is retried. Other statuses as ClassifyHttp: 429 (Slack's rate
// limit) and 5xx retried with Retry-After; other 4xx rejected.
// Incoming webhook: ClassifyHttp (Slack answers 200 "ok"; 400
// invalid_payload, 403 action_prohibited, 404 channel_not_found or
// no_service, 410 channel_is_archived are rejected; 429 and 5xx retried).
#pragma once

#include <string_view>

#include "http/client.h"
#include "sinks/sink.h"
#include "util/result.h"

namespace kv::sinks::chat::slack {

SendOutcome ClassifyApi(const Result<http::Response>& response, std::string_view what);

}  // namespace kv::sinks::chat::slack
