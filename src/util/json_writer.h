// Appends JSON to a string the way Go's encoding/json writes it, so output
// matches the reference exporter byte for byte: HTML-safe escaping of < > &,
// U+2028/U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kv::json {

// Appends `s` as a quoted JSON string.
void AppendString(std::string* out, std::string_view s);

// Writes objects and arrays with commas placed for you. Not a validator:
// callers pair Begin/End themselves.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}

  void BeginObject() {
    Separate();
    out_->push_back('{');
    first_ = true;
  }
  void EndObject() {
    out_->push_back('}');
    first_ = false;
  }
  void BeginArray() {
    Separate();
    out_->push_back('[');
    first_ = true;
  }
  void EndArray() {
    out_->push_back(']');
    first_ = false;
  }
  void Key(std::string_view k) {
    Separate();
    AppendString(out_, k);
    out_->push_back(':');
    first_ = true;  // the value that follows needs no comma
  }
  void String(std::string_view s) {
    Separate();
    AppendString(out_, s);
  }
  void Int(int64_t v) {
    Separate();
    *out_ += std::to_string(v);
  }
  void Bool(bool v) {
    Separate();
    *out_ += v ? "true" : "false";
  }
  void Null() {
    Separate();
    *out_ += "null";
  }
  // Appends already-encoded JSON as a value.
  void Raw(std::string_view json) {
    Separate();
    *out_ += json;
  }

 private:
  void Separate() {
    if (!first_) out_->push_back(',');
    first_ = false;
  }
  std::string* out_;
  bool first_ = true;
};

}  // namespace kv::json
