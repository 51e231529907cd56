// Parsing a client.authentication.k8s.io ExecCredential (v1 or v1beta1),
// the JSON an exec credential plugin prints on stdout. Pure: no I/O.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/result.h"

namespace kv::kube {

struct ExecCredential {
  std::string token;                   // secret: never log
  std::string client_certificate_pem;  // with client_key_pem, instead of a token
  std::string client_key_pem;          // secret: never log
  // When to run the plugin again; max() when the plugin gave no expiry
  // (then the credential is reused until a 401).
  std::chrono::system_clock::time_point expires = std::chrono::system_clock::time_point::max();
};

// kCorrupt with a reason that never quotes the input (it holds secrets).
Result<ExecCredential> ParseExecCredential(std::string_view json);

}  // namespace kv::kube
