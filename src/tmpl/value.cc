#include "tmpl/value.h"

#include "tmpl/go_format.h"
#include "util/json_writer.h"
#include "util/time.h"

namespace kv::tmpl {
namespace {

void Indent(std::string* out, int depth) {
  out->push_back('\n');
  out->append(static_cast<size_t>(depth) * 2, ' ');
}

// Undoes the HTML-safe escapes of < > & (sprig's toRawJson), leaving every
// other escape alone.
void AppendJsonString(std::string* out, std::string_view s, bool escape_html) {
  if (escape_html) return json::AppendString(out, s);
  std::string tmp;
  json::AppendString(&tmp, s);
  for (size_t i = 0; i < tmp.size(); ++i) {
    if (tmp[i] != '\\') {
      out->push_back(tmp[i]);
      continue;
    }
    std::string_view rest = std::string_view(tmp).substr(i);
    if (rest.starts_with("\\u003c"))
      out->push_back('<');
    else if (rest.starts_with("\\u003e"))
      out->push_back('>');
    else if (rest.starts_with("\\u0026"))
      out->push_back('&');
    else {
      out->append(rest.substr(0, 2));
      ++i;
      continue;
    }
    i += 5;
  }
}

void AppendTimeString(std::string* out, const Time& t) {
  AppendTimeFormat(out, t, "2006-01-02 15:04:05.999999999 -0700 MST");
}

}  // namespace

Time Time::FromUnixNanos(int64_t ns, Type type) {
  Time t;
  t.seconds = ns / 1000000000;
  int64_t rem = ns % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    --t.seconds;
  }
  t.nanos = static_cast<int32_t>(rem);
  t.type = type;
  return t;
}

Time Time::Parse(std::string_view rfc3339, Type type) {
  Time t;
  t.type = type;
  if (rfc3339.empty()) return t;
  auto micros = timeutil::ParseRfc3339Micros(rfc3339);
  if (!micros) return t;
  t.seconds = *micros / 1000000;
  int64_t rem = *micros % 1000000;
  if (rem < 0) {
    rem += 1000000;
    --t.seconds;
  }
  t.nanos = static_cast<int32_t>(rem * 1000);
  return t;
}

Value Value::FromList(std::vector<Value> items, bool string_elem) {
  auto l = std::make_shared<ListData>();
  l->items = std::move(items);
  l->string_elem = string_elem;
  return Value(std::shared_ptr<const ListData>(std::move(l)));
}

const Value* MapData::Find(std::string_view name) const {
  if (!field) {
    auto it = entries.find(name);
    return it == entries.end() ? nullptr : &it->second;
  }
  // A lazy struct: a short list beats a map here (no allocation per key).
  for (auto& [n, v] : made) {
    if (n == name) return &v;
  }
  for (std::string_view known : field_names) {
    if (known != name) continue;
    std::optional<Value> value = field(known);
    if (!value) return nullptr;
    made.emplace_back(known, std::move(*value));
    return &made.back().second;
  }
  return nullptr;
}

const MapData::Entries& MapData::All() const {
  if (field && entries.size() < field_names.size()) {
    for (std::string_view name : field_names) {
      if (const Value* v = Find(name)) entries.emplace(std::string(name), *v);
    }
  }
  return entries;
}

Value Value::FromMap(std::map<std::string, Value, std::less<>> entries, bool string_elem) {
  auto m = std::make_shared<MapData>();
  m->entries = std::move(entries);
  m->string_elem = string_elem;
  return Value(std::shared_ptr<const MapData>(std::move(m)));
}

Value Value::FromStringMap(const std::map<std::string, std::string>& entries) {
  auto m = std::make_shared<MapData>();
  for (const auto& [k, v] : entries) m->entries.emplace(k, Value(v));
  m->string_elem = true;
  m->nil = entries.empty();
  return Value(std::shared_ptr<const MapData>(std::move(m)));
}

std::string_view Value::TypeName() const {
  switch (kind()) {
    case Kind::kNull:
      return "<nil>";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float64";
    case Kind::kString:
      return "string";
    case Kind::kTime:
      return AsTime().type == Time::Type::kGo     ? "time.Time"
             : AsTime().type == Time::Type::kMeta ? "v1.Time"
                                                  : "v1.MicroTime";
    case Kind::kList:
      return AsList().string_elem ? "[]string" : "[]interface {}";
    case Kind::kMap:
      if (AsMap().is_struct) return "struct";
      return AsMap().string_elem ? "map[string]string" : "map[string]interface {}";
    case Kind::kMethod:
      return "func";
  }
  return "?";
}

