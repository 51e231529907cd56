// Turns a fuzz input into the HTTP answer a receiver's response parser is
// given, so seeds stay readable text:
//
//   <3-digit status>\n
//   Header-Name: value\n      (any number; names are lower-cased as http/ does)
//   \n
//   <body>
//
// Status 000..003 stand for a transport/credential failure instead of an
// answer (kUnavailable, kUnauthorized, kNotFound, kInternal). An input that
// does not start with three digits and a newline is a 200 answer whose body
// is the whole input. Header-only: needs no library beyond the types.
//
// Headers named x-fuzz-* are not part of the answer: they carry the
// harness's own parameters (how many entries the request had), taken out
// with TakeFuzzCount before the parser sees the answer.
#pragma once

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <string_view>

#include "http/client.h"
#include "util/result.h"

namespace kv::fuzz {

inline Result<http::Response> ResponseFromInput(std::string_view in) {
  http::Response r;
  bool framed = in.size() >= 4 && in[3] == '\n' &&
                std::isdigit(static_cast<unsigned char>(in[0])) &&
                std::isdigit(static_cast<unsigned char>(in[1])) &&
                std::isdigit(static_cast<unsigned char>(in[2]));
  if (!framed) {
    r.status = 200;
    r.body = std::string(in);
    return r;
  }
  long status = (in[0] - '0') * 100 + (in[1] - '0') * 10 + (in[2] - '0');
  switch (status) {
    case 0:
      return Fail(ErrorCode::kUnavailable, "fuzz: connection refused");
    case 1:
      return Fail(ErrorCode::kUnauthorized, "fuzz: credentials refused");
    case 2:
      return Fail(ErrorCode::kNotFound, "fuzz: no credentials");
    case 3:
      return Fail(ErrorCode::kInternal, "fuzz: internal");
    default:
      break;
  }
  r.status = status;
  in.remove_prefix(4);
  while (!in.empty()) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    if (line.empty()) break;  // end of the headers
    size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value =
        colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(std::move(name), std::string(value));
  }
  r.body = std::string(in);
  return r;
}

// Removes every x-fuzz-`name` header from the answer and returns the last
// one's number, clamped to `max`; `fallback` when there is none (or no
// answer, or no number).
inline size_t TakeFuzzCount(Result<http::Response>* response, std::string_view name,
                            size_t fallback, size_t max) {
  if (!response->has_value()) return fallback;
  std::string key = "x-fuzz-" + std::string(name);
  size_t out = fallback;
  auto& headers = (*response)->headers;
  for (const auto& [k, v] : headers) {
    if (k != key) continue;
    size_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec == std::errc()) out = std::min(n, max);
  }
  std::erase_if(headers, [&](const auto& h) { return h.first == key; });
  return out;
}

}  // namespace kv::fuzz
