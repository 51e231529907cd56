#include "aws/errors.h"

#include <simdjson.h>

#include <algorithm>
#include <array>

#include "aws/xml.h"

namespace kv::aws {

namespace {

// "com.amazonaws.sqs#QueueDoesNotExist", "QueueDoesNotExist:http://…" and
// "aws.protocols#X" all name the code after '#' and before ':'.
std::string CleanCode(std::string_view type) {
  if (size_t hash = type.rfind('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
  if (size_t colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return std::string(type);
}

std::optional<AwsError> ParseJson(std::string_view body) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(object)) return std::nullopt;
  AwsError error;
  for (auto field : object) {
    std::string_view key, value;
    if (field.unescaped_key().get(key) || field.value().get_string().get(value)) continue;
    if (key == "__type" || ((key == "code" || key == "Code") && error.code.empty())) {
      error.code = CleanCode(value);
    } else if (key == "message" || key == "Message" || key == "errorMessage") {
      error.message = std::string(value);
    }
  }
  if (error.code.empty()) return std::nullopt;
  return error;
}

std::optional<AwsError> ParseXml(std::string_view body) {
  std::optional<std::string> code = xml::Text(body, "Code");
  if (!code || code->empty()) return std::nullopt;
  AwsError error;
  error.code = *code;
  error.message = xml::Text(body, "Message").value_or("");
  error.request_id = xml::Text(body, "RequestId").value_or("");
  return error;
}

bool In(std::string_view code, const auto& list) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

}  // namespace

std::optional<AwsError> ParseAwsError(std::string_view body, std::string_view error_type_header) {
  size_t start = body.find_first_not_of(" \t\r\n");
  std::optional<AwsError> error;
  if (start != std::string_view::npos && body[start] == '{') {
    error = ParseJson(body);
  } else if (start != std::string_view::npos && body[start] == '<') {
    error = ParseXml(body);
  }
  if (!error_type_header.empty()) {
    if (!error) error = AwsError{};
    error->code = CleanCode(error_type_header);
  }
  if (error && error->code.empty()) return std::nullopt;
  return error;
}

bool IsRetryableAwsCode(std::string_view code) {
  static constexpr std::array<std::string_view, 27> kRetryable = {
      "Throttling",
      "ThrottlingException",
      "ThrottledException",
      "RequestThrottledException",
      "TooManyRequestsException",
      "ProvisionedThroughputExceededException",
      "TransactionInProgressException",
      "RequestLimitExceeded",
      "BandwidthLimitExceeded",
      "LimitExceededException",
      "RequestThrottled",
      "SlowDown",
      "PriorRequestNotComplete",
      "EC2ThrottledException",
      "RequestTimeout",
      "RequestTimeoutException",
      "InternalError",
      "InternalFailure",
      "InternalServerError",
      "ServiceUnavailable",
      "ServiceUnavailableException",
      "IDPCommunicationError",
      "RequestExpired",
      "RequestTimeTooSkewed",
      "RequestInTheFuture",
      "ExpiredToken",
      "ExpiredTokenException"};
  return In(code, kRetryable);
}

bool IsAuthAwsCode(std::string_view code) {
  static constexpr std::array<std::string_view, 17> kAuth = {"InvalidClientTokenId",
                                                             "SignatureDoesNotMatch",
                                                             "AccessDenied",
                                                             "AccessDeniedException",
                                                             "UnrecognizedClientException",
                                                             "InvalidAccessKeyId",
                                                             "MissingAuthenticationToken",
                                                             "MissingAuthenticationTokenException",
                                                             "IncompleteSignature",
                                                             "IncompleteSignatureException",
                                                             "AuthFailure",
                                                             "InvalidSignatureException",
                                                             "InvalidToken",
                                                             "NotAuthorized",
                                                             "UnauthorizedOperation",
                                                             "InvalidIdentityToken",
                                                             "IDPRejectedClaim"};
  return In(code, kAuth);
}

Error ToError(std::string_view what, int status, const std::optional<AwsError>& error) {
  std::string message(what);
  message += ": HTTP " + std::to_string(status);
  if (error) {
    message += " " + error->code;
    if (!error->message.empty()) message += ": " + error->message;
  }
  ErrorCode code = ErrorCode::kRejected;
  if ((error && IsRetryableAwsCode(error->code)) || status == 429 || status >= 500) {
    code = ErrorCode::kUnavailable;
  } else if ((error && IsAuthAwsCode(error->code)) || status == 401 || status == 403) {
    code = ErrorCode::kUnauthorized;
  }
  return Error(code, std::move(message), status);
}

}  // namespace kv::aws
