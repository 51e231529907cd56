// fmt.Sprintf, Sprint and Sprintln over Values (declared in go_format.h).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "tmpl/functions.h"
#include "tmpl/go_format.h"

namespace kv::tmpl {
namespace {

// Widths and precisions are clamped to Go fmt's own bound, so one verb pads
// at most this much.
constexpr int64_t kMaxWidth = 1000000;

struct Spec {
  bool minus = false, plus = false, zero = false, space = false, sharp = false;
  int width = -1, prec = -1;
};

void AppendPadded(std::string* out, std::string_view s, const Spec& spec, bool numeric) {
  int n = 0;  // runes, as Go pads by rune count
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  int pad = spec.width > n ? spec.width - n : 0;
  if (spec.minus) {
    out->append(s);
    out->append(static_cast<size_t>(pad), ' ');
  } else if (spec.zero && numeric) {
    size_t sign = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    out->append(s.substr(0, sign));
    out->append(static_cast<size_t>(pad), '0');
    out->append(s.substr(sign));
  } else {
    out->append(static_cast<size_t>(pad), ' ');
    out->append(s);
  }
}

void BadVerb(std::string* out, char verb, const Value& v) {
  out->append("%!");
  out->push_back(verb);
  out->push_back('(');
  if (v.IsNull()) {
    out->append("<nil>)");
    return;
  }
  out->append(v.TypeName());
  out->push_back('=');
  AppendPrint(out, v);
  out->push_back(')');
}

std::string FormatInt(int64_t v, char verb, const Spec& spec) {
  std::string digits;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int base = verb == 'x' || verb == 'X' ? 16 : verb == 'o' ? 8 : verb == 'b' ? 2 : 10;
  const char* alphabet = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    digits.insert(digits.begin(), alphabet[u % base]);
    u /= base;
  } while (u);
  if (spec.prec >= 0)
    while (static_cast<int>(digits.size()) < spec.prec) digits.insert(digits.begin(), '0');
  if (spec.sharp && base == 16) digits.insert(0, verb == 'X' ? "0X" : "0x");
  if (v < 0)
    digits.insert(digits.begin(), '-');
  else if (spec.plus)
    digits.insert(digits.begin(), '+');
  else if (spec.space)
    digits.insert(digits.begin(), ' ');
  return digits;
}

std::string FormatFloat(double f, char verb, const Spec& spec) {
  std::string s;
  if (verb == 'v' || ((verb == 'g' || verb == 'G') && spec.prec < 0)) {
    AppendGoFloat(&s, f);
  } else {
    char fmt[8] = {'%', '.', '*', verb, 0};
    int prec = spec.prec < 0 ? 6 : spec.prec;
    char buf[512];
    std::snprintf(buf, sizeof buf, fmt, prec, f);
    s = buf;
    if (std::isinf(f)) s = f > 0 ? "+Inf" : "-Inf";
    if (std::isnan(f)) s = "NaN";
  }
  if (spec.plus && !s.empty() && s[0] != '-' && s[0] != '+') s.insert(s.begin(), '+');
  if (!spec.plus && s == "+Inf") s = "+Inf";
  return s;
}

void FormatOne(std::string* out, char verb, const Spec& spec, const Value& v) {
  using K = Value::Kind;
  std::string s;
  bool numeric = false;
  switch (verb) {
    case 'v':
      if (v.kind() == K::kInt)
        return AppendPadded(out, FormatInt(v.AsInt(), 'd', spec), spec, true);
      if (v.kind() == K::kFloat)
        return AppendPadded(out, FormatFloat(v.AsFloat(), 'v', spec), spec, true);
      s = Print(v);
      break;
    case 's':
      if (v.kind() == K::kString)
        s = v.AsString();
      else if (v.kind() == K::kTime || v.kind() == K::kList || v.kind() == K::kMap)
        s = Print(v);
      else
        return BadVerb(out, verb, v);
      if (spec.prec >= 0 && static_cast<int>(s.size()) > spec.prec) s.resize(spec.prec);
      break;
    case 'q':
      if (v.kind() == K::kString)
        AppendQuoted(&s, v.AsString());
      else if (v.kind() == K::kTime)
        AppendQuoted(&s, Print(v));
      else
        return BadVerb(out, verb, v);
      break;
    case 'd':
    case 'o':
    case 'b':
      if (v.kind() != K::kInt) return BadVerb(out, verb, v);
      s = FormatInt(v.AsInt(), verb, spec);
      numeric = true;
      break;
    case 'x':
    case 'X':
      if (v.kind() == K::kInt) {
        s = FormatInt(v.AsInt(), verb, spec);
        numeric = true;
      } else if (v.kind() == K::kString) {
        const char* alphabet = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        for (unsigned char c : v.AsString()) {
          s.push_back(alphabet[c >> 4]);
          s.push_back(alphabet[c & 15]);
        }
      } else {
        return BadVerb(out, verb, v);
      }
      break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      if (v.kind() != K::kFloat) return BadVerb(out, verb, v);
      s = FormatFloat(v.AsFloat(), verb, spec);
      numeric = true;
      break;
    case 't':
      if (v.kind() != K::kBool) return BadVerb(out, verb, v);
      s = v.AsBool() ? "true" : "false";
      break;
    case 'c': {
      if (v.kind() != K::kInt) return BadVerb(out, verb, v);
      int64_t r = v.AsInt();
      if (r < 0 || r > 0x10FFFF) r = 0xFFFD;
      auto c = static_cast<uint32_t>(r);
      if (c < 0x80)
        s.push_back(static_cast<char>(c));
      else if (c < 0x800) {
        s.push_back(static_cast<char>(0xC0 | (c >> 6)));
        s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      } else if (c < 0x10000) {
        s.push_back(static_cast<char>(0xE0 | (c >> 12)));
        s.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      } else {
        s.push_back(static_cast<char>(0xF0 | (c >> 18)));
        s.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        s.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      }
      break;
    }
    default:
      return BadVerb(out, verb, v);
  }
  AppendPadded(out, s, spec, numeric);
}

}  // namespace

