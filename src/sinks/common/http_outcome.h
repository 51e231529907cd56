// How an HTTP answer (or a transport failure) maps onto a SendOutcome, the
// same way for every HTTP receiver:
//   2xx                          -> kDelivered
//   408, 425, 429, 5xx           -> kRetry (Retry-After honoured, seconds or HTTP date)
//   transport error              -> kRetry
//   other 4xx, incl. 401 and 403 -> kReject: the peer will not take this request
//                                   as it is; the worker dead-letters it (kept on disk
//                                   with the reason, counted, logged), no retry loop
// Receivers with their own rules (Slack's {"ok":false}, bulk per-item
// answers) start from this and refine it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "http/client.h"
#include "sinks/sink.h"
#include "util/clock.h"
#include "util/result.h"

namespace kv::sinks::common {

// `what` names the request in the reason ("POST https://host/path"); never
// put credentials in it. About `max_body` bytes of the answer's body are
// quoted in the reason, on one line; an HTML page (a proxy's 502) is
// quoted as "(HTML page: <title>)" (log::ShortReason).
SendOutcome ClassifyHttp(const Result<http::Response>& response, std::string_view what,
                         size_t max_body = 200);

// Parses a Retry-After value: delta-seconds or an IMF-fixdate relative to
// `now`. nullopt when absent or unparsable; never negative.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now);

// The wait an answer's Retry-After asks for: delta-seconds, or an HTTP-date
// measured against the same answer's Date header, i.e. on the peer's own
// clock, so neither our clock nor the skew between the two enters (a date
// without a Date header is ignored, as client-go ignores dates). nullopt
// when there is none; never negative. Delivery caps what it honours.
std::optional<std::chrono::seconds> RetryAfter(const http::Response& response);

}  // namespace kv::sinks::common
