#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <utility>
#include <vector>

#include "aws/canonical.h"

namespace kv::aws {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string ToHex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size);
  return std::string(reinterpret_cast<char*>(out), size);
}

std::string FormatTime(std::chrono::system_clock::time_point now, const char* format) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Replaces every header called `name` (any case) by one `name: value`.
void SetHeader(http::Headers& headers, std::string_view name, std::string value) {
  std::erase_if(headers, [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
  headers.emplace_back(std::string(name), std::move(value));
}

const std::string* FindHeader(const http::Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return &v;
  }
  return nullptr;
}

bool HasHeader(const http::Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return ToHex(digest, sizeof digest);
}

void Signer::Sign(http::Request& request, const Credentials& credentials,
                  std::chrono::system_clock::time_point now) {
  const std::string amz_date = FormatTime(now, "%Y%m%dT%H%M%SZ");
  const std::string date = amz_date.substr(0, 8);
  const UrlParts url = SplitUrl(request.url);

  if (!HasHeader(request.headers, "host")) request.headers.emplace_back("host", url.host);
  SetHeader(request.headers, "x-amz-date", amz_date);
  std::erase_if(request.headers, [](const auto& h) {
    return EqualsIgnoreCase(h.first, "authorization") ||
           EqualsIgnoreCase(h.first, "x-amz-security-token");
  });
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  std::string payload_hash;
  if (options_.unsigned_payload) {
    payload_hash = kUnsignedPayload;
  } else if (const std::string* given = FindHeader(request.headers, "x-amz-content-sha256");
             given != nullptr && !options_.add_content_sha256_header) {
    payload_hash = *given;  // the caller's precomputed or streaming hash, as botocore honours it
  } else {
    payload_hash = Sha256Hex(request.body);
  }
  if (options_.add_content_sha256_header || options_.unsigned_payload) {
    SetHeader(request.headers, "x-amz-content-sha256", payload_hash);
  }

  const CanonicalHeaders headers = CanonicalizeHeaders(request.headers);
  std::string canonical_request;
  canonical_request.reserve(256 + request.url.size());
  canonical_request.append(request.method).append("\n");
  canonical_request.append(CanonicalPath(url.path)).append("\n");
  canonical_request.append(CanonicalQuery(url.query)).append("\n");
  canonical_request.append(headers.canonical).append("\n");
  canonical_request.append(headers.signed_names).append("\n");
  canonical_request.append(payload_hash);

  const std::string scope = date + "/" + options_.region + "/" + options_.service + "/aws4_request";
  std::string string_to_sign;
  string_to_sign.append(kAlgorithm).append("\n");
  string_to_sign.append(amz_date).append("\n");
  string_to_sign.append(scope).append("\n");
  string_to_sign.append(Sha256Hex(canonical_request));

  const std::string key = SigningKey(credentials.secret_access_key, date);
  const std::string digest = Hmac(key, string_to_sign);
  const std::string signature =
      ToHex(reinterpret_cast<const unsigned char*>(digest.data()), digest.size());

  std::string authorization(kAlgorithm);
  authorization.append(" Credential=").append(credentials.access_key_id).append("/").append(scope);
  authorization.append(", SignedHeaders=").append(headers.signed_names);
  authorization.append(", Signature=").append(signature);
  request.headers.emplace_back("authorization", std::move(authorization));
}

std::string Signer::SigningKey(const std::string& secret, const std::string& date) {
  // The cache key holds a hash of the secret, not the secret itself, so a
  // stray dump of the signer never shows it.
  std::string scope = Sha256Hex(secret) + "/" + date;
  std::lock_guard lock(mu_);
  if (scope != cached_scope_) {
    std::string key = Hmac("AWS4" + secret, date);
    key = Hmac(key, options_.region);
    key = Hmac(key, options_.service);
    cached_key_ = Hmac(key, "aws4_request");
    cached_scope_ = std::move(scope);
  }
  return cached_key_;
}

}  // namespace kv::aws
