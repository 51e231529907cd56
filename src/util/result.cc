#include "util/result.h"

namespace kv {

std::string_view ToString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidConfig:
      return "invalid config";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kRejected:
      return "rejected";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kGone:
      return "gone";
    case ErrorCode::kCorrupt:
      return "corrupt";
    case ErrorCode::kFull:
      return "full";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kNotFound:
      return "not found";
  }
  return "unknown";
}

std::string Error::ToString() const {
  std::string out(kv::ToString(code));
  out += ": ";
  out += message;
  return out;
}

}  // namespace kv
