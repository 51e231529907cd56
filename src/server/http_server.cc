#include "server/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <charconv>

namespace kv::server {

namespace {

constexpr const char* kPlainText = "text/plain; charset=utf-8";

}  // namespace

Result<std::pair<std::string, int>> ParseListenAddress(const std::string& address) {
  std::string host;
  std::string port;
  if (!address.empty() && address[0] == '[') {
    size_t close = address.find(']');
    if (close == std::string::npos || close + 1 >= address.size() || address[close + 1] != ':') {
      return Fail(ErrorCode::kInvalidConfig,
                  "listen address '" + address + "': expected [host]:port");
    }
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    size_t colon = address.rfind(':');
    if (colon == std::string::npos) {
      return Fail(ErrorCode::kInvalidConfig,
                  "listen address '" + address + "': expected host:port");
    }
    host = address.substr(0, colon);
    if (host.find(':') != std::string::npos) {
      return Fail(ErrorCode::kInvalidConfig,
                  "listen address '" + address + "': write an IPv6 host in brackets");
    }
    port = address.substr(colon + 1);
  }
  int n = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || n < 0 || n > 65535) {
    return Fail(ErrorCode::kInvalidConfig, "listen address '" + address + "': invalid port");
  }
  return std::make_pair(host, n);
}

HttpServer::HttpServer(HttpServerOptions options, const Registry& registry)
    : options_(std::move(options)), registry_(registry) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::AddReadinessCheck(std::string name, ReadinessCheck check) {
  std::lock_guard lock(mu_);
  checks_.emplace_back(std::move(name), std::move(check));
}

std::pair<int, std::string> HttpServer::Readiness() const {
  std::vector<std::pair<std::string, ReadinessCheck>> checks;
  {
    std::lock_guard lock(mu_);
    checks = checks_;
  }
  // The format of kube-apiserver's /readyz?verbose: one line per check.
  bool ready = true;
  std::string body;
  for (const auto& [name, check] : checks) {
    CheckResult r = check();
    ready = ready && r.ok;
    body += r.ok ? "[+]" : "[-]";
    body += name;
    body += r.ok ? " ok" : " failed";
    if (!r.detail.empty()) body += ": " + r.detail;
    body += '\n';
  }
  body += ready ? "ready\n" : "not ready\n";
  return {ready ? 200 : 503, body};
}

void HttpServer::Route() {
  httplib::Server& s = *server_;
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry_.Render(), kTextContentType);
  });
  auto healthy = [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", kPlainText);
  };
  s.Get("/healthz", healthy);
  s.Get("/-/healthy", healthy);
  auto ready = [this](const httplib::Request&, httplib::Response& res) {
    auto [status, body] = Readiness();
    res.status = status;
    res.set_content(body, kPlainText);
  };
  s.Get("/readyz", ready);
  s.Get("/-/ready", ready);
  // httplib answers unknown paths with 404 and other methods with 400/405.
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      res.set_content(res.status == 404 ? "404 page not found\n" : "error\n", kPlainText);
    }
  });
}

Result<void> HttpServer::Start() {
  if (server_) return Fail(ErrorCode::kInternal, "http server started twice");
  auto addr = ParseListenAddress(options_.address);
  if (!addr) return tl::unexpected(addr.error());
  server_ = std::make_unique<httplib::Server>();
  int threads = std::max(1, options_.threads);
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  auto idle = static_cast<time_t>(std::max<int64_t>(1, options_.idle_timeout.count()));
  server_->set_keep_alive_timeout(idle);
  server_->set_read_timeout(idle, 0);
  server_->set_write_timeout(idle, 0);
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would
  // let a second process bind the same port and silently share scrapes.
  server_->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  Route();

  // ":port" means every address: IPv6 with IPv4 mapped where the host has
  // IPv6, else IPv4 only.
  std::vector<std::string> hosts = {addr->first};
  if (addr->first.empty()) hosts = {"::", "0.0.0.0"};
  bool bound = false;
  for (const auto& host : hosts) {
    if (addr->second == 0) {
      int port = server_->bind_to_any_port(host);
      if (port > 0) {
        port_ = port;
        bound = true;
      }
    } else if (server_->bind_to_port(host, addr->second)) {
      port_ = addr->second;
      bound = true;
    }
    if (bound) break;
  }
  if (!bound) {
    server_.reset();
    return Fail(ErrorCode::kIo,
                "cannot listen on " + options_.address + " (address in use or not local?)");
  }
  listen_thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() does nothing until the accept loop runs: wait for it so
  // that an early Stop() cannot leave the thread listening forever.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  spdlog::info("http server listening on {} (port {})", options_.address, port_);
  return {};
}

void HttpServer::Stop() {
  if (!server_) return;
  server_->stop();
  if (listen_thread_.joinable()) listen_thread_.join();
  server_.reset();
}

}  // namespace kv::server
