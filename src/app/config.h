// The exporter's configuration: the reference exporter's file format (the
// keys the foundation needs so far) plus kubevents's own keys. Load() reads
// and validates a whole file and throws config::Error listing every
// problem with file, line, column and key path; nothing is connected here.
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "app/updates.h"
#include "config/node.h"
#include "delivery/options.h"
#include "event/decode.h"
#include "route/tree.h"
#include "sinks/sink.h"

namespace kv::app {

struct ReceiverConfig {
  std::string name;
  sinks::Builder build;
  delivery::DeliveryConfig delivery;  // the top-level defaults with its own overrides
  UpdatesConfig updates;              // `updates:`, else its kind's default
  // The receiver block as YAML text (after ${} expansion is not applied:
  // the source text), with the top-level delivery defaults: equal
  // fingerprints mean a reload can keep the running receiver.
  std::string fingerprint;
};

// leaderElection: the Lease kube::LeaderElector campaigns for.
struct LeaderElectionConfig {
  bool enabled = false;
  std::string id;  // leaderElectionID: the Lease name; "" = the reference's default
  std::chrono::seconds lease_duration{15};  // leaseDurationSeconds
  std::chrono::seconds renew_deadline{10};  // renewDeadlineSeconds
  std::chrono::seconds retry_period{2};     // retryPeriodSeconds
};

struct Config {
  std::string file;  // where it came from, for messages
  std::string log_level = "info";
  std::string log_format = "text";
  std::string cluster_name;
  std::string namespace_;  // the reference's single-namespace scope
  std::set<std::string> include_namespaces;
  std::set<std::string> exclude_namespaces;
  event::ApiGroup events_api = event::ApiGroup::kCore;
  double kube_qps = 5;  // client-go's defaults, as the reference
  int kube_burst = 10;
  std::chrono::seconds max_event_age{5};
  bool emit_updates = true;  // an event whose count/lastTimestamp changed is emitted again
  bool omit_lookup = false;  // no involved-object lookups (enrichment)
  int cache_size = 1024;     // lookup cache entries, as the reference
  std::chrono::milliseconds lookup_timeout{2000};  // how long an event waits for its lookup
  LeaderElectionConfig leader_election;
  std::string metrics_name_prefix = "kubevents_";  // metricsNamePrefix (may be set to "")
  std::string data_dir;               // spools, checkpoint, dead letters; "" = --data-dir / default
  uint64_t data_dir_max_bytes = 0;    // dataDirMaxBytes; 0 = 90% of the data dir's filesystem
  delivery::DeliveryConfig delivery;  // top-level `delivery:` (defaults for every receiver)
  std::vector<ReceiverConfig> receivers;
  std::shared_ptr<route::Tree> route;
  std::vector<config::Problem> warnings;
  // check-config only (not logged at run): advice on a config that works,
  // e.g. a search receiver without deDot (ReceiverAdvice).
  std::vector<config::Problem> advice;
};

// Every top-level key, for validation and the documentation test.
extern const std::string_view kTopLevelKeys[22];

// The configuration `kubevents run` uses without --config: every event,
// as JSON lines on stdout.
extern const char kEmbeddedDefaultConfig[];

struct LoadOptions {
  // check-config without --strict-env: a ${NAME} not set here is a warning
  // (config::Diagnostics::set_unset_env_is_warning); `run` keeps the error.
  bool unset_env_is_warning = false;
};

// Parses `text` (named `file` in messages). Throws config::Error.
Config Parse(const std::string& text, const std::string& file, const LoadOptions& options = {});

// Reads and parses `path`. Throws config::Error (also for an unreadable file).
Config Load(const std::string& path, const LoadOptions& options = {});

// Prints each problem on stderr, one line each (file:line:column: key: message).
void PrintProblems(const std::vector<config::Problem>& problems);

}  // namespace kv::app
