// How the watcher reads an API server's answer: one table for its LIST
// pages, the resume check (LIST ?limit=1&resourceVersionMatch=Exact), its
// WATCH requests and a watch's ERROR frames, so a status means the same
// thing on every path.
//
//   answer                                  code           the watcher
//   2xx                                     (success)      uses the body
//   410 Gone                                kGone          relists (an expired
//                                                          continue token
//                                                          restarts the list)
//   401, 403                                kUnauthorized  Start fails; Run backs off
//   408, 429, 5xx, no status (an ERROR      kUnavailable   Start fails; Run backs off
//     frame without a code)
//   any other status (400, 404, 422, 3xx…)  kRejected      Start fails; Run backs off
//   transport failure                       the client's   Start fails; Run backs off
//                                           (kUnavailable, or the credential
//                                           error: kInvalidConfig, kIo…)
//
// A 401 reaches this table only after Client has re-fetched rotating
// credentials once. Pure: no I/O.
#pragma once

#include <optional>
#include <string_view>

#include "http/client.h"
#include "util/result.h"

namespace kv::kube {

// The table above for an HTTP status (or a watch ERROR frame's code):
// nullopt for 2xx, else the error code.
std::optional<ErrorCode> ClassifyStatus(long status);

// A whole answer: success for a 2xx Response; otherwise an Error whose
// message is `what` + ": " + the reason (DescribeFailure of the Status body,
// or the transport error), with http_status set when the server answered.
Result<void> CheckAnswer(const Result<http::Response>& answer, std::string_view what);

}  // namespace kv::kube
