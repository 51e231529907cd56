#include "app/reload.h"

#include <sys/stat.h>

#include <filesystem>
#include <functional>

#include "util/files.h"

namespace kv::app {

FileChangeDetector::FileChangeDetector(std::string path) : path_(std::move(path)) {
  last_ = Signature();
}

std::string FileChangeDetector::Signature() const {
  std::error_code ec;
  auto real = std::filesystem::canonical(path_, ec);
  struct stat st {};
  if (ec || ::stat(path_.c_str(), &st) != 0) return "missing";
  auto text = files::Read(path_);
  size_t hash = text ? std::hash<std::string>{}(*text) : 0;
  return real.string() + "|" + std::to_string(st.st_ino) + "|" + std::to_string(st.st_size) + "|" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + "|" +
         std::to_string(hash);
}

bool FileChangeDetector::Changed() {
  std::string now = Signature();
  if (now == last_ || now == "missing") return false;  // mid-swap: look again later
  last_ = now;
  return true;
}

std::vector<std::string> SettingsNeedingRestart(const Config& a, const Config& b) {
  std::vector<std::string> out;
  auto check = [&](bool same, const char* key) {
    if (!same) out.emplace_back(key);
  };
  check(a.namespace_ == b.namespace_, "namespace");
  check(
      a.include_namespaces == b.include_namespaces && a.exclude_namespaces == b.exclude_namespaces,
      "namespaces");
  check(a.events_api == b.events_api, "eventsApi");
  check(a.cluster_name == b.cluster_name, "clusterName");
  check(a.kube_qps == b.kube_qps && a.kube_burst == b.kube_burst, "kubeQPS/kubeBurst");
  check(a.omit_lookup == b.omit_lookup && a.cache_size == b.cache_size &&
            a.lookup_timeout == b.lookup_timeout,
        "omitLookup/cacheSize/lookupTimeoutMilliseconds");
  check(a.data_dir == b.data_dir, "dataDir");
  check(a.delivery.fsync == b.delivery.fsync &&
            a.delivery.fsync_interval == b.delivery.fsync_interval,
        "delivery.fsync");
  check(a.leader_election.enabled == b.leader_election.enabled &&
            a.leader_election.id == b.leader_election.id,
        "leaderElection");
  check(a.metrics_name_prefix == b.metrics_name_prefix, "metricsNamePrefix");
  check(a.log_level == b.log_level && a.log_format == b.log_format, "logLevel/logFormat");
  return out;
}

}  // namespace kv::app
