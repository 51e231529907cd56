// AWS error answers: the error code and message parsed from any AWS
// protocol's body, and what kubevents should do about them. Pure;
// thread-safe.
//
//   JSON protocols (SQS JSON, Kinesis, Firehose, …):
//     {"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"…"}
//     (or "code"/"Code", "Message"); the x-amzn-ErrorType header wins when given.
//   Query/XML protocols (STS, SNS, SQS XML, IAM) and REST-XML:
//     <ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>
//     <RequestId>…</RequestId></ErrorResponse>, or <Error><Code>…</Code>…</Error>.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace kv::aws {

struct AwsError {
  std::string code;     // e.g. "ThrottlingException", "AccessDenied"
  std::string message;  // the service's text (never holds our secrets)
  std::string request_id;
};

// The error in `body`; `error_type_header` is the x-amzn-ErrorType header
// ("" if absent). nullopt when neither holds an error code.
std::optional<AwsError> ParseAwsError(std::string_view body,
                                      std::string_view error_type_header = {});

// Throttling, clock skew, expired session tokens and transient service
// faults: the same request may succeed later (with fresh credentials).
bool IsRetryableAwsCode(std::string_view code);

// The request's credentials or signature were refused (bad key, bad
// signature, missing permission, rejected web identity token).
bool IsAuthAwsCode(std::string_view code);

// One Error for an AWS answer with HTTP `status`:
//   retryable code, 429 or 5xx -> kUnavailable
//   auth code, 401 or 403      -> kUnauthorized
//   anything else              -> kRejected
// The message reads "<what>: HTTP <status> <Code>: <Message>".
Error ToError(std::string_view what, int status, const std::optional<AwsError>& error);

}  // namespace kv::aws
