// A real HTTP server on 127.0.0.1 for the HTTP receivers' tests
// (cpp-httplib, one listening thread). It records every request and answers
// with what the test scripts: the scripted answers follow each service's
// documented behaviour (status codes, bodies, Retry-After), as each test
// says where it uses them.
#pragma once

#include <httplib.h>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/node.h"
#include "event/event.h"

namespace kv::testing {

struct Recorded {
  std::string method;
  std::string path;   // without the query
  std::string query;  // "a=1&b=2" as received
  std::string body;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Answer {
  Answer(int s = 200, std::string b = {}, std::string type = "application/json",
         std::vector<std::pair<std::string, std::string>> h = {})
      : status(s), body(std::move(b)), content_type(std::move(type)), headers(std::move(h)) {}
  int status;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
};

class LocalServer {
 public:
  // Plain HTTP; with `cert_file` and `key_file` (PEM), HTTPS.
  explicit LocalServer(const std::string& cert_file = {}, const std::string& key_file = {})
      : server_(cert_file.empty()
                    ? std::make_unique<httplib::Server>()
                    : std::make_unique<httplib::SSLServer>(cert_file.c_str(), key_file.c_str())),
        scheme_(cert_file.empty() ? "http" : "https") {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      Recorded r{req.method, req.path, {}, req.body, req.headers};
      for (const auto& [k, v] : req.params) {
        r.query += (r.query.empty() ? "" : "&") + k + "=" + v;
      }
      Answer a;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(r);
        if (!script_.empty()) {
          a = script_.front();
          script_.pop_front();
        } else {
          a = fallback_;
        }
      }
      res.status = a.status;
      for (const auto& [k, v] : a.headers) res.set_header(k, v);
      res.set_content(a.body, a.content_type);
    };
    server_->Post(".*", handler);
    server_->Put(".*", handler);
    server_->Patch(".*", handler);
    port_ = server_->bind_to_any_port("127.0.0.1");
    // bind_to_any_port already listens: connections queue until the loop runs.
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() only stops a running loop: wait until it runs, so the
    // destructor never races the thread's start.
    while (!server_->is_running()) std::this_thread::yield();
  }
  ~LocalServer() {
    server_->stop();
    thread_.join();
  }

  std::string Url(const std::string& path = "/") const {
    return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path;
  }
  // Answers for the next requests, in order; then `fallback`.
  void Script(std::vector<Answer> answers) {
    std::lock_guard lock(mu_);
    script_.assign(answers.begin(), answers.end());
  }
  void Fallback(Answer a) {
    std::lock_guard lock(mu_);
    fallback_ = std::move(a);
  }
  std::vector<Recorded> Requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::string scheme_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::deque<Answer> script_;
  Answer fallback_;
  std::vector<Recorded> requests_;
};

// An event with every field the chat texts use.
inline event::EventPtr MakeEvent(const std::string& uid = "u-1", const std::string& rv = "42") {
  auto ev = std::make_shared<event::Event>();
  ev->metadata.name = "web-1.17a";
  ev->metadata.namespace_ = "default";
  ev->metadata.uid = uid;
  ev->metadata.resource_version = rv;
  ev->involved_object.kind = "Pod";
  ev->involved_object.namespace_ = "default";
  ev->involved_object.name = "web-1";
  ev->involved_object.labels["team"] = "payments";
  ev->reason = "BackOff";
  ev->message = "Back-off restarting failed container";
  ev->type = "Warning";
  ev->count = 3;
  ev->cluster_name = "prod";
  ev->source.component = "kubelet";
  return ev;
}

// A receiver block parsed from YAML, with its problems as text.
struct Block {
  std::shared_ptr<config::Diagnostics> diag = std::make_shared<config::Diagnostics>();
  config::Node node;
  explicit Block(const std::string& yaml) : node(config::ParseYaml(yaml, "r.yaml", diag)) {}
  std::string Problems() const {
    std::string out;
    for (const auto& p : diag->problems()) {
      out += std::string(p.warning ? "warning: " : "") + p.ToString() + "\n";
    }
    return out;
  }
  bool HasErrors() const { return diag->HasErrors(); }
};

}  // namespace kv::testing
