// text/template's builtin functions (and, or, not, len, index, eq,
// ne, lt, le, gt, ge, print, printf, println, html, js, urlquery). `slice`
// is sprig's, which replaces the builtin in the reference (Funcs override
// builtins), so it lives in sprig.cc.
#include <algorithm>

#include "tmpl/functions.h"
#include "tmpl/go_format.h"

namespace kv::tmpl {
namespace {

using K = Value::Kind;
using Args = std::span<const Value>;

tl::unexpected<std::string> Err(std::string m) { return tl::unexpected(std::move(m)); }

std::string WrongArgs(std::string_view name, size_t want, size_t got, bool at_least = false) {
  return "wrong number of args for " + std::string(name) + ": want " +
         (at_least ? "at least " : "") + std::to_string(want) + " got " + std::to_string(got);
}

FunctionResult Not(Args a) {
  if (a.size() != 1) return Err(WrongArgs("not", 1, a.size()));
  return Value(!IsTrue(a[0]));
}

FunctionResult Len(Args a) {
  if (a.size() != 1) return Err(WrongArgs("len", 1, a.size()));
  const Value& v = a[0];
  switch (v.kind()) {
    case K::kString:
      return Value(static_cast<int64_t>(v.AsString().size()));
    case K::kList:
      return Value(static_cast<int64_t>(v.AsList().items.size()));
    case K::kMap:
      if (!v.AsMap().is_struct) return Value(static_cast<int64_t>(v.AsMap().All().size()));
      break;
    case K::kNull:
      return Err("len of nil pointer");
    default:
      break;
  }
  return Err("len of type " + std::string(v.TypeName()));
}

tl::expected<int64_t, std::string> IndexArg(const Value& v, size_t cap) {
  if (v.kind() != K::kInt)
    return Err("cannot index slice/array with type " + std::string(v.TypeName()));
  int64_t i = v.AsInt();
  if (i < 0 || static_cast<uint64_t>(i) > cap)
    return Err("index out of range: " + std::to_string(i));
  return i;
}

FunctionResult Index(Args a) {
  if (a.empty()) return Err(WrongArgs("index", 1, 0, true));
  Value item = a[0];
  for (size_t k = 1; k < a.size(); ++k) {
    const Value& idx = a[k];
    switch (item.kind()) {
      case K::kList: {
        size_t n = item.AsList().items.size();
        auto i = IndexArg(idx, n);
        if (!i) return Err(i.error());
        if (static_cast<size_t>(*i) == n) return Err("index out of range: " + std::to_string(*i));
        item = Value(item.AsList().items[*i]);
        break;
      }
      case K::kString: {
        size_t n = item.AsString().size();
        auto i = IndexArg(idx, n);
        if (!i) return Err(i.error());
        if (static_cast<size_t>(*i) == n) return Err("index out of range: " + std::to_string(*i));
        item = Value(static_cast<int64_t>(static_cast<unsigned char>(item.AsString()[*i])));
        break;
      }
      case K::kMap: {
        const MapData& m = item.AsMap();
        if (m.is_struct) return Err("can't index item of type " + std::string(item.TypeName()));
        if (idx.kind() != K::kString)
          return Err("value has type " + std::string(idx.TypeName()) + "; should be string");
        const Value* found = m.Find(idx.AsString());
        if (found != nullptr)
          item = Value(*found);
        else
          item = m.string_elem ? Value("") : Value();
        break;
      }
      case K::kNull:
        return Err("index of untyped nil");
      default:
        return Err("can't index item of type " + std::string(item.TypeName()));
    }
  }
  return item;
}

// Go's basicKind classes.
enum class Basic { kInvalid, kBool, kInt, kFloat, kString, kOther };
Basic BasicOf(const Value& v) {
  switch (v.kind()) {
    case K::kNull:
      return Basic::kInvalid;
    case K::kBool:
      return Basic::kBool;
    case K::kInt:
      return Basic::kInt;
    case K::kFloat:
      return Basic::kFloat;
    case K::kString:
      return Basic::kString;
    default:
      return Basic::kOther;
  }
}

const char kBadComparison[] = "incompatible types for comparison";

tl::expected<bool, std::string> Equal(const Value& a, const Value& b) {
  Basic ka = BasicOf(a), kb = BasicOf(b);
  if (ka != kb) {
    if (ka != Basic::kInvalid && kb != Basic::kInvalid) return Err(kBadComparison);
    return false;
  }
  switch (ka) {
    case Basic::kInvalid:
      return true;
    case Basic::kBool:
      return a.AsBool() == b.AsBool();
    case Basic::kInt:
      return a.AsInt() == b.AsInt();
    case Basic::kFloat:
      return a.AsFloat() == b.AsFloat();
    case Basic::kString:
      return a.AsString() == b.AsString();
    case Basic::kOther:
      if (a.kind() == K::kTime && b.kind() == K::kTime && a.AsTime().type == b.AsTime().type)
        return a.AsTime().seconds == b.AsTime().seconds && a.AsTime().nanos == b.AsTime().nanos;
      return Err("non-comparable type " + Print(a) + ": " + std::string(a.TypeName()));
  }
  return false;
}

FunctionResult Eq(Args a) {
  if (a.size() < 2) return Err("missing argument for comparison");
  for (size_t i = 1; i < a.size(); ++i) {
    auto r = Equal(a[0], a[i]);
    if (!r) return Err(r.error());
    if (*r) return Value(true);
  }
  return Value(false);
}

FunctionResult Ne(Args a) {
  if (a.size() != 2) return Err(WrongArgs("ne", 2, a.size()));
  auto r = Equal(a[0], a[1]);
  if (!r) return Err(r.error());
  return Value(!*r);
}

tl::expected<bool, std::string> Less(const Value& a, const Value& b) {
  Basic ka = BasicOf(a), kb = BasicOf(b);
  if (ka != kb) return Err(kBadComparison);
  switch (ka) {
    case Basic::kInt:
      return a.AsInt() < b.AsInt();
    case Basic::kFloat:
      return a.AsFloat() < b.AsFloat();
    case Basic::kString:
      return a.AsString() < b.AsString();
    default:
      return Err("invalid type for comparison");
  }
}

template <int kOp>  // 0 lt, 1 le, 2 gt, 3 ge
FunctionResult Compare(Args a) {
  static constexpr std::string_view kNames[] = {"lt", "le", "gt", "ge"};
  if (a.size() != 2) return Err(WrongArgs(kNames[kOp], 2, a.size()));
  bool swap = kOp >= 2;
  const Value& x = swap ? a[1] : a[0];
  const Value& y = swap ? a[0] : a[1];
  auto lt = Less(x, y);
  if (!lt) return Err(lt.error());
  if (*lt) return Value(true);
  if (kOp == 1 || kOp == 3) {
    auto eq = Equal(x, y);
    if (!eq) return Err(eq.error());
    return Value(*eq);
  }
  return Value(false);
}

FunctionResult Printf(Args a) {
  if (a.empty()) return Err(WrongArgs("printf", 1, 0, true));
  if (a[0].kind() != K::kString)
    return Err("wrong type for value; expected string; got " + std::string(a[0].TypeName()));
  std::string out = Sprintf(a[0].AsString(), a.subspan(1));
  if (out.size() > kMaxValueBytes) return Err(ValueTooLarge());
  return Value(std::move(out));
}
FunctionResult PrintFn(Args a) { return Value(Sprint(a)); }
FunctionResult Println(Args a) { return Value(Sprintln(a)); }

// text/template's evalArgs: one string argument as is, else fmt.Sprint.
std::string EvalArgs(Args a) {
  if (a.size() == 1 && a[0].kind() == K::kString) return a[0].AsString();
  return Sprint(a);
}

FunctionResult Html(Args a) {
  std::string out;
  for (char c : EvalArgs(a)) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out.push_back(c);
    }
  }
  return Value(std::move(out));
}

