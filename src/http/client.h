// An HTTP client over libcurl: TLS with in-memory or file CA and client
// certificates, keep-alive (the handle is reused), HTTP/2 over TLS where the
// server offers it, and a streaming GET for long-lived watch responses.
//
// One Client per thread: the curl handle inside is not thread-safe. A
// transport failure (DNS, refused, reset, timeout, TLS) is kUnavailable;
// an HTTP status, whatever it is, is a successful Response.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace kv::http {

struct TlsOptions {
  std::string ca_pem;   // trusted CAs, PEM; empty = system store (or ca_file)
  std::string ca_file;  // trusted CAs, path
  bool insecure_skip_verify = false;
  std::string client_cert_pem;  // PEM, or
  std::string client_cert_file;
  std::string client_key_pem;  // PEM, or
  std::string client_key_file;
  // The name to send as SNI and to verify the server's certificate against,
  // instead of the URL's host (Go's tls.Config.ServerName). The connection
  // still goes to the URL's host and port, and the Host header stays the
  // URL's. Empty = the URL's host. https URLs only.
  std::string server_name;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// What a caller that only classifies answers (the sinks) keeps of a body:
// enough for any verdict and any per-item answer the receivers parse. The
// rest is counted in Response::body_bytes_dropped and discarded, so a peer
// that streams a huge answer cannot exhaust memory.
inline constexpr size_t kClassifyBodyBytes = size_t{1} << 20;

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};  // whole request; 0 = none
  std::chrono::milliseconds connect_timeout{10000};
  // Abort when no byte arrives for this long; 0 = never. For streams that
  // the server promises to end (a watch's timeoutSeconds), this catches a
  // connection that died without a FIN or RST.
  std::chrono::seconds idle_timeout{0};
};

struct Response {
  long status = 0;
  std::string body;
  Headers headers;  // names lower-cased
  // Bytes of the body read but not kept in `body`: past the Client's
  // max_body_bytes. The transfer stops at the first piece past the cap
  // (curl closes that connection), so a peer answering gigabytes costs a
  // megabyte, not the request's whole timeout.
  size_t body_bytes_dropped = 0;
  // First value of header `name` (lower-case), or "".
  std::string Header(std::string_view name) const;
};

// Called with each piece of a streamed body. Return false to stop the
// transfer (the Stream call then returns normally).
using ChunkCallback = std::function<bool(std::string_view chunk)>;
// Polled about once a second during a transfer; return true to abort it.
using AbortCheck = std::function<bool()>;

class Client {
 public:
  // `max_body_bytes`: keep at most this many bytes of a buffered body
  // (Do(), and Stream()'s non-2xx bodies); 0 keeps it whole.
  explicit Client(size_t max_body_bytes = 0);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Performs one request and buffers the answer (up to max_body_bytes).
  Result<Response> Do(const Request& request, const TlsOptions& tls);

  // Any thread: ends a transfer in progress within about a second (the
  // progress callback's period), and fails every later one at once, with
  // kUnavailable "aborted: shutting down". For a receiver's worker whose
  // shutdown grace is over while it waits on a peer.
  void Abort() { aborted_.store(true); }

  // Performs a request whose 2xx body is handed to `on_chunk` as it
  // arrives. A non-2xx body is buffered into the returned Response instead.
  // Returns the Response (status, headers) when the server closes the
  // stream, `on_chunk` returns false, or `abort` returns true.
  Result<Response> Stream(const Request& request, const TlsOptions& tls,
                          const ChunkCallback& on_chunk, const AbortCheck& abort);

  struct Transfer;  // one transfer's state, shared with curl's callbacks (client.cc)

 private:
  Result<Response> Perform(const Request& request, const TlsOptions& tls, Transfer& transfer);
  const size_t max_body_bytes_;  // constant after construction; 0 = no cap
  std::atomic<bool> aborted_{false};
  // CURL*, owned; replaced after a transport error so no half-dead
  // connection is reused.
  void* curl_;
};

}  // namespace kv::http
