// A small Kubernetes API client: authenticated, rate-limited GETs and
// watch streams against one API server. Not thread-safe (it owns one HTTP
// connection); the Credentials and RateLimiter it uses are, so several
// Clients may share them.
#pragma once

#include <memory>
#include <string>

#include "http/client.h"
#include "kube/credentials.h"
#include "kube/rate_limiter.h"
#include "util/result.h"
#include "util/stop.h"

namespace kv::kube {

class Client {
 public:
  static constexpr const char* kAcceptJson = "application/json";

  // `credentials` and `limiter` are shared; `stop` (may be null) aborts
  // waits and streams at shutdown and must outlive the Client.
  Client(std::shared_ptr<Credentials> credentials, std::shared_ptr<RateLimiter> limiter,
         StopSignal* stop);

  // GET `path` (with query), e.g. "/api/v1/events?limit=500". Any HTTP
  // status is a Response; kUnavailable on transport failure, kUnauthorized
  // when credentials cannot be obtained. A 401 re-fetches credentials once.
  // `accept` is the Accept header (e.g. a PartialObjectMetadata request).
  Result<http::Response> Get(const std::string& path, std::chrono::milliseconds timeout,
                             const std::string& accept = kAcceptJson);

  // A write: `method` (POST, PUT, PATCH, DELETE) on `path` with `body`
  // sent as `content_type` (none when `body` is empty). Same answers and
  // errors as Get, including the one credential refresh on a 401.
  Result<http::Response> Send(const std::string& method, const std::string& path,
                              const std::string& body, std::chrono::milliseconds timeout,
                              const std::string& content_type = kAcceptJson);

  // Streams a watch: `on_chunk` sees the 200 body as it arrives. Returns
  // when the server ends the stream, on_chunk returns false, stop fires,
  // `abort` (if given) returns true, or nothing arrives for `idle_timeout`
  // (kUnavailable then).
  Result<http::Response> Watch(const std::string& path, const http::ChunkCallback& on_chunk,
                               std::chrono::seconds idle_timeout,
                               const http::AbortCheck& abort = nullptr);

  const std::string& server() const { return credentials_->config().server; }

 private:
  Result<http::Response> Do(const std::string& method, const std::string& path,
                            const std::string& body, std::chrono::milliseconds timeout,
                            const std::string& content_type, const std::string& accept);
  Result<http::Request> Prepare(const std::string& path, const std::string& accept,
                                http::TlsOptions* tls);

  std::shared_ptr<Credentials> credentials_;
  std::shared_ptr<RateLimiter> limiter_;
  StopSignal* stop_;
  http::Client http_;
};

// One line for an operator, from an error answer: "403 Forbidden: events is
// forbidden: User ... cannot list ...". Uses the Status body when present.
std::string DescribeFailure(const http::Response& response);

}  // namespace kv::kube
