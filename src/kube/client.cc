#include "kube/client.h"

#include "event/decode.h"
#include "util/base64.h"

namespace kv::kube {

namespace {
constexpr const char* kUserAgent = "kubevents";
}

Client::Client(std::shared_ptr<Credentials> credentials, std::shared_ptr<RateLimiter> limiter,
               StopSignal* stop)
    : credentials_(std::move(credentials)), limiter_(std::move(limiter)), stop_(stop) {}

Result<http::Request> Client::Prepare(const std::string& path, const std::string& accept,
                                      http::TlsOptions* tls) {
  if (limiter_ && !limiter_->Acquire(stop_)) {
    return Fail(ErrorCode::kUnavailable, "shutting down");
  }
  auto auth = credentials_->Get();
  if (!auth) return tl::unexpected(auth.error());
  http::Request req;
  req.url = credentials_->config().server + path;
  req.headers.emplace_back("Accept", accept);
  req.headers.emplace_back("User-Agent", kUserAgent);
  if (!auth->bearer_token.empty()) {
    req.headers.emplace_back("Authorization", "Bearer " + auth->bearer_token);
  } else if (!auth->basic_user.empty()) {
    req.headers.emplace_back(
        "Authorization", "Basic " + base64::Encode(auth->basic_user + ":" + auth->basic_password));
  }
  *tls = auth->tls;
  return req;
}

Result<http::Response> Client::Get(const std::string& path, std::chrono::milliseconds timeout,
                                   const std::string& accept) {
  return Do("GET", path, "", timeout, "", accept);
}

Result<http::Response> Client::Send(const std::string& method, const std::string& path,
                                    const std::string& body, std::chrono::milliseconds timeout,
                                    const std::string& content_type) {
  return Do(method, path, body, timeout, content_type, kAcceptJson);
}

Result<http::Response> Client::Do(const std::string& method, const std::string& path,
                                  const std::string& body, std::chrono::milliseconds timeout,
                                  const std::string& content_type, const std::string& accept) {
  for (int attempt = 0;; ++attempt) {
    http::TlsOptions tls;
    auto req = Prepare(path, accept, &tls);
    if (!req) return tl::unexpected(req.error());
    req->method = method;
    req->timeout = timeout;
    if (!body.empty()) {
      req->body = body;
      req->headers.emplace_back("Content-Type", content_type);
    }
    auto resp = http_.Do(*req, tls);
    if (!resp) return resp;
    if (resp->status == 401 && attempt == 0 &&
        (credentials_->config().exec || !credentials_->config().token_file.empty())) {
      credentials_->Invalidate();  // a rotated token or an expired plugin credential
      continue;
    }
    return resp;
  }
}

Result<http::Response> Client::Watch(const std::string& path, const http::ChunkCallback& on_chunk,
                                     std::chrono::seconds idle_timeout,
                                     const http::AbortCheck& abort) {
  for (int attempt = 0;; ++attempt) {
    http::TlsOptions tls;
    auto req = Prepare(path, kAcceptJson, &tls);
    if (!req) return tl::unexpected(req.error());
    req->timeout = std::chrono::milliseconds(0);  // the server ends it (timeoutSeconds)
    req->idle_timeout = idle_timeout;
    auto resp = http_.Stream(*req, tls, on_chunk, [this, &abort] {
      return (stop_ != nullptr && stop_->Stopped()) || (abort && abort());
    });
    if (resp && resp->status == 401 && attempt == 0 &&
        (credentials_->config().exec || !credentials_->config().token_file.empty())) {
      credentials_->Invalidate();
      continue;
    }
    return resp;
  }
}

std::string DescribeFailure(const http::Response& response) {
  event::Decoder decoder;
  event::Status st = decoder.DecodeStatus(response.body);
  std::string out = std::to_string(response.status);
  if (!st.reason.empty()) out += " " + st.reason;
  if (!st.message.empty()) {
    out += ": " + st.message;
  } else if (!response.body.empty() && response.body.size() < 200 && response.body[0] != '{') {
    out += ": " + response.body;
  }
  return out;
}

}  // namespace kv::kube
