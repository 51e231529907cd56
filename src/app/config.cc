#include "app/config.h"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <iterator>
#include <limits>

#include "sinks/registry.h"
#include "util/files.h"

namespace kv::app {

const char kEmbeddedDefaultConfig[] =
    R"(# kubevents embedded defaults: every event, as JSON lines on stdout.
logLevel: info
logFormat: text
route:
  routes:
    - match:
        - receiver: stdout
receivers:
  - name: stdout
    stdout: {}
)";

const std::string_view kTopLevelKeys[] = {"logLevel",
                                          "logFormat",
                                          "throttlePeriod",
                                          "maxEventAgeSeconds",
                                          "clusterName",
                                          "namespace",
                                          "namespaces",
                                          "eventsApi",
                                          "emitUpdates",
                                          "leaderElection",
                                          "route",
                                          "receivers",
                                          "dataDirMaxBytes",
                                          "kubeQPS",
                                          "kubeBurst",
                                          "metricsNamePrefix",
                                          "omitLookup",
                                          "cacheSize",
                                          "lookupTimeoutMilliseconds",
                                          "dataDir",
                                          "delivery",
                                          "logDeliveries"};

namespace {

std::set<std::string> ToSet(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

void ParseLeaderElection(const config::Node& le, LeaderElectionConfig* lc) {
  le.RejectUnknownKeys({"enabled", "leaderElectionID", "leaseDurationSeconds",
                        "renewDeadlineSeconds", "retryPeriodSeconds"});
  lc->enabled = le.Bool("enabled", lc->enabled);
  lc->id = le.String("leaderElectionID");
  if (!lc->id.empty() && !RE2::FullMatch(lc->id, "[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
    le.Report("must be a valid Lease name (lower-case letters, digits, '-', '.')",
              "leaderElectionID");
  }
  auto seconds = [&](const char* key, std::chrono::seconds dflt) {
    return std::chrono::seconds(le.Int(key, dflt.count(), 1, 3600));
  };
  lc->lease_duration = seconds("leaseDurationSeconds", lc->lease_duration);
  lc->renew_deadline = seconds("renewDeadlineSeconds", lc->renew_deadline);
  lc->retry_period = seconds("retryPeriodSeconds", lc->retry_period);
  // client-go's rule: a renewal gets a jittered retry before its deadline,
  // and the deadline ends before another replica may take the Lease.
  if (lc->lease_duration <= lc->renew_deadline || lc->renew_deadline * 5 <= lc->retry_period * 6) {
    le.Report("need leaseDurationSeconds > renewDeadlineSeconds > 1.2 * retryPeriodSeconds");
  }
}

// The `receivers:` list into cfg->receivers (each with the top-level
// delivery defaults under its own overrides); returns their names in order.
// Advice for check-config on receiver `r` of `kind`: a search receiver that
// keeps the dots of label keys (deDot false, the reference's default) is
// one mapping conflict away from reshaped documents in an index made by
// hand or by dynamic mapping (sinks/search/README.md).
void ReceiverAdvice(const config::Node& r, const sinks::ReceiverKind& kind, Config* cfg) {
  if (kind.key != "opensearch" && kind.key != "elasticsearch") return;
  config::Node body = r.Child(kind.key);
  if (!body.IsMap()) return;
  config::Node dedot = body.Child("deDot");
  if (dedot.Defined() && dedot.yaml().IsScalar() && dedot.yaml().Scalar() == "true") return;
  config::Problem p;
  p.file = body.file();
  p.line = body.line();
  p.column = 1;
  p.key_path = body.path();
  p.warning = true;
  p.message =
      "deDot is false: label and annotation keys keep their dots, so in an index whose mapping "
      "was made dynamically `app: web` and `app.kubernetes.io/name` cannot both be indexed; "
      "kubevents then resends the refused documents reshaped (counted in "
      "receiver_documents_reshaped_total). Set deDot: true on the receiver, or create an index "
      "template mapping labels as flat/keyword: see docs/receivers/opensearch.md#mapping-conflicts";
  cfg->advice.push_back(std::move(p));
}

std::vector<std::string> ParseReceivers(const config::Node& root, Config* cfg) {
  std::vector<std::string> names;
  config::Node receivers = root.Child("receivers");
  if (!receivers.Defined()) {
    root.Report("no receivers: add at least one under `receivers:`");
    return names;
  }
  if (!receivers.IsSequence()) {
    root.Report("expected a list of receivers", "receivers");
    return names;
  }
  for (const config::Node& r : receivers.Items()) {
    std::string name = r.IsMap() ? r.String("name") : "";
    if (r.IsMap() && name.empty()) r.Report("receiver has no name", "name");
    for (const auto& existing : names) {
      if (!name.empty() && existing == name) {
        r.Report("duplicate receiver name '" + name + "'", "name");
      }
    }
    names.push_back(name);
    delivery::DeliveryConfig dc = cfg->delivery;
    if (r.IsMap()) dc = delivery::ParseDeliveryConfig(r.Child("delivery"), dc, false);
    const sinks::ReceiverKind* kind = sinks::KindOf(r);
    if (kind) ReceiverAdvice(r, *kind, cfg);
    UpdatesConfig updates = DefaultUpdates(kind != nullptr && kind->chat);
    if (r.IsMap()) updates = ParseUpdates(r.Child("updates"), updates);
    // `updates` is the pipeline's, not the receiver's: changing it keeps
    // the running receiver.
    YAML::Node block = YAML::Clone(r.yaml());
    if (block.IsMap()) block.remove("updates");
    std::string fingerprint = YAML::Dump(block);
    if (root.Has("delivery")) fingerprint += "\n---\n" + YAML::Dump(root.Child("delivery").yaml());
    if (root.Has("logDeliveries")) {
      fingerprint += "\n---\nlogDeliveries: " + YAML::Dump(root.Child("logDeliveries").yaml());
    }
    cfg->receivers.push_back({name, sinks::ParseReceiver(r), dc, updates, std::move(fingerprint)});
  }
  return names;
}

}  // namespace

Config Parse(const std::string& text, const std::string& file, const LoadOptions& options) {
  auto diag = std::make_shared<config::Diagnostics>();
  diag->set_unset_env_is_warning(options.unset_env_is_warning);
  config::Node root = config::ParseYaml(text, file, diag);
  if (diag->HasErrors()) throw config::Error(diag->problems());  // not YAML: nothing more to say
  Config cfg;
  cfg.file = file;
  if (root.Defined() && !root.IsMap()) root.Report("the config file must be a YAML mapping");
  root.RejectUnknownKeys(
      std::vector<std::string_view>(std::begin(kTopLevelKeys), std::end(kTopLevelKeys)));
  cfg.log_level = root.String("logLevel", cfg.log_level);
  cfg.log_format = root.String("logFormat", cfg.log_format);
  cfg.cluster_name = root.String("clusterName");
  cfg.namespace_ = root.String("namespace");
  if (root.Has("namespaces")) {
    config::Node ns = root.Child("namespaces");
    ns.RejectUnknownKeys({"include", "exclude"});
    cfg.include_namespaces = ToSet(ns.StringList("include"));
    cfg.exclude_namespaces = ToSet(ns.StringList("exclude"));
  }
  std::string api = root.String("eventsApi", "core/v1");
  if (api == "events.k8s.io/v1") {
    cfg.events_api = event::ApiGroup::kEventsV1;
  } else if (api != "core/v1" && api != "v1") {
    root.Report("expected core/v1 or events.k8s.io/v1, got '" + api + "'", "eventsApi");
  }
  cfg.kube_qps = root.Double("kubeQPS", cfg.kube_qps, 0, 100000);
  cfg.kube_burst = static_cast<int>(root.Int("kubeBurst", cfg.kube_burst, 0, 100000));
  cfg.emit_updates = root.Bool("emitUpdates", cfg.emit_updates);
  if (root.Has("leaderElection"))
    ParseLeaderElection(root.Child("leaderElection"), &cfg.leader_election);
  std::string prefix = root.String("metricsNamePrefix", cfg.metrics_name_prefix);
  cfg.metrics_name_prefix = prefix;
  if (!prefix.empty() && !RE2::FullMatch(prefix, "[a-zA-Z][a-zA-Z0-9_:]*_")) {
    root.Report("must be a valid Prometheus metric name prefix ending in '_', e.g. 'kubevents_'",
                "metricsNamePrefix");
  }
  cfg.omit_lookup = root.Bool("omitLookup", cfg.omit_lookup);
  // cacheSize 0 means the default, as in the reference.
  cfg.cache_size = static_cast<int>(root.Int("cacheSize", cfg.cache_size, 0, 1000000));
  if (cfg.cache_size == 0) cfg.cache_size = Config{}.cache_size;
  cfg.lookup_timeout = std::chrono::milliseconds(
      root.Int("lookupTimeoutMilliseconds", cfg.lookup_timeout.count(), 10, 60000));
  // throttlePeriod is the reference's deprecated spelling of maxEventAgeSeconds.
  int64_t age =
      root.Int("throttlePeriod", cfg.max_event_age.count(), 0, std::numeric_limits<int32_t>::max());
  if (root.Has("throttlePeriod")) root.Warn("deprecated: use maxEventAgeSeconds", "throttlePeriod");
  age = root.Int("maxEventAgeSeconds", age, 0, std::numeric_limits<int32_t>::max());
  cfg.max_event_age = std::chrono::seconds(age);

  cfg.data_dir = root.String("dataDir");
  cfg.data_dir_max_bytes = static_cast<uint64_t>(
      root.Int("dataDirMaxBytes", 0, 1 << 20, std::numeric_limits<int64_t>::max()));
  // The top-level key is the default; a `delivery:` block may override it.
  cfg.delivery.log_deliveries = root.Bool("logDeliveries", cfg.delivery.log_deliveries);
  cfg.delivery = delivery::ParseDeliveryConfig(root.Child("delivery"), cfg.delivery, true);

  std::vector<std::string> names = ParseReceivers(root, &cfg);
  cfg.route = std::make_shared<route::Tree>(route::Tree::Parse(root.Child("route"), names));
  if (!root.Has("route")) root.Warn("no route: no event will be sent anywhere");

  std::vector<config::Problem> problems = diag->problems();
  if (diag->HasErrors()) throw config::Error(std::move(problems));
  cfg.warnings = config::SortByPosition(std::move(problems));
  return cfg;
}

Config Load(const std::string& path, const LoadOptions& options) {
  auto text = files::Read(path);
  if (!text) {
    config::Problem p;
    p.file = path;
    p.message = text.error().message;
    throw config::Error({p});
  }
  return Parse(*text, path, options);
}

}  // namespace kv::app
