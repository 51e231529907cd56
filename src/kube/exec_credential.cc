#include "kube/exec_credential.h"

#include <simdjson.h>

#include "util/time.h"

namespace kv::kube {

Result<ExecCredential> ParseExecCredential(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kCorrupt, "printed something that is not an ExecCredential");
  }
  std::string_view kind;
  if (root["kind"].get_string().get(kind) != simdjson::SUCCESS || kind != "ExecCredential") {
    return Fail(ErrorCode::kCorrupt, "output kind is not ExecCredential");
  }
  simdjson::dom::element status;
  if (root["status"].get(status) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kCorrupt, "no status");
  }
  ExecCredential c;
  std::string_view sv;
  if (status["token"].get_string().get(sv) == simdjson::SUCCESS) c.token = std::string(sv);
  if (status["clientCertificateData"].get_string().get(sv) == simdjson::SUCCESS) {
    c.client_certificate_pem = std::string(sv);
  }
  if (status["clientKeyData"].get_string().get(sv) == simdjson::SUCCESS) {
    c.client_key_pem = std::string(sv);
  }
  if (c.token.empty() && c.client_certificate_pem.empty()) {
    return Fail(ErrorCode::kCorrupt, "status has neither token nor certificate");
  }
  if (!c.client_certificate_pem.empty() && c.client_key_pem.empty()) {
    return Fail(ErrorCode::kCorrupt, "status has clientCertificateData without clientKeyData");
  }
  if (status["expirationTimestamp"].get_string().get(sv) == simdjson::SUCCESS) {
    auto micros = timeutil::ParseRfc3339Micros(sv);
    if (!micros) return Fail(ErrorCode::kCorrupt, "expirationTimestamp is not an RFC 3339 time");
    c.expires = timeutil::FromMicros(*micros);
  }
  return c;
}

}  // namespace kv::kube
