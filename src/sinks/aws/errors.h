// AWS error answers: reading the error code out of any protocol's answer
// and turning it into a Verdict, the same way for every AWS receiver.
//
//   throttling codes, 5xx, 429, transport errors  -> kRetry
//   clock-skew codes (RequestTimeTooSkewed, ...)  -> kRetry (NTP may fix the clock)
//   auth codes (SignatureDoesNotMatch, InvalidClientTokenId, AccessDenied,
//     ExpiredToken, ...) and credential lookups that were refused
//                                                 -> kReject, reason says so
//   any other 4xx (validation, missing resource)  -> kReject
// Reasons name the operation, the HTTP status, the AWS code and AWS's own
// message (which never carries a secret or an event body).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/client.h"
#include "sinks/aws/batch.h"
#include "sinks/sink.h"
#include "util/result.h"

namespace kv::sinks::aws {

struct AwsError {
  std::string code;     // e.g. "ThrottlingException"; "" if the answer had none
  std::string message;  // AWS's message; may be ""
};

// Reads the code and message of a non-2xx answer with aws/errors.h's
// ParseAwsError (JSON `__type`, x-amzn-ErrorType, XML <Code>/<Message>),
// preferring SQS's x-amzn-query-error header when present.
AwsError ParseError(const http::Response& response);

enum class ErrorKind {
  kThrottling,  // slow down, retry
  kServer,      // AWS-side failure, retry
  kClockSkew,   // request time out of range, retry
  kAuth,        // credentials or permissions: reject
  kClient,      // the request itself is wrong: reject
};

// Classifies an error code (per-request or per-entry); `status` is the
// HTTP status when known (0 for per-entry codes).
ErrorKind ClassifyCode(std::string_view code, long status);

inline bool IsRetryable(ErrorKind k) {
  return k == ErrorKind::kThrottling || k == ErrorKind::kServer || k == ErrorKind::kClockSkew;
}

// The outcome of one call that did not succeed: a transport failure, a
// credentials failure (Error code kUnauthorized/kNotFound -> kReject,
// other codes -> kRetry), or a non-2xx answer. `what` names the call, e.g.
// "sns PublishBatch". For a 2xx answer returns kDelivered and the caller
// reads the body. `error_kind` (optional) receives the classification.
SendOutcome ClassifyCall(const Result<http::Response>& response, std::string_view what,
                         ErrorKind* error_kind = nullptr);

// ClassifyCall for a batch request: nullopt for a 2xx answer (the caller
// reads the per-entry results), else the result for all its entries,
// with `stop` set when later requests would fail the same way (retryable
// failures and refused credentials).
std::optional<ChunkResult> CallFailure(const Result<http::Response>& response,
                                       std::string_view what);

// The reason given to an event too large for the API: kubevents does not
// cut JSON (a cut document is unreadable), it dead-letters the event.
std::string OversizeReason(std::string_view what, size_t bytes, size_t limit);

// Shortens AWS's message for a log line (one line, at most `max` bytes).
std::string Shorten(std::string_view message, size_t max = 300);

}  // namespace kv::sinks::aws
