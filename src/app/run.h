// `kubevents run`: wires config, Kubernetes client, watcher, routes and
// receivers together, and runs until SIGTERM/SIGINT.
#pragma once

#include <string>

namespace kv::app {

struct RunOptions {
  std::string config_file;  // empty: the embedded defaults
  std::string kubeconfig;
  std::string context;
  int shutdown_grace_seconds = 10;
  std::string data_dir;                   // overrides the config's dataDir
  std::string metrics_address = ":2112";  // /metrics, /healthz, /readyz; "" = no listener
};

// Returns the process exit code: 0 after a clean shutdown, 1 when the
// configuration or the first connection to the API server fails (one
// clear line on stderr says why).
int Run(const RunOptions& options);

// `kubevents check-config FILE`: prints every problem, exit 0 or 1. A
// ${NAME} whose variable is not set in this shell is a warning (set at run
// time) unless `strict_env` (--strict-env), which makes it an error as in
// `run`.
int CheckConfig(const std::string& file, bool strict_env = false);

// `kubevents route-test --config FILE --event EVENT.json`: which rules an
// event matches and which receivers it reaches, without connecting to
// anything. The event is a core/v1 Event (kubectl get event -o json) or a
// line kubevents exported (its involvedObject labels are used).
int RouteTest(const std::string& config_file, const std::string& event_file);

}  // namespace kv::app
