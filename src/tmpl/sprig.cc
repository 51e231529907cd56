// sprig's functions (github.com/Masterminds/sprig/v3, TxtFuncMap) that
// kubevents supports: strings, lists and dicts, defaults, encodings, dates
// and integer math.
#include <openssl/sha.h>
#include <re2/re2.h>

#include <algorithm>
#include <chrono>

#include "tmpl/functions.h"
#include "tmpl/go_format.h"
#include "tmpl/json_decode.h"
#include "tmpl/regex_cache.h"
#include "util/base64.h"

namespace kv::tmpl {
namespace {

using K = Value::Kind;
using Args = std::span<const Value>;

tl::unexpected<std::string> Err(std::string m) { return tl::unexpected(std::move(m)); }

std::string WrongArgs(std::string_view name, size_t want, size_t got, bool at_least = false) {
  return "wrong number of args for " + std::string(name) + ": want " +
         (at_least ? "at least " : "") + std::to_string(want) + " got " + std::to_string(got);
}

// Go's assignability check for a typed parameter.
std::optional<std::string> Want(Args a, size_t i, K kind, std::string_view type) {
  if (a[i].kind() == kind) return std::nullopt;
  if (a[i].IsNull()) return "invalid value; expected " + std::string(type);
  return "wrong type for value; expected " + std::string(type) + "; got " +
         std::string(a[i].TypeName());
}

#define KV_ARITY(name, n) \
  if (a.size() != (n)) return Err(WrongArgs(name, n, a.size()))
#define KV_WANT(i, kind, type) \
  if (auto e = Want(a, i, kind, type)) return Err(*e)
#define KV_STRING(i) KV_WANT(i, K::kString, "string")

// spf13/cast's ToInt64: ints, truncated floats, bools, and strings in Go
// syntax (base prefixes, "5.0"); anything else is 0.
int64_t ToInt64(const Value& v) {
  switch (v.kind()) {
    case K::kInt:
      return v.AsInt();
    case K::kFloat:
      return static_cast<int64_t>(v.AsFloat());
    case K::kBool:
      return v.AsBool() ? 1 : 0;
    case K::kString: {
      std::string s = v.AsString();
      // trimZeroDecimal: "12.000" → "12".
      if (auto dot = s.find('.'); dot != std::string::npos && dot > 0 &&
                                  s.find_first_not_of('0', dot + 1) == std::string::npos)
        s.resize(dot);
      Value parsed;
      bool neg = !s.empty() && s[0] == '-';
      std::string_view body(s);
      if (!body.empty() && (body[0] == '-' || body[0] == '+')) body.remove_prefix(1);
      int base = 10;
      if (body.size() > 1 && body[0] == '0') {
        char p = body[1];
        if (p == 'x' || p == 'X')
          base = 16, body.remove_prefix(2);
        else if (p == 'o' || p == 'O')
          base = 8, body.remove_prefix(2);
        else if (p == 'b' || p == 'B')
          base = 2, body.remove_prefix(2);
        else
          base = 8, body.remove_prefix(1);
      }
      if (body.empty()) return 0;
      uint64_t u = 0;
      for (char c : body) {
        int d = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'z') ? c - 'a' + 10
                : (c >= 'A' && c <= 'Z') ? c - 'A' + 10
                                         : 99;
        if (c == '_') continue;
        if (d >= base) return 0;
        if (u > (UINT64_MAX - d) / base) return 0;
        u = u * base + d;
      }
      if (u > static_cast<uint64_t>(INT64_MAX) + (neg ? 1 : 0)) return 0;
      return neg ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u);
    }
    default:
      return 0;
  }
}

FunctionResult ToJson(Args a) {
  KV_ARITY("toJson", 1);
  std::string out;
  AppendJson(&out, a[0]);
  return Value(std::move(out));
}
FunctionResult ToPrettyJson(Args a) {
  KV_ARITY("toPrettyJson", 1);
  std::string out;
  AppendJson(&out, a[0], true, true);
  return Value(std::move(out));
}
FunctionResult ToRawJson(Args a) {
  KV_ARITY("toRawJson", 1);
  std::string out;
  AppendJson(&out, a[0], false);
  return Value(std::move(out));
}
FunctionResult FromJson(Args a) {
  KV_ARITY("fromJson", 1);
  KV_STRING(0);
  return DecodeJson(a[0].AsString());
}