std::string Sprintf(std::string_view format, std::span<const Value> args) {
  std::string out;
  size_t arg = 0;
  for (size_t i = 0; i < format.size();) {
    // Past the cap the caller fails anyway (printf: ValueTooLarge); stop
    // before many wide verbs multiply the memory.
    if (out.size() > kMaxValueBytes) break;
    char c = format[i];
    if (c != '%') {
      out.push_back(c);
      ++i;
      continue;
    }
    ++i;
    Spec spec;
    for (; i < format.size(); ++i) {
      char f = format[i];
      if (f == '-')
        spec.minus = true;
      else if (f == '+')
        spec.plus = true;
      else if (f == '0')
        spec.zero = !spec.minus;
      else if (f == ' ')
        spec.space = true;
      else if (f == '#')
        spec.sharp = true;
      else
        break;
    }
    auto read_num = [&](int* dst) {
      if (i < format.size() && format[i] == '*') {
        ++i;
        if (arg < args.size() && args[arg].kind() == Value::Kind::kInt)
          *dst = static_cast<int>(std::clamp<int64_t>(args[arg].AsInt(), -kMaxWidth, kMaxWidth));
        ++arg;
        return;
      }
      int64_t n = -1;
      while (i < format.size() && format[i] >= '0' && format[i] <= '9')
        n = std::min<int64_t>((n < 0 ? 0 : n * 10) + (format[i++] - '0'), kMaxWidth);
      if (n >= 0) *dst = static_cast<int>(std::min<int64_t>(n, kMaxWidth));
    };
    read_num(&spec.width);
    if (i < format.size() && format[i] == '.') {
      ++i;
      spec.prec = 0;
      read_num(&spec.prec);
    }
    if (i >= format.size()) {
      out.append("%!(NOVERB)");
      break;
    }
    char verb = format[i++];
    if (verb == '%') {
      out.push_back('%');
      continue;
    }
    if (arg >= args.size()) {
      out.append("%!");
      out.push_back(verb);
      out.append("(MISSING)");
      continue;
    }
    FormatOne(&out, verb, spec, args[arg++]);
  }
  if (arg < args.size()) {
    out.append("%!(EXTRA ");
    for (size_t k = arg; k < args.size(); ++k) {
      if (k > arg) out.append(", ");
      out.append(args[k].TypeName());
      out.push_back('=');
      AppendPrint(&out, args[k]);
    }
    out.push_back(')');
  }
  return out;
}

std::string Sprint(std::span<const Value> args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    bool is_string = args[i].kind() == Value::Kind::kString;
    if (i > 0 && !is_string && args[i - 1].kind() != Value::Kind::kString) out.push_back(' ');
    AppendPrint(&out, args[i]);
  }
  return out;
}

std::string Sprintln(std::span<const Value> args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out.push_back(' ');
    AppendPrint(&out, args[i]);
  }
  out.push_back('\n');
  return out;
}

}  // namespace kv::tmpl
