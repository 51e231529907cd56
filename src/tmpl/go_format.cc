#include "tmpl/go_format.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace kv::tmpl {
namespace {

// Shortest round-trip digits of |f| and the decimal exponent such that
// |f| = 0.d1d2d3... * 10^point.
void ShortestDigits(double f, std::string* digits, int* point) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, std::fabs(f), std::chars_format::scientific);
  std::string_view s(buf, r.ptr - buf);
  size_t e = s.find('e');
  digits->clear();
  for (char c : s.substr(0, e))
    if (c != '.') digits->push_back(c);
  int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
  while (digits->size() > 1 && digits->back() == '0') digits->pop_back();
  *point = exp + 1;
}

void AppendExp(std::string* out, const std::string& digits, int point, int min_exp_digits) {
  out->push_back(digits[0]);
  if (digits.size() > 1) {
    out->push_back('.');
    out->append(digits, 1);
  }
  int exp = point - 1;
  out->push_back('e');
  out->push_back(exp < 0 ? '-' : '+');
  std::string e = std::to_string(exp < 0 ? -exp : exp);
  while (static_cast<int>(e.size()) < min_exp_digits) e.insert(e.begin(), '0');
  out->append(e);
}

void AppendFixed(std::string* out, const std::string& digits, int point) {
  int nd = static_cast<int>(digits.size());
  if (point <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-point), '0');
    out->append(digits);
  } else if (point >= nd) {
    out->append(digits);
    out->append(static_cast<size_t>(point - nd), '0');
  } else {
    out->append(digits, 0, point);
    out->push_back('.');
    out->append(digits, point);
  }
}

bool AppendSpecial(std::string* out, double f) {
  if (std::isnan(f)) {
    out->append("NaN");
    return true;
  }
  if (std::isinf(f)) {
    out->append(f > 0 ? "+Inf" : "-Inf");
    return true;
  }
  return false;
}

constexpr std::string_view kMonths[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};
constexpr std::string_view kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                      "Thursday", "Friday", "Saturday"};

struct Civil {
  int year, month, day, hour, minute, second, yday, wday;
};

Civil ToCivil(const Time& t) {
  int64_t days = t.seconds / 86400;
  int64_t rem = t.seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  using namespace std::chrono;
  sys_days sd{std::chrono::days{days}};
  year_month_day ymd{sd};
  Civil c{};
  c.year = static_cast<int>(ymd.year());
  c.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  c.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem / 60 % 60);
  c.second = static_cast<int>(rem % 60);
  c.wday = static_cast<int>(weekday{sd}.c_encoding());
  c.yday = static_cast<int>((sd - sys_days{ymd.year() / January / 1}).count()) + 1;
  return c;
}

void Pad(std::string* out, int v, int width, char fill = '0') {
  std::string s = std::to_string(v < 0 ? -v : v);
  if (v < 0) out->push_back('-');
  for (int i = static_cast<int>(s.size()); i < width; ++i) out->push_back(fill);
  out->append(s);
}

bool Starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Appends the fraction for a ".000"/".999" (or ",") token of `n` digits.
void AppendFraction(std::string* out, int32_t nanos, char sep, int n, bool trim) {
  char buf[10];
  std::snprintf(buf, sizeof buf, "%09d", nanos);
  std::string d(buf, static_cast<size_t>(n));
  if (trim) {
    while (!d.empty() && d.back() == '0') d.pop_back();
    if (d.empty()) return;
  }
  out->push_back(sep);
  out->append(d);
}

}  // namespace

void AppendGoFloat(std::string* out, double f) {
  if (AppendSpecial(out, f)) return;
  if (std::signbit(f)) out->push_back('-');
  if (f == 0) {
    out->push_back('0');
    return;
  }
  std::string digits;
  int point;
  ShortestDigits(f, &digits, &point);
  int exp = point - 1;
  // strconv's shortest %g switches to an exponent outside [1e-4, 1e6).
  if (exp < -4 || exp >= 6) return AppendExp(out, digits, point, 2);
  AppendFixed(out, digits, point);
}

