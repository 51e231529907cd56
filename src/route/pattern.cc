#include "route/pattern.h"

namespace kv::route {

namespace {

// True if `s` has no character RE2 would read as an operator.
bool IsPlainText(std::string_view s) {
  return s.find_first_of(".[]{}()*+?|^$\\") == std::string_view::npos;
}

}  // namespace

Result<Pattern> Pattern::Compile(const std::string& pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, opts);
  if (!re->ok()) return Fail(ErrorCode::kInvalidConfig, re->error());
  Pattern p;
  p.text_ = pattern;
  std::string_view body = pattern;
  bool head = !body.empty() && body.front() == '^';
  if (head) body.remove_prefix(1);
  bool tail =
      !body.empty() && body.back() == '$' && (body.size() < 2 || body[body.size() - 2] != '\\');
  if (tail) body.remove_suffix(1);
  if (IsPlainText(body)) {
    p.literal_ = std::string(body);
    p.kind_ = head && tail ? Kind::kEquals
              : head       ? Kind::kPrefix
              : tail       ? Kind::kSuffix
                           : Kind::kContains;
  } else {
    p.re_ = std::move(re);
  }
  return p;
}

bool Pattern::Match(std::string_view value) const {
  switch (kind_) {
    case Kind::kContains:
      return value.find(literal_) != std::string_view::npos;
    case Kind::kEquals:
      return value == literal_;
    case Kind::kPrefix:
      return value.substr(0, literal_.size()) == literal_;
    case Kind::kSuffix:
      return value.size() >= literal_.size() &&
             value.substr(value.size() - literal_.size()) == literal_;
    case Kind::kRegex:
      return RE2::PartialMatch(re2::StringPiece(value.data(), value.size()), *re_);
  }
  return false;
}

}  // namespace kv::route
