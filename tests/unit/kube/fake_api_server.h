// A scripted kube-apiserver for the core/v1 Events collection, on
// 127.0.0.1 (cpp-httplib), for tests that drive a real kube::Client.
//
// Each kind of request the watcher sends has its own queue of answers,
// taken in order: LIST pages (`?limit=`), resume checks
// (`?limit=1&resourceVersionMatch=Exact`) and WATCH streams (`?watch=1`).
// A watch's pieces go out as separate HTTP chunks; a piece may first wait
// for the test (`before`), so a frame can be cut across reads for sure,
// and may repeat its bytes (`times`), so a huge line streams out without
// the test holding it whole.
// When a queue runs dry: a LIST gets 503, a check 200 (the version exists),
// a watch stays open, silent, until Close().
//
// Threads: the server's own; every method is thread-safe.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace kv::kube::testing {

class FakeApiServer {
 public:
  struct Reply {
    int status = 200;
    std::string body;
  };
  struct Piece {
    Piece(std::string b, std::function<void()> f = nullptr)  // NOLINT: implicit from bytes
        : bytes(std::move(b)), before(std::move(f)) {}
    // `bytes` sent `times` times in a row.
    static Piece Repeated(std::string b, size_t times) {
      Piece p(std::move(b));
      p.times = times;
      return p;
    }
    std::string bytes;
    std::function<void()> before;  // runs on the server thread first; may block
    size_t times = 1;
  };
  struct Stream {
    int status = 200;  // anything else: `body` is the whole (non-streamed) answer
    std::string body;
    std::vector<Piece> pieces;
    bool hold_open = false;  // after the pieces, stay open until Close()
  };
  // A 200 watch sending `pieces`, then staying open until Close().
  static Stream Held(std::vector<Piece> pieces = {}) { return {200, "", std::move(pieces), true}; }
  // A 200 watch sending `pieces`, then ending.
  static Stream Ending(std::vector<Piece> pieces = {}) {
    return {200, "", std::move(pieces), false};
  }
  // A watch refused with `status` and `body`.
  static Stream Refused(int status, std::string body) {
    return {status, std::move(body), {}, false};
  }

  FakeApiServer() {
    server_.Get("/api/v1/events",
                [this](const httplib::Request& req, httplib::Response& res) { Serve(req, res); });
    server_.set_keep_alive_max_count(1);  // Stop() need not wait out idle connections
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeApiServer() { Stop(); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void AddList(Reply r) { Push(lists_, std::move(r)); }
  void AddCheck(Reply r) { Push(checks_, std::move(r)); }
  void AddWatch(Stream s) { Push(watches_, std::move(s)); }

  // Every request's target (path and query), in arrival order.
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  // Targets of the requests whose target contains `part`.
  std::vector<std::string> RequestsWith(const std::string& part) {
    std::vector<std::string> out;
    for (auto& r : requests()) {
      if (r.find(part) != std::string::npos) out.push_back(r);
    }
    return out;
  }
  // Waits (10 s at most) until `n` requests containing `part` arrived.
  bool AwaitRequests(const std::string& part, size_t n) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] {
      size_t count = 0;
      for (auto& r : requests_) count += r.find(part) != std::string::npos;
      return count >= n;
    });
  }

  // Ends every held stream, now and later.
  void Close() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    changed_.notify_all();
  }
  void Stop() {
    Close();
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

 private:
  template <typename T>
  void Push(std::deque<T>& q, T v) {
    std::lock_guard lock(mu_);
    q.push_back(std::move(v));
  }
  template <typename T>
  bool Pop(std::deque<T>& q, T* out) {
    if (q.empty()) return false;
    *out = std::move(q.front());
    q.pop_front();
    return true;
  }

  void Serve(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock(mu_);
    requests_.push_back(req.target);
    changed_.notify_all();
    if (req.has_param("watch")) {
      auto s = std::make_shared<Stream>();
      if (!Pop(watches_, s.get())) s->hold_open = true;
      lock.unlock();
      ServeStream(s, res);
      return;
    }
    Reply r;
    if (req.has_param("resourceVersionMatch")) {
      if (!Pop(checks_, &r)) r.body = R"({"kind":"EventList","metadata":{},"items":[]})";
    } else if (!Pop(lists_, &r)) {
      r = {503, R"({"kind":"Status","code":503,"message":"no LIST scripted"})"};
    }
    res.status = r.status;
    res.set_content(r.body, "application/json");
  }

  void ServeStream(const std::shared_ptr<Stream>& s, httplib::Response& res) {
    res.status = s->status;
    if (s->status != 200) {
      res.set_content(s->body, "application/json");
      return;
    }
    // Not plain "application/json": cpp-httplib would gzip that (curl
    // accepts gzip) and hold the frames in its compressor until the end.
    res.set_chunked_content_provider(
        "application/json;stream=watch",
        [this, s](size_t, httplib::DataSink& sink) { return Write(*s, sink); });
  }

  bool Write(const Stream& s, httplib::DataSink& sink) {
    for (const Piece& p : s.pieces) {
      if (p.before) p.before();
      for (size_t i = 0; i < p.times; ++i) {
        if (!sink.write(p.bytes.data(), p.bytes.size())) return false;
      }
    }
    if (s.hold_open) {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [this] { return closing_; });
    }
    sink.done();
    return true;
  }

  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;

  std::mutex mu_;  // guards everything below
  std::condition_variable changed_;
  std::deque<Reply> lists_;
  std::deque<Reply> checks_;
  std::deque<Stream> watches_;
  std::vector<std::string> requests_;
  bool closing_ = false;
};

}  // namespace kv::kube::testing
