// The scripted peer of the receiver conformance suite: a real HTTP server on
// 127.0.0.1 (cpp-httplib, as tests/unit/sinks/chat/local_server.h) that
// answers each request with what the test's Responder says (status,
// headers, body; or a body of N bytes streamed; or no answer at all), and
// records every request it got. Stop() closes the port, so later sends see
// "connection refused".
//
// Threads: httplib's pool calls the handler; everything here is guarded by
// mu_. The destructor releases hung handlers before stopping the server.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace kv::conformance {

struct Recorded {
  std::string method;
  std::string path;
  std::string body;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Answer {
  Answer(int s = 200, std::string b = {}, std::string type = "application/json")
      : status(s), body(std::move(b)), content_type(std::move(type)) {}
  int status;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  size_t stream_bytes = 0;  // > 0: a body of this many 'x', streamed in 64 KiB pieces
  bool hang = false;        // accept the request and never answer
};

// Answers one request; called in the order requests arrive.
using Responder = std::function<Answer(const Recorded& request)>;

class ScriptedPeer {
 public:
  ScriptedPeer() {
    // Bodies are read through a ContentReader: httplib refuses form bodies
    // (SNS's Query protocol, Slack's Web API) over 8 KiB otherwise.
    auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader& reader) {
      std::string body;
      reader([&](const char* data, size_t n) {
        body.append(data, n);
        return true;
      });
      Handle(req, std::move(body), res);
    };
    server_.Post(".*", with_body);
    server_.Put(".*", with_body);
    server_.Patch(".*", with_body);
    server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, req.body, res);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~ScriptedPeer() { Stop(); }
  ScriptedPeer(const ScriptedPeer&) = delete;
  ScriptedPeer& operator=(const ScriptedPeer&) = delete;

  // "http://127.0.0.1:PORT" and "127.0.0.1:PORT".
  std::string Url() const { return "http://" + HostPort(); }
  std::string HostPort() const { return "127.0.0.1:" + std::to_string(port_); }

  void Respond(Responder responder) {
    std::lock_guard lock(mu_);
    responder_ = std::move(responder);
  }

  // Closes the listening port (later connections are refused); idempotent.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    released_cv_.notify_all();
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

  std::vector<Recorded> Requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Handle(const httplib::Request& req, std::string body, httplib::Response& res) {
    Recorded r{req.method, req.path, std::move(body), req.headers};
    Answer a;
    {
      std::unique_lock lock(mu_);
      requests_.push_back(r);
      a = responder_ ? responder_(r) : Answer{};
      if (a.hang) {
        released_cv_.wait(lock, [this] { return released_; });
        res.status = 599;  // the client gave up long ago
        return;
      }
    }
    res.status = a.status;
    for (const auto& [k, v] : a.headers) res.set_header(k, v);
    if (a.stream_bytes > 0) {
      res.set_content_provider(a.stream_bytes, a.content_type,
                               [](size_t, size_t length, httplib::DataSink& sink) {
                                 static const std::string piece(64 << 10, 'x');
                                 return sink.write(piece.data(), std::min(length, piece.size()));
                               });
    } else {
      res.set_content(a.body, a.content_type);
    }
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable released_cv_;
  bool released_ = false;  // guarded by mu_
  Responder responder_;    // guarded by mu_
  std::vector<Recorded> requests_;
};

}  // namespace kv::conformance