FunctionResult Default(Args a) {
  if (a.empty()) return Err(WrongArgs("default", 1, 0, true));
  if (a.size() < 2 || IsEmpty(a[1])) return a[0];
  return a[1];
}
FunctionResult Empty(Args a) {
  KV_ARITY("empty", 1);
  return Value(IsEmpty(a[0]));
}
FunctionResult Coalesce(Args a) {
  for (const Value& v : a)
    if (!IsEmpty(v)) return v;
  return Value();
}
FunctionResult Ternary(Args a) {
  KV_ARITY("ternary", 3);
  KV_WANT(2, K::kBool, "bool");
  return a[2].AsBool() ? a[0] : a[1];
}

template <typename F>
FunctionResult MapString(std::string_view name, Args a, F f) {
  KV_ARITY(name, 1);
  KV_STRING(0);
  std::string s = a[0].AsString();
  f(&s);
  return Value(std::move(s));
}
FunctionResult Upper(Args a) {
  return MapString("upper", a, [](std::string* s) {
    for (char& c : *s)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  });
}
FunctionResult Lower(Args a) {
  return MapString("lower", a, [](std::string* s) {
    for (char& c : *s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  });
}
// strings.Title: upper-cases letters that follow a separator (ASCII rules;
// letters and digits and '_' are not separators).
FunctionResult Title(Args a) {
  return MapString("title", a, [](std::string* s) {
    char prev = ' ';
    for (char& c : *s) {
      auto p = static_cast<unsigned char>(prev);
      bool sep = !(std::isalnum(p) || prev == '_' || p >= 0x80);
      prev = c;
      if (sep && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
  });
}
bool IsGoSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
FunctionResult Trim(Args a) {
  return MapString("trim", a, [](std::string* s) {
    size_t b = 0, e = s->size();
    while (b < e && IsGoSpace((*s)[b])) ++b;
    while (e > b && IsGoSpace((*s)[e - 1])) --e;
    *s = s->substr(b, e - b);
  });
}
FunctionResult TrimPrefix(Args a) {
  KV_ARITY("trimPrefix", 2);
  KV_STRING(0);
  KV_STRING(1);
  std::string_view s = a[1].AsString();
  if (s.starts_with(a[0].AsString())) s.remove_prefix(a[0].AsString().size());
  return Value(s);
}
FunctionResult TrimSuffix(Args a) {
  KV_ARITY("trimSuffix", 2);
  KV_STRING(0);
  KV_STRING(1);
  std::string_view s = a[1].AsString();
  if (s.ends_with(a[0].AsString())) s.remove_suffix(a[0].AsString().size());
  return Value(s);
}
FunctionResult Trunc(Args a) {
  KV_ARITY("trunc", 2);
  KV_WANT(0, K::kInt, "int");
  KV_STRING(1);
  int64_t c = a[0].AsInt();
  const std::string& s = a[1].AsString();
  auto n = static_cast<int64_t>(s.size());
  if (c < 0 && n + c > 0) return Value(s.substr(n + c));
  if (c >= 0 && n > c) return Value(s.substr(0, c));
  return Value(s);
}
// strings.ReplaceAll, stopping once the output is longer than
// kMaxValueBytes (then its length is all the caller should look at).
std::string ReplaceAll(std::string_view s, std::string_view old, std::string_view with) {
  std::string out;
  if (old.empty()) {
    // Go inserts `with` before every rune and at the end.
    for (size_t i = 0; i < s.size() && out.size() <= kMaxValueBytes;) {
      out.append(with);
      size_t n = 1;
      while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
      out.append(s.substr(i, n));
      i += n;
    }
    out.append(with);
    return out;
  }
  size_t pos = 0;
  while (out.size() <= kMaxValueBytes) {
    size_t f = s.find(old, pos);
    if (f == std::string_view::npos) break;
    out.append(s.substr(pos, f - pos));
    out.append(with);
    pos = f + old.size();
  }
  out.append(s.substr(pos));
  return out;
}
FunctionResult Replace(Args a) {
  KV_ARITY("replace", 3);
  KV_STRING(0);
  KV_STRING(1);
  KV_STRING(2);
  std::string out = ReplaceAll(a[2].AsString(), a[0].AsString(), a[1].AsString());
  if (out.size() > kMaxValueBytes) return Err(ValueTooLarge());
  return Value(std::move(out));
}
FunctionResult Quote(Args a) {
  std::string out;
  bool first = true;
  for (const Value& v : a) {
    if (v.IsNull()) continue;
    if (!first) out.push_back(' ');
    first = false;
    AppendQuoted(&out, StrVal(v));
  }
  return Value(std::move(out));
}
FunctionResult Squote(Args a) {
  std::string out;
  bool first = true;
  for (const Value& v : a) {
    if (v.IsNull()) continue;
    if (!first) out.push_back(' ');
    first = false;
    out.push_back('\'');
    AppendPrint(&out, v);
    out.push_back('\'');
  }
  return Value(std::move(out));
}
template <int kOp>  // 0 contains, 1 hasPrefix, 2 hasSuffix
FunctionResult StringTest(Args a) {
  static constexpr std::string_view kNames[] = {"contains", "hasPrefix", "hasSuffix"};
  KV_ARITY(kNames[kOp], 2);
  KV_STRING(0);
  KV_STRING(1);
  std::string_view sub = a[0].AsString(), s = a[1].AsString();
  if (kOp == 0) return Value(s.find(sub) != std::string_view::npos);
  if (kOp == 1) return Value(s.starts_with(sub));
  return Value(s.ends_with(sub));
}

FunctionResult Split(Args a) {
  KV_ARITY("split", 2);
  KV_STRING(0);
  KV_STRING(1);
  std::string_view sep = a[0].AsString(), s = a[1].AsString();
  std::map<std::string, Value, std::less<>> m;
  std::vector<std::string_view> parts;
  if (sep.empty()) {
    for (size_t i = 0; i < s.size();) {
      size_t n = 1;
      while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
      parts.push_back(s.substr(i, n));
      i += n;
      if (parts.size() > kMaxValueItems) return Err(TooManyItems());
    }
  } else {
    size_t pos = 0;
    while (true) {
      size_t f = s.find(sep, pos);
      if (f == std::string_view::npos) break;
      parts.push_back(s.substr(pos, f - pos));
      pos = f + sep.size();
      if (parts.size() >= kMaxValueItems) return Err(TooManyItems());
    }
    parts.push_back(s.substr(pos));
  }
  for (size_t i = 0; i < parts.size(); ++i) m.emplace("_" + std::to_string(i), Value(parts[i]));
  return Value::FromMap(std::move(m), true);
}
FunctionResult Join(Args a) {
  KV_ARITY("join", 2);
  KV_STRING(0);
  const Value& v = a[1];
  std::string out;
  if (v.kind() == K::kList) {
    bool first = true;
    for (const Value& item : v.AsList().items) {
      if (item.IsNull() && !v.AsList().string_elem) continue;
      if (!first) out.append(a[0].AsString());
      first = false;
      out.append(StrVal(item));
      // A long separator between many items multiplies: stop at the cap.
      if (out.size() > kMaxValueBytes) return Err(ValueTooLarge());
    }
  } else if (!v.IsNull()) {
    out = StrVal(v);
  }
  return Value(std::move(out));
}
// sprig's slice (it replaces text/template's): lists only, indices as
// cast.ToInt reads them, an empty list gives nil.
FunctionResult Slice(Args a) {
  if (a.empty()) return Err(WrongArgs("slice", 1, 0, true));
  if (a[0].kind() != K::kList) {
    if (a[0].IsNull())
      return Err("runtime error: invalid memory address or nil pointer dereference");
    std::string kind = a[0].kind() == K::kString ? "string"
                       : a[0].kind() == K::kMap  ? "map"
                                                 : std::string(a[0].TypeName());
    return Err("list should be type of slice or array but " + kind);
  }
  const ListData& l = a[0].AsList();
  auto n = static_cast<int64_t>(l.items.size());
  if (n == 0) return Value();
  int64_t start = a.size() > 1 ? ToInt64(a[1]) : 0;
  int64_t end = a.size() > 2 ? ToInt64(a[2]) : n;
  if (start < 0 || end < start || end > n) return Err("reflect: slice index out of range");
  return Value::FromList(std::vector<Value>(l.items.begin() + start, l.items.begin() + end),
                         l.string_elem);
}
FunctionResult List(Args a) { return Value::FromList(std::vector<Value>(a.begin(), a.end())); }
FunctionResult Dict(Args a) {
  std::map<std::string, Value, std::less<>> m;
  for (size_t i = 0; i < a.size(); i += 2)
    m[StrVal(a[i])] = i + 1 < a.size() ? a[i + 1] : Value("");
  return Value::FromMap(std::move(m));
}
std::optional<std::string> WantDict(Args a, size_t i) {
  const Value& v = a[i];
  if (v.kind() == K::kMap && !v.AsMap().string_elem && !v.AsMap().is_struct) return std::nullopt;
  if (v.IsNull()) return std::nullopt;  // a nil map[string]interface{}
  return "wrong type for value; expected map[string]interface {}; got " + std::string(v.TypeName());
}
FunctionResult Get(Args a) {
  KV_ARITY("get", 2);
  if (auto e = WantDict(a, 0)) return Err(*e);
  KV_STRING(1);
  if (a[0].IsNull()) return Value("");
  const Value* found = a[0].AsMap().Find(a[1].AsString());
  return found == nullptr ? Value("") : *found;
}
FunctionResult HasKey(Args a) {
  KV_ARITY("hasKey", 2);
  if (auto e = WantDict(a, 0)) return Err(*e);
  KV_STRING(1);
  if (a[0].IsNull()) return Value(false);
  return Value((a[0].AsMap().Find(a[1].AsString()) != nullptr));
}
// Go's map order is random; kubevents returns the keys sorted.
FunctionResult Keys(Args a) {
  std::vector<Value> keys;
  for (size_t i = 0; i < a.size(); ++i) {
    if (auto e = WantDict(a, i)) return Err(*e);
    if (a[i].IsNull()) continue;
    for (const auto& [k, v] : a[i].AsMap().All()) keys.emplace_back(k);
  }
  return Value::FromList(std::move(keys), true);
}

FunctionResult B64Enc(Args a) {
  KV_ARITY("b64enc", 1);
  KV_STRING(0);
  return Value(base64::Encode(a[0].AsString()));
}
FunctionResult B64Dec(Args a) {
  KV_ARITY("b64dec", 1);
  KV_STRING(0);
  auto d = base64::Decode(a[0].AsString());
  // sprig returns the error's text; kubevents cannot name the byte.
  if (!d) return Value("illegal base64 data");
  return Value(std::move(*d));
}
FunctionResult Sha256Sum(Args a) {
  KV_ARITY("sha256sum", 1);
  KV_STRING(0);
  unsigned char md[SHA256_DIGEST_LENGTH];
  const std::string& s = a[0].AsString();
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : md) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return Value(std::move(out));
}

// Go's regexp.Regexp.ReplaceAllString with $1/${name} expansion.
std::string Expand(std::string_view repl, const RE2& re, std::span<const re2::StringPiece> groups) {
  std::string out;
  // `$1$1$1…` repeats a long group: stop past the cap (the caller fails).
  for (size_t i = 0; i < repl.size() && out.size() <= kMaxValueBytes; ++i) {
    if (repl[i] != '$' || i + 1 >= repl.size()) {
      out.push_back(repl[i]);
      continue;
    }
    if (repl[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    std::string name;
    size_t j = i + 1;
    if (repl[j] == '{') {
      size_t close = repl.find('}', j);
      if (close == std::string_view::npos) {
        out.push_back('$');
        continue;
      }
      name = std::string(repl.substr(j + 1, close - j - 1));
      j = close + 1;
    } else {
      while (j < repl.size() &&
             (std::isalnum(static_cast<unsigned char>(repl[j])) || repl[j] == '_'))
        name.push_back(repl[j++]);
    }
    if (name.empty()) {
      out.push_back('$');
      continue;
    }
    i = j - 1;
    int idx = -1;
    if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      idx = name.size() < 9 ? std::stoi(name) : -1;
    } else {
      auto it = re.NamedCapturingGroups().find(name);
      if (it != re.NamedCapturingGroups().end()) idx = it->second;
    }
    if (idx >= 0 && static_cast<size_t>(idx) < groups.size() && groups[idx].data())
      out.append(groups[idx].data(), groups[idx].size());
  }
  return out;
}

FunctionResult RegexMatch(Args a) {
  KV_ARITY("regexMatch", 2);
  KV_STRING(0);
  KV_STRING(1);
  std::shared_ptr<const RE2> compiled = SharedRegexCache().Get(a[0].AsString());
  const RE2& re = *compiled;
  if (!re.ok()) return Value(false);
  return Value(RE2::PartialMatch(a[1].AsString(), re));
}
FunctionResult RegexReplaceAll(Args a) {
  KV_ARITY("regexReplaceAll", 3);
  KV_STRING(0);
  KV_STRING(1);
  KV_STRING(2);
  std::shared_ptr<const RE2> compiled = SharedRegexCache().Get(a[0].AsString());
  const RE2& re = *compiled;
  if (!re.ok()) return Err("regexp: Compile(" + a[0].AsString() + "): " + re.error());
  std::string_view s = a[1].AsString();
  std::vector<re2::StringPiece> groups(re.NumberOfCapturingGroups() + 1);
  std::string out;
  size_t pos = 0, last_end = std::string_view::npos;
  while (pos <= s.size()) {
    // Each match may add a long replacement: stop at the cap.
    if (out.size() > kMaxValueBytes) return Err(ValueTooLarge());
    if (!re.Match(s, pos, s.size(), RE2::UNANCHORED, groups.data(),
                  static_cast<int>(groups.size())))
      break;
    size_t b = groups[0].data() - s.data(), e = b + groups[0].size();
    // Go skips an empty match right after the previous match.
    if (!(e == b && b == last_end)) {
      out.append(s.substr(pos, b - pos));
      out.append(Expand(a[2].AsString(), re, groups));
      pos = e;
    } else {
      out.append(s.substr(pos, b - pos));
      pos = b;
    }
    last_end = e;
    if (e == b) {
      // Step over one rune.
      if (b >= s.size()) break;
      size_t n = 1;
      while (b + n < s.size() && (static_cast<unsigned char>(s[b + n]) & 0xC0) == 0x80) ++n;
      out.append(s.substr(b, n));
      pos = b + n;
    }
  }
  if (pos < s.size()) out.append(s.substr(pos));
  return Value(std::move(out));
}

Time Now() {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return Time::FromUnixNanos(ns);
}
FunctionResult NowFn(Args a) {
  KV_ARITY("now", 0);
  return Value(Now());
}
// sprig's dateInZone: a time.Time or a Unix second count; any other value
// (metav1.Time included: sprig does not know it) is the current time.
// Zones other than UTC are not supported and format as UTC.
FunctionResult DateIn(std::string_view name, Args a, size_t want) {
  KV_ARITY(name, want);
  KV_STRING(0);
  if (want == 3) KV_STRING(2);
  const Value& d = a[1];
  Time t = Now();
  if (d.kind() == K::kTime && d.AsTime().type == Time::Type::kGo)
    t = d.AsTime();
  else if (d.kind() == K::kInt)
    t = Time::FromUnixNanos(d.AsInt() * 1000000000);
  std::string out;
  AppendTimeFormat(&out, t, a[0].AsString());
  return Value(std::move(out));
}
FunctionResult Date(Args a) { return DateIn("date", a, 2); }
FunctionResult DateInZone(Args a) { return DateIn("dateInZone", a, 3); }
FunctionResult UnixEpoch(Args a) {
  KV_ARITY("unixEpoch", 1);
  if (a[0].kind() != K::kTime || a[0].AsTime().type != Time::Type::kGo)
    return Err(a[0].IsNull() ? "invalid value; expected time.Time"
                             : "wrong type for value; expected time.Time; got " +
                                   std::string(a[0].TypeName()));
  return Value(std::to_string(a[0].AsTime().seconds));
}

FunctionResult Add(Args a) {
  int64_t s = 0;
  for (const Value& v : a) s += ToInt64(v);
  return Value(s);
}
FunctionResult Sub(Args a) {
  KV_ARITY("sub", 2);
  return Value(ToInt64(a[0]) - ToInt64(a[1]));
}
FunctionResult Mul(Args a) {
  if (a.empty()) return Err(WrongArgs("mul", 1, 0, true));
  int64_t p = ToInt64(a[0]);
  for (const Value& v : a.subspan(1)) p *= ToInt64(v);
  return Value(p);
}
FunctionResult Div(Args a) {
  KV_ARITY("div", 2);
  int64_t d = ToInt64(a[1]);
  if (d == 0) return Err("runtime error: integer divide by zero");
  return Value(ToInt64(a[0]) / d);
}
FunctionResult Mod(Args a) {
  KV_ARITY("mod", 2);
  int64_t d = ToInt64(a[1]);
  if (d == 0) return Err("runtime error: integer divide by zero");
  return Value(ToInt64(a[0]) % d);
}
FunctionResult ToString(Args a) {
  KV_ARITY("toString", 1);
  return Value(StrVal(a[0]));
}
FunctionResult Atoi(Args a) {
  KV_ARITY("atoi", 1);
  KV_STRING(0);
  // strconv.Atoi: optional sign and decimal digits only; else 0.
  std::string_view s = a[0].AsString();
  bool neg = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.empty() || s.size() > 19) return Value(int64_t{0});
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return Value(int64_t{0});
    v = v * 10 + (c - '0');
  }
  return Value(neg ? -v : v);
}
FunctionResult Int(Args a) {
  KV_ARITY("int", 1);
  return Value(ToInt64(a[0]));
}

constexpr Function kSprig[] = {
    {"toJson", &ToJson},
    {"toPrettyJson", &ToPrettyJson},
    {"toRawJson", &ToRawJson},
    {"fromJson", &FromJson},
    {"default", &Default},
    {"empty", &Empty},
    {"coalesce", &Coalesce},
    {"ternary", &Ternary},
    {"upper", &Upper},
    {"lower", &Lower},
    {"title", &Title},
    {"trim", &Trim},
    {"trimPrefix", &TrimPrefix},
    {"trimSuffix", &TrimSuffix},
    {"trunc", &Trunc},
    {"replace", &Replace},
    {"quote", &Quote},
    {"squote", &Squote},
    {"contains", &StringTest<0>},
    {"hasPrefix", &StringTest<1>},
    {"hasSuffix", &StringTest<2>},
    {"regexMatch", &RegexMatch},
    {"regexReplaceAll", &RegexReplaceAll},
    {"split", &Split},
    {"join", &Join},
    {"slice", &Slice},
    {"list", &List},
    {"dict", &Dict},
    {"get", &Get},
    {"hasKey", &HasKey},
    {"keys", &Keys},
    {"b64enc", &B64Enc},
    {"b64dec", &B64Dec},
    {"sha256sum", &Sha256Sum},
    {"now", &NowFn},
    {"date", &Date},
    {"dateInZone", &DateInZone},
    {"unixEpoch", &UnixEpoch},
    {"add", &Add},
    {"sub", &Sub},
    {"mul", &Mul},
    {"div", &Div},
    {"mod", &Mod},
    {"toString", &ToString},
    {"atoi", &Atoi},
    {"int", &Int},
};

}  // namespace

std::span<const Function> SprigFunctions() { return kSprig; }

RegexCache& SharedRegexCache() {
  static RegexCache* cache = new RegexCache();  // never destroyed: used until exit
  return *cache;
}

}  // namespace kv::tmpl
