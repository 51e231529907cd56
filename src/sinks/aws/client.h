// One AWS receiver's connection: signs each request with SigV4 (aws/sigv4.h)
// using the receiver's credentials (aws/credentials.h: the default chain,
// optionally behind AssumeRole) and posts it with its own http::Client.
//
// Threads: owned and used by one receiver's worker thread (http::Client is
// not thread-safe); the credential provider may be shared.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "aws/credentials.h"
#include "aws/sigv4.h"
#include "http/client.h"
#include "sinks/aws/config.h"
#include "sinks/sink.h"
#include "util/clock.h"
#include "util/result.h"

namespace kv::sinks::aws {

class Client {
 public:
  // `base_url` without trailing slash; `sign` names region and service.
  // `clock` must outlive the Client.
  Client(std::string base_url, ::kv::aws::SignOptions sign,
         std::shared_ptr<::kv::aws::CredentialProvider> credentials, Clock& clock);

  // A JSON-protocol call: POST / with X-Amz-Target: `target` and
  // Content-Type application/x-amz-json-`json_version` ("1.0" or "1.1").
  // Errors: credentials unavailable (the provider's code: kUnauthorized /
  // kNotFound when refused or absent, kUnavailable when it failed now),
  // transport failures (kUnavailable). Any HTTP status is a Response.
  Result<http::Response> PostJson(std::string_view target, std::string_view json_version,
                                  std::string body);
  // A Query-protocol call: POST / with a form-encoded body.
  Result<http::Response> PostForm(std::string body);

  const std::string& base_url() const { return base_url_; }
  // Any thread: see http::Client::Abort.
  void Abort() { http_.Abort(); }

 private:
  Result<http::Response> Do(http::Request request);

  // Constant after construction.
  const std::string base_url_;
  std::shared_ptr<::kv::aws::CredentialProvider> credentials_;
  Clock& clock_;
  // Owned by the worker thread.
  ::kv::aws::Signer signer_;
  http::Client http_{http::kClassifyBodyBytes};  // answers are only classified
};

// Resolves what a receiver needs to talk to `service` (signing name, e.g.
// "sns", "events", "logs"; the endpoint prefix is the same for the six AWS
// receivers): the region and credentials (common/aws_access.h) and the
// endpoint. Called from a Builder, at `run`; does no network I/O itself.
// Region and credentials come from ctx.aws (kInternal when it is null);
// errors as AwsAccessPool::Resolve.
Result<std::unique_ptr<Client>> Connect(const AwsConfig& config, std::string_view service,
                                        const SinkContext& ctx);

// The Builder every AWS kind's Parse returns: at `run`, Connect()s to
// `service` and hands the client to `make(config, client)` or, for kinds
// that keep time, `make(config, client, clock)`. Connect's error is the
// Builder's.
template <typename Config, typename MakeFn>
Builder ConnectThenMake(Config config, std::string_view service, MakeFn make) {
  return [config = std::move(config), service = std::string(service),
          make](const SinkContext& ctx) -> Result<std::unique_ptr<Sink>> {
    auto client = Connect(config.aws, service, ctx);
    if (!client) return tl::unexpected(client.error());
    if constexpr (std::is_invocable_v<MakeFn, Config, std::unique_ptr<Client>, Clock&>) {
      return make(config, std::move(*client), *ctx.clock);
    } else {
      return make(config, std::move(*client));
    }
  };
}

}  // namespace kv::sinks::aws
