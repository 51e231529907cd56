#include "sinks/search/hosts.h"

#include <algorithm>

namespace kv::sinks::search {

HostPool::HostPool(std::vector<std::string> hosts, Clock& clock) : clock_(clock) {
  for (auto& h : hosts) hosts_.push_back(Host{std::move(h)});
}

std::vector<size_t> HostPool::Order() {
  auto now = clock_.SteadyNow();
  std::vector<size_t> rested, resting;
  for (size_t k = 0; k < hosts_.size(); ++k) {
    size_t i = (next_ + k) % hosts_.size();
    (hosts_[i].resting_until <= now ? rested : resting).push_back(i);
  }
  next_ = (next_ + 1) % hosts_.size();
  std::stable_sort(resting.begin(), resting.end(), [this](size_t a, size_t b) {
    return hosts_[a].resting_until < hosts_[b].resting_until;
  });
  rested.insert(rested.end(), resting.begin(), resting.end());
  return rested;
}

void HostPool::MarkFailed(size_t i) {
  Host& h = hosts_[i];
  h.failures = std::min(h.failures + 1, 7);
  auto rest = std::min<std::chrono::seconds>(std::chrono::seconds(60),
                                             std::chrono::seconds(1 << (h.failures - 1)));
  h.resting_until = clock_.SteadyNow() + rest;
}

void HostPool::MarkOk(size_t i) {
  hosts_[i].failures = 0;
  hosts_[i].resting_until = {};
}

void HostPool::Replace(const std::vector<std::string>& hosts) {
  std::vector<Host> next;
  next.reserve(hosts.size());
  for (const auto& url : hosts) {
    auto same =
        std::find_if(hosts_.begin(), hosts_.end(), [&](const Host& h) { return h.url == url; });
    next.push_back(same != hosts_.end() ? *same : Host{url});
  }
  hosts_ = std::move(next);
  next_ = 0;
}

bool HostPool::Contains(std::string_view url) const {
  return std::any_of(hosts_.begin(), hosts_.end(), [&](const Host& h) { return h.url == url; });
}

bool ShouldFailOver(const Result<http::Response>& response) {
  if (!response) return true;
  return response->status == 502 || response->status == 503 || response->status == 504;
}

}  // namespace kv::sinks::search