void AppendPrint(std::string* out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      out->append("<nil>");
      return;
    case Value::Kind::kBool:
      out->append(v.AsBool() ? "true" : "false");
      return;
    case Value::Kind::kInt:
      out->append(std::to_string(v.AsInt()));
      return;
    case Value::Kind::kFloat:
      AppendGoFloat(out, v.AsFloat());
      return;
    case Value::Kind::kString:
      out->append(v.AsString());
      return;
    case Value::Kind::kTime:
      AppendTimeString(out, v.AsTime());
      return;
    case Value::Kind::kList: {
      out->push_back('[');
      bool first = true;
      for (const auto& item : v.AsList().items) {
        if (!first) out->push_back(' ');
        first = false;
        AppendPrint(out, item);
      }
      out->push_back(']');
      return;
    }
    case Value::Kind::kMap: {
      // Structs print their fields in key order here; Go prints them in
      // declaration order (a documented difference).
      const MapData& m = v.AsMap();
      out->append(m.is_struct ? "{" : "map[");
      bool first = true;
      for (const auto& [k, item] : m.All()) {
        if (!first) out->push_back(' ');
        first = false;
        if (!m.is_struct) {
          out->append(k);
          out->push_back(':');
        }
        AppendPrint(out, item);
      }
      out->push_back(m.is_struct ? '}' : ']');
      return;
    }
    case Value::Kind::kMethod:
      out->append("<func>");
      return;
  }
}

std::string Print(const Value& v) {
  std::string out;
  AppendPrint(&out, v);
  return out;
}

void AppendJson(std::string* out, const Value& v, bool escape_html, bool pretty, int depth) {
  switch (v.kind()) {
    case Value::Kind::kNull:
    case Value::Kind::kMethod:
      out->append("null");
      return;
    case Value::Kind::kBool:
    case Value::Kind::kInt:
      AppendPrint(out, v);
      return;
    case Value::Kind::kFloat:
      AppendJsonFloat(out, v.AsFloat());
      return;
    case Value::Kind::kString:
      AppendJsonString(out, v.AsString(), escape_html);
      return;
    case Value::Kind::kTime: {
      const Time& t = v.AsTime();
      if (t.type != Time::Type::kGo && t.IsZero()) {
        out->append("null");
        return;
      }
      out->push_back('"');
      AppendTimeFormat(out, t,
                       t.type == Time::Type::kMeta    ? "2006-01-02T15:04:05Z07:00"
                       : t.type == Time::Type::kMicro ? "2006-01-02T15:04:05.000000Z07:00"
                                                      : "2006-01-02T15:04:05.999999999Z07:00");
      out->push_back('"');
      return;
    }
    case Value::Kind::kList: {
      const ListData& l = v.AsList();
      if (l.nil) {
        out->append("null");
        return;
      }
      out->push_back('[');
      bool first = true;
      for (const auto& item : l.items) {
        if (!first) out->push_back(',');
        first = false;
        if (pretty) Indent(out, depth + 1);
        AppendJson(out, item, escape_html, pretty, depth + 1);
      }
      if (pretty && !l.items.empty()) Indent(out, depth);
      out->push_back(']');
      return;
    }
    case Value::Kind::kMap: {
      const MapData& m = v.AsMap();
      if (m.nil) {
        out->append("null");
        return;
      }
      if (m.is_struct && m.json) {
        out->append(m.json());  // compact even under toPrettyJson
        return;
      }
      out->push_back('{');
      bool first = true;
      for (const auto& [k, item] : m.All()) {
        if (!first) out->push_back(',');
        first = false;
        if (pretty) Indent(out, depth + 1);
        AppendJsonString(out, k, escape_html);
        out->append(pretty ? ": " : ":");
        AppendJson(out, item, escape_html, pretty, depth + 1);
      }
      if (pretty && !m.All().empty()) Indent(out, depth);
      out->push_back('}');
      return;
    }
  }
}

bool IsTrue(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      return false;
    case Value::Kind::kBool:
      return v.AsBool();
    case Value::Kind::kInt:
      return v.AsInt() != 0;
    case Value::Kind::kFloat:
      return v.AsFloat() != 0;
    case Value::Kind::kString:
      return !v.AsString().empty();
    case Value::Kind::kTime:
      return true;
    case Value::Kind::kList:
      return !v.AsList().items.empty();
    case Value::Kind::kMap:
      return v.AsMap().is_struct || !v.AsMap().All().empty();
    case Value::Kind::kMethod:
      return true;
  }
  return false;
}

bool IsEmpty(const Value& v) { return !IsTrue(v); }

std::string StrVal(const Value& v) {
  if (v.kind() == Value::Kind::kString) return v.AsString();
  return Print(v);
}

}  // namespace kv::tmpl
