// The dynamic value Go templates evaluate over, with Go's printing rules.
//
// A Value is null (Go's "no value"/nil), a bool, an int64, a double, a
// string, a time, a list, a map or a method (a function of the value it
// was read from, such as the event's GetTimestampMs). Lists, maps and
// methods are shared and immutable, so copying a Value is cheap. Values are
// immutable after construction and safe to read from many threads.
//
// Go's type system leaks into template output in a few places (a nil map
// prints `map[]` but encodes as `null`; `index` of a missing key of a
// map[string]string is "" but of a map[string]interface{} is nil; a struct
// has fields, not keys), so lists and maps carry the flags that decide it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/result.h"

namespace kv::tmpl {

class Value;

// A point in time as Go's time.Time holds it, always in UTC. Seconds may
// reach back to Go's zero time (year 1), which a system_clock time point
// cannot hold, hence seconds + nanoseconds.
struct Time {
  // Which Go type the value has: time.Time (what sprig's `now` returns and
  // `date` accepts), metav1.Time (JSON "2006-01-02T15:04:05Z", null when
  // zero) or metav1.MicroTime (6 fraction digits, null when zero).
  enum class Type { kGo, kMeta, kMicro };
  int64_t seconds = kZeroSeconds;  // since the Unix epoch
  int32_t nanos = 0;
  Type type = Type::kGo;

  static constexpr int64_t kZeroSeconds = -62135596800;  // 0001-01-01T00:00:00Z
  bool IsZero() const { return seconds == kZeroSeconds && nanos == 0; }
  static Time FromUnixNanos(int64_t ns, Type type = Type::kGo);
  // Parses RFC 3339 (what the API server writes); empty text is the zero
  // time. Malformed text is the zero time too.
  static Time Parse(std::string_view rfc3339, Type type);
};

struct ListData {
  std::vector<Value> items;
  bool nil = false;          // a nil Go slice: prints [] but encodes as null
  bool string_elem = false;  // []string rather than []interface{}
};

struct MapData {
  using Entries = std::map<std::string, Value, std::less<>>;
  // Read through Find() and All(): a lazy struct fills it as fields are asked for.
  mutable Entries entries;
  bool nil = false;          // a nil Go map: prints map[] but encodes as null
  bool string_elem = false;  // map[string]string: `index` of a missing key is ""
  // A Go struct (the event, its involved object, its source): a missing
  // field is an error rather than <no value>. `json`, when set, makes its
  // encoding; called only when a template asks (toJson .), since most
  // layouts never do and encoding a whole event costs more than the rest.
  bool is_struct = false;
  std::function<std::string()> json;
  // A lazy struct (the event): `field` makes one field on demand (nullopt:
  // no such field) and `field_names` lists them all in print order. Building
  // only what a template reads keeps per-event work small. Not thread-safe:
  // one Value per event, read by one thread.
  std::function<std::optional<Value>(std::string_view)> field;
  std::span<const std::string_view> field_names;                 // static storage
  mutable std::vector<std::pair<std::string_view, Value>> made;  // fields made so far

  // The entry `name` (made on first use for lazy structs), or nullptr.
  const Value* Find(std::string_view name) const;
  // Every entry (a lazy struct makes all its fields first).
  const Entries& All() const;
};

// A method with arguments, called when a field chain reaches it: Go calls a
// method found at the end of a command with the command's arguments and
// one met mid-chain with none.
using Method = std::function<Result<Value>(std::span<const Value> args)>;

class Value {
 public:
  enum class Kind { kNull, kBool, kInt, kFloat, kString, kTime, kList, kMap, kMethod };

  Value() = default;
  Value(bool b) : v_(b) {}  // NOLINT: implicit on purpose
  Value(int v) : v_(int64_t{v}) {}
  Value(int64_t v) : v_(v) {}
  Value(double v) : v_(v) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(Time t) : v_(t) {}
  Value(std::shared_ptr<const ListData> l) : v_(std::move(l)) {}
  Value(std::shared_ptr<const MapData> m) : v_(std::move(m)) {}
  static Value FromMethod(Method m) { return Value(std::make_shared<const Method>(std::move(m))); }
  static Value FromList(std::vector<Value> items, bool string_elem = false);
  static Value FromMap(std::map<std::string, Value, std::less<>> entries, bool string_elem = false);
  // A map[string]string; nil when `entries` is empty, as decoded from JSON.
  static Value FromStringMap(const std::map<std::string, std::string>& entries);

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool IsNull() const { return kind() == Kind::kNull; }
  bool AsBool() const { return std::get<bool>(v_); }
  int64_t AsInt() const { return std::get<int64_t>(v_); }
  double AsFloat() const { return std::get<double>(v_); }
  const std::string& AsString() const { return std::get<std::string>(v_); }
  const Time& AsTime() const { return std::get<Time>(v_); }
  const ListData& AsList() const { return *std::get<std::shared_ptr<const ListData>>(v_); }
  const MapData& AsMap() const { return *std::get<std::shared_ptr<const MapData>>(v_); }
  const Method& AsMethod() const { return *std::get<std::shared_ptr<const Method>>(v_); }

  // Go's name of the value's type in error messages ("string", "int", …).
  std::string_view TypeName() const;

 private:
  explicit Value(std::shared_ptr<const Method> m) : v_(std::move(m)) {}
  std::variant<std::monostate, bool, int64_t, double, std::string, Time,
               std::shared_ptr<const ListData>, std::shared_ptr<const MapData>,
               std::shared_ptr<const Method>>
      v_;
};

// fmt's %v of the value appended to `out`; null is "<nil>" (a template
// prints a null pipeline result as "<no value>" itself).
void AppendPrint(std::string* out, const Value& v);
std::string Print(const Value& v);

// encoding/json's Marshal of the value: sorted map keys, HTML-safe escaping
// unless `escape_html` is false, two-space indent when `pretty`.
void AppendJson(std::string* out, const Value& v, bool escape_html = true, bool pretty = false,
                int depth = 0);

// text/template's truth: false, 0, "", nil and empty lists/maps are false.
bool IsTrue(const Value& v);
// sprig's empty(): as !IsTrue, except that structs and times are never empty.
bool IsEmpty(const Value& v);
// sprig's strval: strings as they are, everything else as %v.
std::string StrVal(const Value& v);

}  // namespace kv::tmpl
