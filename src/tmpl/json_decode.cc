#include "tmpl/json_decode.h"

#include <simdjson.h>

namespace kv::tmpl {
namespace {

Value Convert(simdjson::dom::element e, int depth) {
  if (depth > 1000) return Value();
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: {
      std::vector<Value> items;
      simdjson::dom::array arr;
      if (e.get(arr) != simdjson::SUCCESS) return Value();
      for (simdjson::dom::element child : arr) items.push_back(Convert(child, depth + 1));
      return Value::FromList(std::move(items));
    }
    case simdjson::dom::element_type::OBJECT: {
      std::map<std::string, Value, std::less<>> m;
      simdjson::dom::object obj;
      if (e.get(obj) != simdjson::SUCCESS) return Value();
      for (simdjson::dom::key_value_pair field : obj)
        m[std::string(field.key)] = Convert(field.value, depth + 1);  // last duplicate wins
      return Value::FromMap(std::move(m));
    }
    case simdjson::dom::element_type::INT64:
      return Value(static_cast<double>(e.get_int64().value_unsafe()));
    case simdjson::dom::element_type::UINT64:
      return Value(static_cast<double>(e.get_uint64().value_unsafe()));
    case simdjson::dom::element_type::DOUBLE:
      return Value(e.get_double().value_unsafe());
    case simdjson::dom::element_type::STRING:
      return Value(std::string_view(e.get_string().value_unsafe()));
    case simdjson::dom::element_type::BOOL:
      return Value(e.get_bool().value_unsafe());
    case simdjson::dom::element_type::NULL_VALUE:
      return Value();
    default:
      return Value();
  }
}

}  // namespace

Value DecodeJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) return Value();
  return Convert(doc, 0);
}

}  // namespace kv::tmpl
