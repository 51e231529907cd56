// Where and how to reach the API server: loaded from a kubeconfig file or
// from the in-cluster service-account files. Loading reads files but opens
// no connection; every failure names the file and the key that is wrong.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/client.h"
#include "util/result.h"

namespace kv::kube {

// A client.authentication.k8s.io exec credential plugin (how
// `aws eks get-token` and friends authenticate).
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or v1beta1
  std::string command;      // resolved against the kubeconfig's folder if relative with a '/'
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  bool provide_cluster_info = false;
};

struct ClientConfig {
  std::string server;  // "https://host:port", no trailing slash
  http::TlsOptions tls;
  std::string token;       // static bearer token (secret: never log)
  std::string token_file;  // bearer token re-read as it rotates
  std::string username;    // basic auth, rarely used
  std::string password;    // secret: never log
  std::optional<ExecConfig> exec;
  // The kubeconfig context's `namespace`, or the service account's namespace
  // in a cluster; empty when neither says (then "default", as kubectl).
  std::string namespace_;
  std::string origin;  // for messages: "kubeconfig /path, context ctx" or "in-cluster"
};

// Reads `path` and picks `context` (empty: the file's current-context).
// Relative file references resolve against the kubeconfig's folder.
Result<ClientConfig> LoadKubeconfig(const std::filesystem::path& path, const std::string& context);

// The in-cluster service-account configuration: KUBERNETES_SERVICE_HOST and
// KUBERNETES_SERVICE_PORT, token and ca.crt from `sa_dir` (the token file
// is re-read as the kubelet rotates it).
Result<ClientConfig> LoadInCluster(const std::string& host, const std::string& port,
                                   const std::filesystem::path& sa_dir);

struct ResolveOptions {
  std::string kubeconfig;  // --kubeconfig; wins over everything
  std::string context;     // --context
};

// Chooses the configuration the way kubectl users expect: --kubeconfig,
// else the first existing file in $KUBECONFIG, else in-cluster when
// KUBERNETES_SERVICE_HOST is set, else ~/.kube/config.
// KUBEVENTS_SERVICEACCOUNT_DIR overrides the service-account folder (tests).
Result<ClientConfig> ResolveClientConfig(const ResolveOptions& options);

}  // namespace kv::kube
