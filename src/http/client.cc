#include "http/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

namespace kv::http {

std::string Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

struct Client::Transfer {
  Response response;
  const ChunkCallback* on_chunk = nullptr;
  const AbortCheck* abort = nullptr;
  const std::atomic<bool>* client_aborted = nullptr;  // Client::Abort
  CURL* curl = nullptr;
  size_t max_body_bytes = 0;  // 0 = keep the whole body
  bool stopped_by_callback = false;
  bool aborted_by_client = false;
};

namespace {

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Client::Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // a new response (after 100-continue or a redirect)
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string key(line.substr(0, colon));
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    t->response.headers.emplace_back(std::move(key), std::string(value));
  }
  return size * n;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Client::Transfer*>(user);
  std::string_view chunk(data, size * n);
  if (t->on_chunk != nullptr) {
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) {
      if (!(*t->on_chunk)(chunk)) {
        t->stopped_by_callback = true;
        return 0;  // makes curl stop with CURLE_WRITE_ERROR
      }
      return size * n;
    }
  }
  size_t keep = chunk.size();
  if (t->max_body_bytes != 0) {
    size_t have = t->response.body.size();
    keep = have >= t->max_body_bytes ? 0 : std::min(keep, t->max_body_bytes - have);
  }
  t->response.body.append(chunk.substr(0, keep));
  t->response.body_bytes_dropped += chunk.size() - keep;
  if (keep < chunk.size()) {
    // Past the cap: what was kept decides; reading on would only cost time.
    t->stopped_by_callback = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  return size * n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Client::Transfer*>(user);
  if (t->client_aborted != nullptr && t->client_aborted->load()) {
    t->aborted_by_client = true;
    return 1;
  }
  if (t->abort != nullptr && *t->abort && (*t->abort)()) {
    t->stopped_by_callback = true;
    return 1;
  }
  return 0;
}

void SetBlob(CURL* curl, CURLoption option, const std::string& pem) {
  curl_blob blob{};
  blob.data = const_cast<char*>(pem.data());
  blob.len = pem.size();
  blob.flags = CURL_BLOB_COPY;
  curl_easy_setopt(curl, option, &blob);
}

// The parts of an https URL that serverName handling needs.
struct HttpsTarget {
  std::string userinfo;   // "user:pass@" or ""
  std::string host;       // as written: "example.com", "10.0.0.1", "[::1]"
  std::string port;       // "443" when absent
  std::string authority;  // host[:port] as written, for the Host header
  std::string rest;       // "/path?query", at least "/"
};

Result<HttpsTarget> SplitHttpsUrl(const std::string& url) {
  constexpr std::string_view kScheme = "https://";
  if (url.compare(0, kScheme.size(), kScheme) != 0) {
    return Fail(ErrorCode::kInvalidConfig, "tls.serverName needs an https:// URL");
  }
  HttpsTarget t;
  size_t start = kScheme.size();
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? end : end - start);
  t.rest = end == std::string::npos ? "/" : url.substr(end);
  if (!t.rest.empty() && t.rest[0] != '/') t.rest = "/" + t.rest;
  if (size_t at = authority.rfind('@'); at != std::string::npos) {
    t.userinfo = authority.substr(0, at + 1);
    authority.erase(0, at + 1);
  }
  t.authority = authority;
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    t.host = authority.substr(0, colon);
    t.port = authority.substr(colon + 1);
  } else {
    t.host = authority;
    t.port = "443";
  }
  if (t.host.empty() || t.port.empty()) {
    return Fail(ErrorCode::kInvalidConfig, "cannot read the host of " + url);
  }
  return t;
}

}  // namespace

Client::Client(size_t max_body_bytes) : max_body_bytes_(max_body_bytes), curl_(curl_easy_init()) {}

Client::~Client() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Result<Response> Client::Do(const Request& request, const TlsOptions& tls) {
  Transfer t;
  t.max_body_bytes = max_body_bytes_;
  return Perform(request, tls, t);
}

Result<Response> Client::Stream(const Request& request, const TlsOptions& tls,
                                const ChunkCallback& on_chunk, const AbortCheck& abort) {
  Transfer t;
  t.max_body_bytes = max_body_bytes_;
  t.on_chunk = &on_chunk;
  t.abort = &abort;
  return Perform(request, tls, t);
}

Result<Response> Client::Perform(const Request& request, const TlsOptions& tls, Transfer& t) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  if (aborted_.load()) return Fail(ErrorCode::kUnavailable, "aborted: shutting down");
  t.client_aborted = &aborted_;
  curl_easy_reset(curl);  // keeps the connection cache
  t.curl = curl;
  // serverName: libcurl takes SNI and the verified name from the URL, so
  // the URL names server_name and CONNECT_TO sends the connection to the
  // real host; the Host header keeps the real one (what Go does).
  std::string url = request.url;
  std::string host_header;
  curl_slist* connect_to = nullptr;
  if (!tls.server_name.empty()) {
    auto target = SplitHttpsUrl(request.url);
    if (!target) return Fail(ErrorCode::kInvalidConfig, target.error().message);
    url = "https://" + target->userinfo + tls.server_name + ":" + target->port + target->rest;
    connect_to = curl_slist_append(
        nullptr,
        (tls.server_name + ":" + target->port + ":" + target->host + ":" + target->port).c_str());
    host_header = "Host: " + target->authority;
    curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to);
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers) {
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
  }
  // No "Expect: 100-continue" round trip on uploads.
  headers = curl_slist_append(headers, "Expect:");
  if (!host_header.empty()) headers = curl_slist_append(headers, host_header.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  if (request.idle_timeout.count() > 0) {
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(request.idle_timeout.count()));
  }
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip etc. when offered
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  // Always: Abort() must reach any transfer.
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
  // TLS: verification is on unless the user turned it off explicitly.
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, tls.insecure_skip_verify ? 0L : 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, tls.insecure_skip_verify ? 0L : 2L);
  if (!tls.ca_pem.empty()) {
    SetBlob(curl, CURLOPT_CAINFO_BLOB, tls.ca_pem);
  } else if (!tls.ca_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
  }
  if (!tls.client_cert_pem.empty()) {
    SetBlob(curl, CURLOPT_SSLCERT_BLOB, tls.client_cert_pem);
    curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
  } else if (!tls.client_cert_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.client_cert_file.c_str());
  }
  if (!tls.client_key_pem.empty()) {
    SetBlob(curl, CURLOPT_SSLKEY_BLOB, tls.client_key_pem);
    curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
  } else if (!tls.client_key_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.client_key_file.c_str());
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);

  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_slist_free_all(connect_to);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &t.response.status);
  if (t.aborted_by_client) return Fail(ErrorCode::kUnavailable, "aborted: shutting down");
  if (rc != CURLE_OK && !t.stopped_by_callback) {
    std::string detail = errbuf[0] != 0 ? errbuf : curl_easy_strerror(rc);
    // Drop the handle and its connection cache: after a reset, GOAWAY or
    // timeout, reusing a cached connection can hang the next request.
    curl_easy_cleanup(curl);
    curl_ = curl_easy_init();
    // The URL is left out on purpose: webhook URLs carry secrets. Callers
    // add the context that is safe to log.
    return Fail(ErrorCode::kUnavailable, detail, static_cast<int>(t.response.status));
  }
  return std::move(t.response);
}

}  // namespace kv::http
