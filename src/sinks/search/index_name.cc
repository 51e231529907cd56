#include "sinks/search/index_name.h"

#include "tmpl/go_format.h"

namespace kv::sinks::search {

IndexPattern::IndexPattern(std::string_view pattern) {
  size_t open = pattern.find('{');
  size_t close = pattern.rfind('}');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    prefix_ = pattern;
    return;
  }
  prefix_ = pattern.substr(0, open);
  layout_ = pattern.substr(open + 1, close - open - 1);
  suffix_ = pattern.substr(close + 1);
  has_layout_ = true;
}

std::string IndexPattern::Format(std::chrono::system_clock::time_point when) const {
  if (!has_layout_) return prefix_;
  std::string out = prefix_;
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch()).count();
  tmpl::AppendTimeFormat(&out, tmpl::Time::FromUnixNanos(ns), layout_);
  out += suffix_;
  return out;
}

}  // namespace kv::sinks::search
