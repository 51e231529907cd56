#include "app/reload.h"

#include <spdlog/spdlog.h>
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

Reloader::Reloader(std::string path, Receivers& receivers, const delivery::Hub& hub, Source& source,
                   PipelineStats& stats, std::chrono::milliseconds grace)
    : path_(std::move(path)),
      receivers_(receivers),
      hub_(hub),
      source_(source),
      stats_(stats),
      grace_(grace) {}

void Reloader::Reload(Config& running) {
  Config next;
  try {
    next = Load(path_);
  } catch (const config::Error& e) {
    stats_.reload_failures.fetch_add(1);
    for (const auto& p : e.problems()) spdlog::error("{}", p.ToString());
    spdlog::error("config reload rejected: {} has errors; the running config stays", path_);
    return;
  }
  for (const auto& key : SettingsNeedingRestart(running, next)) {
    spdlog::warn("config reload: {} changed; it takes effect after a restart", key);
  }
  if (auto r = receivers_.Apply(running, next, grace_); !r) {
    stats_.reload_failures.fetch_add(1);
    spdlog::error("config reload rejected: {}", r.error().message);
    return;
  }
  source_.SetRouting(MakeRouting(next, hub_));
  for (const auto& w : next.warnings) spdlog::warn("{}", w.ToString());
  running = std::move(next);
  stats_.reloads.fetch_add(1);
  spdlog::info("config reloaded from {}: {} receivers", path_, running.receivers.size());
}

ConfigPoller::ConfigPoller(std::string path, std::chrono::milliseconds period, Clock& clock,
                           std::function<void()> changed) {
  thread_ =
      std::thread([this, path = std::move(path), period, &clock, changed = std::move(changed)] {
        FileChangeDetector detector(path);
        while (!stop_.WaitFor(period, clock)) {
          if (detector.Changed()) changed();
        }
      });
}

ConfigPoller::~ConfigPoller() {
  stop_.Stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace kv::app
