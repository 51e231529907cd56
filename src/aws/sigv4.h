// AWS Signature Version 4 request signing
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
// Pure: no I/O, no clock of its own (the caller passes the time), so it is
// checked against the published examples and botocore byte for byte.
//
// Thread-safe: the derived signing key is cached per (secret, date, region,
// service) behind a mutex.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "http/client.h"

namespace kv::aws {

struct SignOptions {
  std::string region;   // e.g. "eu-west-1"
  std::string service;  // e.g. "sns", "es", "aoss"
  // Adds x-amz-content-sha256 with the payload hash (required by S3 and
  // OpenSearch Serverless; harmless elsewhere).
  bool add_content_sha256_header = false;
  // Sign with "UNSIGNED-PAYLOAD" instead of the payload hash (for bodies
  // streamed after signing); also sends it as x-amz-content-sha256.
  // Without either option, an x-amz-content-sha256 header the caller set
  // (a precomputed hash, or a streaming marker such as
  // "STREAMING-UNSIGNED-PAYLOAD-TRAILER") is signed as the payload hash.
  bool unsigned_payload = false;
};

class Signer {
 public:
  explicit Signer(SignOptions options) : options_(std::move(options)) {}

  // Signs `request` in place for time `now`: adds host (from the URL, if
  // not set), x-amz-date, x-amz-security-token (with a session token),
  // optionally x-amz-content-sha256, and Authorization. Signs exactly the
  // method, URL (path and query, canonicalised) and body bytes that will be
  // sent; every header present at the call is signed, except those proxies
  // may rewrite (user-agent, expect, transfer-encoding, x-amzn-trace-id),
  // as botocore leaves them out too. Any x-amz-date, x-amz-security-token
  // and authorization already present are replaced. The canonicalisation
  // is aws/canonical.h's.
  void Sign(http::Request& request, const Credentials& credentials,
            std::chrono::system_clock::time_point now);

  const SignOptions& options() const { return options_; }

 private:
  // The derived key for `date` (YYYYMMDD) and this signer's region and
  // service, from the cache when the secret and date match.
  std::string SigningKey(const std::string& secret, const std::string& date);

  SignOptions options_;
  std::mutex mu_;             // guards the key cache below
  std::string cached_scope_;  // date/region/service + secret fingerprint
  std::string cached_key_;
};

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace kv::aws