FunctionResult Js(Args a) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string s = EvalArgs(a), out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '\\':
        out += "\\\\";
        continue;
      case '\'':
        out += "\\'";
        continue;
      case '"':
        out += "\\\"";
        continue;
      case '<':
        out += "\\u003C";
        continue;
      case '>':
        out += "\\u003E";
        continue;
      case '&':
        out += "\\u0026";
        continue;
      case '=':
        out += "\\u003D";
        continue;
      default:
        break;
    }
    if (c < ' ') {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return Value(std::move(out));
}

FunctionResult UrlQuery(Args a) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : EvalArgs(a)) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return Value(std::move(out));
}

constexpr Function kBuiltins[] = {
    {"and", nullptr, Function::Special::kAnd},
    {"or", nullptr, Function::Special::kOr},
    {"not", &Not},
    {"len", &Len},
    {"index", &Index},
    {"eq", &Eq},
    {"ne", &Ne},
    {"lt", &Compare<0>},
    {"le", &Compare<1>},
    {"gt", &Compare<2>},
    {"ge", &Compare<3>},
    {"printf", &Printf},
    {"print", &PrintFn},
    {"println", &Println},
    {"html", &Html},
    {"js", &Js},
    {"urlquery", &UrlQuery},
};

}  // namespace

std::span<const Function> BuiltinFunctions() { return kBuiltins; }

const Function* LookupFunction(std::string_view name) {
  // As in Go, added functions (sprig's) win over builtins of the same name.
  for (const Function& f : SprigFunctions())
    if (f.name == name) return &f;
  for (const Function& f : BuiltinFunctions())
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace kv::tmpl
