#include "sinks/aws/errors.h"

#include <algorithm>
#include <iterator>

#include "aws/errors.h"
#include "sinks/common/http_outcome.h"

namespace kv::sinks::aws {

namespace {

// Codes beyond aws/errors.h's lists (IsRetryableAwsCode, IsAuthAwsCode),
// used by only some receivers' APIs.
constexpr std::string_view kThrottlingCodes[] = {
    "KMSThrottlingException",
    "KinesisThrottlingException",
    "AWS.SimpleQueueService.RequestThrottled",
    "ThrottledRequest",
};

constexpr std::string_view kServerCodes[] = {
    "InternalFailure",  "InternalError",        "InternalServerError", "InternalErrorException",
    "ServiceException", "KMSInternalException", "RequestTimeout",      "RequestTimeoutException"};

constexpr std::string_view kClockSkewCodes[] = {"RequestTimeTooSkewed", "RequestExpired",
                                                "RequestInTheFuture", "SignatureExpired"};

constexpr std::string_view kAuthCodes[] = {
    "AuthorizationError",
    "ExpiredToken",  // retryable for the credential chain, fatal for a receiver's call
    "ExpiredTokenException", "KMSAccessDeniedException", "AWS.SimpleQueueService.AccessDenied",
    "OptInRequired",
};

template <size_t N>
bool In(const std::string_view (&set)[N], std::string_view code) {
  return !code.empty() && std::find(std::begin(set), std::end(set), code) != std::end(set);
}

}  // namespace

std::string Shorten(std::string_view message, size_t max) {
  std::string out;
  for (char c : message.substr(0, max)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (message.size() > max) out += "...";
  return out;
}

AwsError ParseError(const http::Response& response) {
  AwsError out;
  auto parsed = ::kv::aws::ParseAwsError(response.body, response.Header("x-amzn-errortype"));
  if (parsed) {
    out.code = parsed->code;
    out.message = parsed->message;
  }
  // SQS's JSON protocol keeps the Query-protocol code here:
  // "AWS.SimpleQueueService.NonExistentQueue;Sender".
  std::string query = response.Header("x-amzn-query-error");
  if (!query.empty()) out.code = query.substr(0, query.find(';'));
  return out;
}

ErrorKind ClassifyCode(std::string_view code, long status) {
  // Auth first: a 400 SignatureDoesNotMatch must never be retried.
  // aws/errors.h's lists first, then the codes only some receivers' APIs use.
  if (In(kAuthCodes, code) || ::kv::aws::IsAuthAwsCode(code)) return ErrorKind::kAuth;
  if (In(kClockSkewCodes, code)) return ErrorKind::kClockSkew;
  if (In(kServerCodes, code)) return ErrorKind::kServer;
  if (In(kThrottlingCodes, code) || ::kv::aws::IsRetryableAwsCode(code)) {
    return ErrorKind::kThrottling;
  }
  if (status == 429) return ErrorKind::kThrottling;
  if (status >= 500 || status == 408) return ErrorKind::kServer;
  if (status == 401 || status == 403) return ErrorKind::kAuth;
  return ErrorKind::kClient;
}

SendOutcome ClassifyCall(const Result<http::Response>& response, std::string_view what,
                         ErrorKind* error_kind) {
  SendOutcome out;
  if (!response) {
    const Error& e = response.error();
    bool refused = e.code == ErrorCode::kUnauthorized || e.code == ErrorCode::kNotFound ||
                   e.code == ErrorCode::kInvalidConfig;
    out.request = refused ? Verdict::kReject : Verdict::kRetry;
    out.reason = std::string(what) + ": " + e.message;
    if (error_kind) *error_kind = refused ? ErrorKind::kAuth : ErrorKind::kServer;
    return out;
  }
  long status = response->status;
  if (status >= 200 && status < 300) return out;
  AwsError err = ParseError(*response);
  ErrorKind kind = ClassifyCode(err.code, status);
  if (error_kind) *error_kind = kind;
  out.reason = std::string(what) + ": HTTP " + std::to_string(status);
  if (!err.code.empty()) out.reason += " " + err.code;
  if (!err.message.empty()) out.reason += ": " + Shorten(err.message);
  if (IsRetryable(kind)) {
    out.request = Verdict::kRetry;
    out.retry_after = common::RetryAfter(*response);
  } else {
    out.request = Verdict::kReject;
    if (kind == ErrorKind::kAuth) {
      out.reason += " (AWS refused the credentials or their permissions; not retried)";
    }
  }
  return out;
}

std::optional<ChunkResult> CallFailure(const Result<http::Response>& response,
                                       std::string_view what) {
  ErrorKind kind = ErrorKind::kClient;
  SendOutcome call = ClassifyCall(response, what, &kind);
  if (call.request == Verdict::kDelivered) return std::nullopt;
  ChunkResult r;
  r.request = call.request;
  r.reason = std::move(call.reason);
  r.retry_after = call.retry_after;
  r.stop = call.request == Verdict::kRetry || kind == ErrorKind::kAuth;
  return r;
}

std::string OversizeReason(std::string_view what, size_t bytes, size_t limit) {
  return std::string(what) + ": event of " + std::to_string(bytes) + " bytes is over the " +
         std::to_string(limit) + "-byte limit; dead-lettered, not truncated";
}

}  // namespace kv::sinks::aws
