// `indexFormat`: an index name with a Go time layout in braces, e.g.
// "kube-events-{2006-01-02}" -> "kube-events-2024-05-01". As in the
// reference, the layout is everything from the first '{' to the last '}'
// (so "{2006}.{01}" is one layout, "2006}.{01"), formatted in UTC.
// Immutable; Format is thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace kv::sinks::search {

class IndexPattern {
 public:
  explicit IndexPattern(std::string_view pattern);

  // The index name for time `when`.
  std::string Format(std::chrono::system_clock::time_point when) const;
  // True when the name depends on the time at all.
  bool has_layout() const { return has_layout_; }

 private:
  std::string prefix_;
  std::string layout_;
  std::string suffix_;
  bool has_layout_ = false;
};

}  // namespace kv::sinks::search
