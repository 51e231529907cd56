#include "kube/credentials.h"

#include "kube/exec_credential.h"
#include "util/files.h"
#include "util/json_writer.h"
#include "util/process.h"
#include "util/time.h"

namespace kv::kube {

namespace {

// client-go re-reads a token file once a minute; so do we.
constexpr std::chrono::seconds kTokenFileReread{60};
constexpr std::chrono::seconds kExecTimeout{60};

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n')) ++i;
  return s.substr(i);
}

std::string FirstLine(const std::string& s) {
  auto nl = s.find('\n');
  return Trim(nl == std::string::npos ? s : s.substr(0, nl));
}

}  // namespace

Credentials::Credentials(ClientConfig config, Clock& clock)
    : config_(std::move(config)), clock_(clock) {
  cached_.tls = config_.tls;
  cached_.bearer_token = config_.token;
  cached_.basic_user = config_.username;
  cached_.basic_password = config_.password;
}

void Credentials::Invalidate() {
  std::lock_guard lock(mu_);
  valid_ = false;
}

Result<AuthMaterial> Credentials::Get() {
  std::lock_guard lock(mu_);
  bool dynamic = config_.exec.has_value() || !config_.token_file.empty();
  if (dynamic && (!valid_ || clock_.WallNow() >= expires_)) {
    Result<void> r = config_.exec ? RunExecLocked() : ReadTokenFileLocked();
    if (!r) return tl::unexpected(r.error());
  }
  return cached_;
}

Result<void> Credentials::ReadTokenFileLocked() {
  auto token = files::Read(config_.token_file);
  if (!token) return Fail(ErrorCode::kIo, "token file: " + token.error().message);
  cached_.bearer_token = Trim(*token);
  valid_ = true;
  expires_ = clock_.WallNow() + kTokenFileReread;
  return {};
}

Result<void> Credentials::RunExecLocked() {
  const ExecConfig& exec = *config_.exec;
  std::string api_version =
      exec.api_version.empty() ? "client.authentication.k8s.io/v1" : exec.api_version;
  // KUBERNETES_EXEC_INFO tells the plugin what is asked of it.
  std::string info;
  json::Writer w(&info);
  w.BeginObject();
  w.Key("apiVersion");
  w.String(api_version);
  w.Key("kind");
  w.String("ExecCredential");
  w.Key("spec");
  w.BeginObject();
  w.Key("interactive");
  w.Bool(false);
  if (exec.provide_cluster_info) {
    w.Key("cluster");
    w.BeginObject();
    w.Key("server");
    w.String(config_.server);
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  auto env = exec.env;
  env.emplace_back("KUBERNETES_EXEC_INFO", info);
  std::vector<std::string> argv{exec.command};
  argv.insert(argv.end(), exec.args.begin(), exec.args.end());
  auto out = process::Run(argv, env, kExecTimeout);
  if (!out) return Fail(ErrorCode::kIo, "exec credential plugin: " + out.error().message);
  if (out->exit_code != 0) {
    return Fail(ErrorCode::kUnauthorized, "exec credential plugin " + exec.command +
                                              " exited with " + std::to_string(out->exit_code) +
                                              ": " + FirstLine(out->err));
  }
  auto cred = ParseExecCredential(out->out);
  if (!cred) {
    return Fail(ErrorCode::kCorrupt,
                "exec credential plugin " + exec.command + ": " + cred.error().message);
  }
  AuthMaterial m;
  m.tls = config_.tls;
  m.bearer_token = std::move(cred->token);
  if (!cred->client_certificate_pem.empty()) {
    m.tls.client_cert_pem = std::move(cred->client_certificate_pem);
    m.tls.client_key_pem = std::move(cred->client_key_pem);
    m.tls.client_cert_file.clear();
    m.tls.client_key_file.clear();
  }
  expires_ = cred->expires;
  cached_ = std::move(m);
  valid_ = true;
  return {};
}

}  // namespace kv::kube
