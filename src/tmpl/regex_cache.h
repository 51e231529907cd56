// A small, bounded, thread-safe cache of compiled RE2 patterns (internal to
// src/tmpl). sprig's regex functions take the pattern as an argument, so
// without it a template compiles the same constant pattern once per event.
// Header-only: one instance lives in sprig.cc, tests make their own.
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace kv::tmpl {

class RegexCache {
 public:
  static constexpr size_t kDefaultCapacity = 64;
  // Longer patterns are compiled for the call and not kept: a pattern built
  // from event data must not pin large programs in memory.
  static constexpr size_t kMaxCachedPatternBytes = 4096;

  explicit RegexCache(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // The compiled pattern (RE2::Quiet; check ok()), shared with other
  // callers; the least recently used pattern leaves when the cache is full.
  std::shared_ptr<const RE2> Get(std::string_view pattern) {
    if (pattern.size() > kMaxCachedPatternBytes || capacity_ == 0) return Compile(pattern);
    {
      std::lock_guard lock(mu_);
      if (auto it = index_.find(std::string(pattern)); it != index_.end()) {
        order_.splice(order_.begin(), order_, it->second);  // now the most recent
        return it->second->second;
      }
    }
    // Compiled outside the lock: compiling may take a while and two threads
    // compiling the same new pattern at once is harmless.
    std::shared_ptr<const RE2> re = Compile(pattern);
    std::lock_guard lock(mu_);
    if (index_.count(std::string(pattern)) == 0) {
      order_.emplace_front(std::string(pattern), re);
      index_.emplace(order_.front().first, order_.begin());
      if (order_.size() > capacity_) {
        index_.erase(order_.back().first);
        order_.pop_back();
      }
    }
    return re;
  }

  size_t size() const {
    std::lock_guard lock(mu_);
    return order_.size();
  }

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const RE2>>;

  static std::shared_ptr<const RE2> Compile(std::string_view pattern) {
    return std::make_shared<const RE2>(pattern, RE2::Quiet);
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

// The cache sprig's regex functions use (sprig.cc).
RegexCache& SharedRegexCache();

}  // namespace kv::tmpl
