// sign_tool: signs requests with kubevents' SigV4 signer so tests can
// compare the result with botocore's. Reads one JSON object per line on
// stdin:
//   {"method":"POST","url":"https://h/p?q","headers":[["n","v"],...],
//    "body_b64":"...","access_key":"AK","secret_key":"SK","session_token":"",
//    "region":"us-east-1","service":"sns","time":1440938160,
//    "unsigned_payload":false,"add_content_sha256":false}
// and writes one line per request: {"headers":[["n","v"],...]} (the request's
// headers after signing), or {"error":"..."} for a line it cannot read.
// For tests only: it prints what it is given, secrets included.
#include <simdjson.h>

#include <chrono>
#include <iostream>
#include <string>

#include "aws/sigv4.h"
#include "util/base64.h"
#include "util/json_writer.h"

namespace {

using simdjson::ondemand::object;

std::string Str(object& o, const char* key) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS) return "";
  return std::string(v);
}

bool Flag(object& o, const char* key) {
  bool v = false;
  if (o[key].get_bool().get(v) != simdjson::SUCCESS) return false;
  return v;
}

std::string SignLine(const std::string& line) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(line);
  simdjson::ondemand::document doc;
  object o;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(o)) return "bad json";
  kv::http::Request request;
  request.method = Str(o, "method");
  request.url = Str(o, "url");
  simdjson::ondemand::array headers;
  if (o["headers"].get_array().get(headers) == simdjson::SUCCESS) {
    for (auto pair : headers) {
      simdjson::ondemand::array a;
      if (pair.get_array().get(a)) return "bad header";
      std::string name, value;
      int i = 0;
      for (auto part : a) {
        std::string_view s;
        if (part.get_string().get(s)) return "bad header";
        (i++ == 0 ? name : value) = std::string(s);
      }
      request.headers.emplace_back(name, value);
    }
  }
  auto body = kv::base64::Decode(Str(o, "body_b64"));
  if (!body) return "bad body_b64";
  request.body = *body;
  kv::aws::Credentials creds;
  creds.access_key_id = Str(o, "access_key");
  creds.secret_access_key = Str(o, "secret_key");
  creds.session_token = Str(o, "session_token");
  kv::aws::SignOptions options;
  options.region = Str(o, "region");
  options.service = Str(o, "service");
  options.unsigned_payload = Flag(o, "unsigned_payload");
  options.add_content_sha256_header = Flag(o, "add_content_sha256");
  int64_t seconds = 0;
  if (o["time"].get_int64().get(seconds)) return "bad time";
  kv::aws::Signer signer(options);
  signer.Sign(request, creds, std::chrono::system_clock::time_point(std::chrono::seconds(seconds)));

  std::string out;
  kv::json::Writer w(&out);
  w.BeginObject();
  w.Key("headers");
  w.BeginArray();
  for (const auto& [name, value] : request.headers) {
    w.BeginArray();
    w.String(name);
    w.String(value);
    w.EndArray();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::string result = SignLine(line);
    if (result.empty() || result[0] != '{') {
      std::string err;
      kv::json::Writer w(&err);
      w.BeginObject();
      w.Key("error");
      w.String(result);
      w.EndObject();
      result = err;
    }
    std::cout << result << "\n" << std::flush;
  }
  return 0;
}