void AppendJsonFloat(std::string* out, double f) {
  if (std::signbit(f) && f != 0) out->push_back('-');
  if (f == 0) {
    out->push_back('0');
    return;
  }
  double a = std::fabs(f);
  std::string digits;
  int point;
  ShortestDigits(f, &digits, &point);
  if (a < 1e-6 || a >= 1e21) return AppendExp(out, digits, point, 1);
  AppendFixed(out, digits, point);
}

void AppendQuoted(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\a':
          out->append("\\a");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\v':
          out->append("\\v");
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            out->append("\\x");
            out->push_back(kHex[c >> 4]);
            out->push_back(kHex[c & 15]);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Multi-byte: copy valid UTF-8 sequences, escape stray bytes as \x.
    int len = (c >= 0xF0 && c < 0xF5) ? 4 : (c >= 0xE0) ? 3 : (c >= 0xC2 && c < 0xE0) ? 2 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (!ok) {
      out->append("\\x");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
      ++i;
      continue;
    }
    out->append(s.substr(i, len));
    i += len;
  }
  out->push_back('"');
}

void AppendTimeFormat(std::string* out, const Time& t, std::string_view layout) {
  Civil c = ToCivil(t);
  while (!layout.empty()) {
    auto take = [&](std::string_view tok) {
      if (!Starts(layout, tok)) return false;
      layout.remove_prefix(tok.size());
      return true;
    };
    if (take("January"))
      out->append(kMonths[c.month - 1]);
    else if (take("Jan"))
      out->append(kMonths[c.month - 1].substr(0, 3));
    else if (take("Monday"))
      out->append(kDays[c.wday]);
    else if (take("Mon"))
      out->append(kDays[c.wday].substr(0, 3));
    else if (take("MST"))
      out->append("UTC");
    else if (take("2006"))
      Pad(out, c.year, 4);
    else if (take("002"))
      Pad(out, c.yday, 3);
    else if (take("01"))
      Pad(out, c.month, 2);
    else if (take("02"))
      Pad(out, c.day, 2);
    else if (take("_2"))
      Pad(out, c.day, 2, ' ');
    else if (take("06"))
      Pad(out, c.year % 100, 2);
    else if (take("03"))
      Pad(out, c.hour % 12 == 0 ? 12 : c.hour % 12, 2);
    else if (take("04"))
      Pad(out, c.minute, 2);
    else if (take("05"))
      Pad(out, c.second, 2);
    else if (take("15"))
      Pad(out, c.hour, 2);
    else if (take("Z07:00:00") || take("Z07:00") || take("Z0700") || take("Z07"))
      out->push_back('Z');
    else if (take("-07:00:00"))
      out->append("+00:00:00");
    else if (take("-07:00"))
      out->append("+00:00");
    else if (take("-0700"))
      out->append("+0000");
    else if (take("-07"))
      out->append("+00");
    else if (take("PM"))
      out->append(c.hour >= 12 ? "PM" : "AM");
    else if (take("pm"))
      out->append(c.hour >= 12 ? "pm" : "am");
    else if (take("1"))
      out->append(std::to_string(c.month));
    else if (take("2"))
      out->append(std::to_string(c.day));
    else if (take("3"))
      out->append(std::to_string(c.hour % 12 == 0 ? 12 : c.hour % 12));
    else if (take("4"))
      out->append(std::to_string(c.minute));
    else if (take("5"))
      out->append(std::to_string(c.second));
    else if ((layout[0] == '.' || layout[0] == ',') && layout.size() > 1 &&
             (layout[1] == '0' || layout[1] == '9')) {
      // A fraction only when the run of 0s or 9s is not followed by a digit.
      char d = layout[1];
      size_t n = 1;
      while (n < layout.size() && layout[n] == d) ++n;
      if (n < layout.size() && layout[n] >= '0' && layout[n] <= '9') {
        out->push_back(layout[0]);
        layout.remove_prefix(1);
        continue;
      }
      AppendFraction(out, t.nanos, layout[0], static_cast<int>(std::min<size_t>(n - 1, 9)),
                     d == '9');
      layout.remove_prefix(n);
    } else {
      out->push_back(layout[0]);
      layout.remove_prefix(1);
    }
  }
}

}  // namespace kv::tmpl
