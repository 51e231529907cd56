// What a request to the API server authenticates with, kept fresh: a
// static token, a token file re-read as it rotates (service accounts), an
// exec plugin's ExecCredential reused until its expirationTimestamp, or a
// client certificate. Thread-safe: the watcher and lookups share one.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "http/client.h"
#include "kube/client_config.h"
#include "util/clock.h"
#include "util/result.h"

namespace kv::kube {

struct AuthMaterial {
  std::string bearer_token;    // secret: never log
  std::string basic_user;      // with basic_password, rarely used
  std::string basic_password;  // secret: never log
  http::TlsOptions tls;        // CA plus any client certificate
};

class Credentials {
 public:
  // `config` is copied; `clock` must outlive this object.
  Credentials(ClientConfig config, Clock& clock);

  // The material to use now. Runs the exec plugin or reads the token file
  // when the cached value is missing or stale. kInvalidConfig/kIo when the
  // plugin or file fails, with its stderr's first line (never its stdout).
  Result<AuthMaterial> Get();

  // Called after a 401: the next Get() re-runs the plugin / re-reads the file.
  void Invalidate();

  const ClientConfig& config() const { return config_; }

 private:
  Result<void> RunExecLocked();
  Result<void> ReadTokenFileLocked();

  // Constant after construction.
  const ClientConfig config_;
  Clock& clock_;

  std::mutex mu_;  // guards everything below
  AuthMaterial cached_;
  bool valid_ = false;
  std::chrono::system_clock::time_point
      expires_{};  // exec: expirationTimestamp; file: re-read time
};

}  // namespace kv::kube
