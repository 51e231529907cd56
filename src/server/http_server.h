// The exporter's one HTTP listener (cpp-httplib) for operators and
// Prometheus:
//   /metrics                  the Registry's text exposition (format 0.0.4)
//   /healthz, /-/healthy      200 "ok" while the process serves HTTP
//   /readyz,  /-/ready        200 when every readiness check passes, else 503;
//                             the plain-text body lists each check's state
// Anything else is 404. Only GET (and HEAD) are served.
//
// Threads: Start() binds and returns; requests are served on the server's
// own small pool (options.threads). Readiness checks and collectors run on
// those threads, so they must be thread-safe and quick. Stop() may be called
// from any thread (once Start() has returned) and returns once the pool has
// finished: at most about options.idle_timeout after the last request.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/metrics.h"
#include "util/result.h"

namespace httplib {
class Server;
}

namespace kv::server {

// A readiness check's answer. `detail` is one line, safe to show anyone who
// can reach the port (no secrets).
struct CheckResult {
  bool ok = false;
  std::string detail;
};
using ReadinessCheck = std::function<CheckResult()>;

struct HttpServerOptions {
  // "host:port", ":port" (every address), "[::1]:port"; port 0 picks a free
  // one (see port()). The reference exporter's -metrics-address default.
  std::string address = ":2112";
  int threads = 2;
  // How long an idle keep-alive connection or a silent client holds a
  // thread; also bounds how long Stop() waits.
  std::chrono::seconds idle_timeout{2};
};

// Splits an address into host and port. ":2112" gives host "" (every
// address). kInvalidConfig for a missing/invalid port or unbalanced brackets.
Result<std::pair<std::string, int>> ParseListenAddress(const std::string& address);

class HttpServer {
 public:
  // `registry` must outlive the server.
  HttpServer(HttpServerOptions options, const Registry& registry);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Adds a named check to /readyz. Thread-safe; may be called before or
  // after Start(). Checks are reported in the order they were added.
  void AddReadinessCheck(std::string name, ReadinessCheck check);

  // Binds the address and starts serving; once per server. kInvalidConfig
  // for a malformed address; kIo when the address cannot be bound (in use,
  // not local).
  Result<void> Start();

  // Stops listening, closes connections, joins the threads. Idempotent.
  void Stop();

  // The bound port (after a successful Start()), useful with port 0.
  int port() const { return port_; }

  // The /readyz answer as it stands: status 200 or 503, and the body.
  std::pair<int, std::string> Readiness() const;

 private:
  void Route();

  // Constant after construction.
  const HttpServerOptions options_;
  const Registry& registry_;
  std::unique_ptr<httplib::Server> server_;

  // Owned by the thread calling Start()/Stop().
  std::thread listen_thread_;
  int port_ = 0;

  // Guarded by mu_.
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, ReadinessCheck>> checks_;
};

}  // namespace kv::server
