// Small readers for AWS JSON answers (simdjson DOM): a missing or mistyped
// field reads as empty/zero, because AWS omits fields that do not apply
// (a successful entry has no ErrorCode).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string_view>

namespace kv::sinks::aws::json_read {

inline std::string_view String(simdjson::dom::element e, std::string_view key) {
  std::string_view v;
  if (e[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

inline int64_t Int(simdjson::dom::element e, std::string_view key, int64_t def = 0) {
  int64_t v = 0;
  if (e[key].get_int64().get(v) != simdjson::SUCCESS) return def;
  return v;
}

inline bool Bool(simdjson::dom::element e, std::string_view key) {
  bool v = false;
  if (e[key].get_bool().get(v) != simdjson::SUCCESS) return false;
  return v;
}

inline bool Has(simdjson::dom::element e, std::string_view key) {
  return e[key].error() == simdjson::SUCCESS;
}

}  // namespace kv::sinks::aws::json_read
