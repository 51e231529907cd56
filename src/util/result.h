// kv::Result and kv::Error: the one error type every module boundary uses.
// Exceptions are reserved for config loading (config::Error); everything
// else returns Result<T> so the caller sees every failure in the signature.
#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace kv {

enum class ErrorCode {
  kInvalidConfig,  // the user's input (config, kubeconfig) is wrong
  kIo,             // a local file or process could not be used
  kUnavailable,    // a peer could not be reached or answered 5xx: retry later
  kRejected,       // a peer refused the request (4xx): retrying will not help
  kUnauthorized,   // a peer refused our credentials (401/403)
  kGone,           // the resource version is too old (HTTP 410): relist
  kCorrupt,        // bytes that should have been JSON/YAML were not
  kInternal,       // a bug
  kNotFound,       // the thing asked for is not configured or does not exist
  kFull,           // a bounded queue has no room now: wait for room and retry
};

std::string_view ToString(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // safe to log: never carries secrets or event bodies
  int http_status = 0;  // set when the error is an HTTP answer

  Error() = default;
  Error(ErrorCode c, std::string m, int status = 0)
      : code(c), message(std::move(m)), http_status(status) {}

  std::string ToString() const;
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> Fail(ErrorCode code, std::string message, int http_status = 0) {
  return tl::unexpected<Error>(Error(code, std::move(message), http_status));
}

}  // namespace kv
