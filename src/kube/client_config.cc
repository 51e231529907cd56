#include "kube/client_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "util/base64.h"
#include "util/files.h"

namespace kv::kube {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

// Finds the entry named `name` in a list like clusters: [{name, cluster}].
// Undefined when there is no such entry.
YAML::Node FindNamed(const YAML::Node& list, const std::string& name, const char* inner) {
  YAML::Node none(YAML::NodeType::Undefined);
  if (!list.IsDefined() || !list.IsSequence()) return none;
  for (const auto& item : list) {
    if (!item.IsMap()) continue;
    const YAML::Node n = item["name"];
    if (n.IsDefined() && n.IsScalar() && n.Scalar() == name) {
      const YAML::Node v = item[inner];
      return v.IsDefined() ? v : YAML::Node(YAML::NodeType::Map);
    }
  }
  return none;
}

std::string Get(const YAML::Node& n, const char* key) {
  if (!n.IsDefined() || !n.IsMap()) return {};
  const YAML::Node v = n[key];
  if (!v.IsDefined() || !v.IsScalar()) return {};
  return v.Scalar();
}

std::string TrimSpace(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string ResolvePath(const fs::path& base_dir, const std::string& p) {
  if (p.empty()) return p;
  fs::path path(p);
  if (path.is_relative()) path = base_dir / path;
  return path.lexically_normal().string();
}

Result<void> DecodeData(const YAML::Node& n, const char* key, const std::string& where,
                        std::string* out) {
  std::string b64 = Get(n, key);
  if (b64.empty()) return {};
  auto decoded = base64::Decode(b64);
  if (!decoded) return Fail(ErrorCode::kInvalidConfig, where + ": " + key + " is not valid base64");
  *out = std::move(*decoded);
  return {};
}

// users[].exec: a client-go credential plugin.
Result<ExecConfig> ReadExec(const YAML::Node& exec, const fs::path& base_dir,
                            const std::string& where, const std::string& user_name) {
  ExecConfig e;
  e.api_version = Get(exec, "apiVersion");
  e.command = Get(exec, "command");
  if (e.command.empty()) {
    return Fail(ErrorCode::kInvalidConfig,
                where + ": users[" + user_name + "].exec.command is empty");
  }
  if (e.command.find('/') != std::string::npos) e.command = ResolvePath(base_dir, e.command);
  if (exec["args"] && exec["args"].IsSequence()) {
    for (const auto& a : exec["args"]) e.args.push_back(a.as<std::string>());
  }
  if (exec["env"] && exec["env"].IsSequence()) {
    for (const auto& kv : exec["env"]) e.env.emplace_back(Get(kv, "name"), Get(kv, "value"));
  }
  e.provide_cluster_info = Get(exec, "provideClusterInfo") == "true";
  return e;
}

// The cluster entry: server, CA, TLS verification.
Result<void> ReadCluster(const YAML::Node& cluster, const std::string& cluster_name,
                         const fs::path& base_dir, const std::string& where, ClientConfig* cfg) {
  cfg->server = Get(cluster, "server");
  while (!cfg->server.empty() && cfg->server.back() == '/') cfg->server.pop_back();
  if (cfg->server.empty()) {
    return Fail(ErrorCode::kInvalidConfig,
                where + ": clusters[" + cluster_name + "].server is empty");
  }
  cfg->tls.insecure_skip_verify = Get(cluster, "insecure-skip-tls-verify") == "true";
  cfg->tls.ca_file = ResolvePath(base_dir, Get(cluster, "certificate-authority"));
  return DecodeData(cluster, "certificate-authority-data", where, &cfg->tls.ca_pem);
}

// The user entry: token, basic auth, client certificate or exec plugin.
Result<void> ReadUser(const YAML::Node& user, const std::string& user_name,
                      const fs::path& base_dir, const std::string& where, ClientConfig* cfg) {
  cfg->token = Get(user, "token");
  cfg->token_file = ResolvePath(base_dir, Get(user, "tokenFile"));
  cfg->username = Get(user, "username");
  cfg->password = Get(user, "password");
  cfg->tls.client_cert_file = ResolvePath(base_dir, Get(user, "client-certificate"));
  cfg->tls.client_key_file = ResolvePath(base_dir, Get(user, "client-key"));
  if (auto r = DecodeData(user, "client-certificate-data", where, &cfg->tls.client_cert_pem); !r) {
    return r;
  }
  if (auto r = DecodeData(user, "client-key-data", where, &cfg->tls.client_key_pem); !r) return r;
  if (user["auth-provider"]) {
    return Fail(ErrorCode::kInvalidConfig,
                where + ": users[" + user_name +
                    "].auth-provider is not supported (removed from Kubernetes); use exec");
  }
  if (YAML::Node exec = user["exec"]; exec) {
    auto e = ReadExec(exec, base_dir, where, user_name);
    if (!e) return tl::unexpected(e.error());
    cfg->exec = std::move(*e);
  }
  return {};
}

// Fails now, naming the key, rather than at the first request.
Result<void> CheckFilesReadable(const ClientConfig& cfg, const std::string& where) {
  for (const auto& [key, file] :
       {std::pair{"certificate-authority", cfg.tls.ca_file},
        std::pair{"client-certificate", cfg.tls.client_cert_file},
        std::pair{"client-key", cfg.tls.client_key_file}, std::pair{"tokenFile", cfg.token_file}}) {
    if (!file.empty()) {
      if (auto r = files::Read(file); !r) {
        return Fail(ErrorCode::kInvalidConfig, where + ": " + key + ": " + r.error().message);
      }
    }
  }
  return {};
}

Result<ClientConfig> LoadKubeconfigUnguarded(const fs::path& path, const std::string& context) {
  auto text = files::Read(path);
  if (!text) return Fail(ErrorCode::kInvalidConfig, "kubeconfig: " + text.error().message);
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    return Fail(ErrorCode::kInvalidConfig, "kubeconfig " + path.string() + ": line " +
                                               std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) {
    return Fail(ErrorCode::kInvalidConfig, "kubeconfig " + path.string() + ": not a YAML mapping");
  }
  std::string ctx_name = context.empty() ? Get(root, "current-context") : context;
  std::string where = "kubeconfig " + path.string();
  if (ctx_name.empty()) {
    return Fail(ErrorCode::kInvalidConfig, where + ": no current-context and no --context given");
  }
  YAML::Node ctx = FindNamed(root["contexts"], ctx_name, "context");
  if (!ctx) {
    return Fail(ErrorCode::kInvalidConfig, where + ": context \"" + ctx_name + "\" not found");
  }
  where += ", context " + ctx_name;
  std::string cluster_name = Get(ctx, "cluster");
  std::string user_name = Get(ctx, "user");
  YAML::Node cluster = FindNamed(root["clusters"], cluster_name, "cluster");
  if (!cluster) {
    return Fail(ErrorCode::kInvalidConfig, where + ": cluster \"" + cluster_name + "\" not found");
  }
  YAML::Node user = FindNamed(root["users"], user_name, "user");
  fs::path base_dir = fs::absolute(path).parent_path();

  ClientConfig cfg;
  cfg.origin = where;
  cfg.namespace_ = Get(ctx, "namespace");
  if (auto r = ReadCluster(cluster, cluster_name, base_dir, where, &cfg); !r) {
    return tl::unexpected(r.error());
  }
  if (user) {
    if (auto r = ReadUser(user, user_name, base_dir, where, &cfg); !r) {
      return tl::unexpected(r.error());
    }
  }
  if (auto r = CheckFilesReadable(cfg, where); !r) return tl::unexpected(r.error());
  return cfg;
}

}  // namespace

Result<ClientConfig> LoadKubeconfig(const fs::path& path, const std::string& context) {
  try {
    return LoadKubeconfigUnguarded(path, context);
  } catch (const YAML::Exception& e) {
    // A value of the wrong shape (a map where a string belongs, ...).
    return Fail(ErrorCode::kInvalidConfig, "kubeconfig " + path.string() + ": line " +
                                               std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Result<ClientConfig> LoadInCluster(const std::string& host, const std::string& port,
                                   const fs::path& sa_dir) {
  if (host.empty() || port.empty()) {
    return Fail(ErrorCode::kInvalidConfig,
                "in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  }
  ClientConfig cfg;
  cfg.origin = "in-cluster (" + sa_dir.string() + ")";
  bool ipv6 = host.find(':') != std::string::npos;
  cfg.server = "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
  cfg.token_file = (sa_dir / "token").string();
  if (auto r = files::Read(cfg.token_file); !r) {
    return Fail(ErrorCode::kInvalidConfig, "in-cluster: " + r.error().message);
  }
  auto ca = files::Read(sa_dir / "ca.crt");
  if (!ca) return Fail(ErrorCode::kInvalidConfig, "in-cluster: " + ca.error().message);
  cfg.tls.ca_pem = std::move(*ca);
  if (auto ns = files::Read(sa_dir / "namespace"); ns) cfg.namespace_ = TrimSpace(*ns);
  return cfg;
}

Result<ClientConfig> ResolveClientConfig(const ResolveOptions& options) {
  if (!options.kubeconfig.empty()) return LoadKubeconfig(options.kubeconfig, options.context);
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
    std::string list = env;
    size_t start = 0;
    while (start <= list.size()) {
      size_t end = list.find(':', start);
      if (end == std::string::npos) end = list.size();
      std::string p = list.substr(start, end - start);
      if (!p.empty() && fs::exists(p)) return LoadKubeconfig(p, options.context);
      start = end + 1;
    }
    return Fail(ErrorCode::kInvalidConfig, "KUBECONFIG=" + list + ": no such file");
  }
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  if (host != nullptr && *host != '\0') {
    const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
    const char* dir = std::getenv("KUBEVENTS_SERVICEACCOUNT_DIR");
    return LoadInCluster(host, port != nullptr ? port : "",
                         dir != nullptr && *dir != '\0' ? dir : kDefaultServiceAccountDir);
  }
  const char* home = std::getenv("HOME");
  fs::path def = fs::path(home != nullptr ? home : "/") / ".kube" / "config";
  if (fs::exists(def)) return LoadKubeconfig(def, options.context);
  return Fail(ErrorCode::kInvalidConfig,
              "no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, run in a "
              "cluster, or create ~/.kube/config");
}

}  // namespace kv::kube
