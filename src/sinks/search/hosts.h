// The cluster's nodes (`hosts`), used round-robin with failover: each
// request starts at the next host in turn; a host that failed at the
// transport level or answered 502/503/504 is skipped for a while (1 s,
// doubling per consecutive failure, at most 60 s) and the same request goes
// to the next host at once. When every host is resting, the one whose rest
// ends first is tried anyway, so a request is never refused without trying.
//
// Owned by the receiver's worker thread (not thread-safe).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "http/client.h"
#include "util/clock.h"
#include "util/result.h"

namespace kv::sinks::search {

class HostPool {
 public:
  // `hosts` non-empty; `clock` must outlive the pool.
  HostPool(std::vector<std::string> hosts, Clock& clock);

  // The hosts to try for one request, best first: rested hosts round-robin
  // from the next in turn, then resting ones by the end of their rest.
  std::vector<size_t> Order();
  void MarkFailed(size_t i);
  void MarkOk(size_t i);

  // Replaces the hosts with `hosts` (sniffing; non-empty, no duplicates). A
  // host that stays keeps its failures and rest; new ones start rested. The
  // round-robin starts over at the first host. Indexes from an earlier
  // Order() are invalid afterwards.
  void Replace(const std::vector<std::string>& hosts);
  // True when `url` is one of the hosts.
  bool Contains(std::string_view url) const;

  const std::string& host(size_t i) const { return hosts_[i].url; }
  size_t size() const { return hosts_.size(); }

 private:
  struct Host {
    std::string url;
    int failures = 0;
    std::chrono::steady_clock::time_point resting_until{};
  };
  std::vector<Host> hosts_;
  Clock& clock_;
  size_t next_ = 0;
};

// True when a request should go to the next host instead: the connection
// failed, or a gateway in front of the node said it is unavailable.
bool ShouldFailOver(const Result<http::Response>& response);

}  // namespace kv::sinks::search
