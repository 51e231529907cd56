#include "app/leadership.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace kv::app {

namespace {

kube::LeaderElectionOptions OptionsOf(const LeaderElectionConfig& config,
                                      const std::string& context_namespace, Rng& rng) {
  kube::LeaderElectionOptions o;
  o.name = config.id.empty() ? kube::kDefaultLeaderElectionId : config.id;
  o.namespace_ = kube::DefaultLeaseNamespace(context_namespace);
  o.identity = kube::MakeIdentity(rng);
  o.lease_duration = config.lease_duration;
  o.renew_deadline = config.renew_deadline;
  o.retry_period = config.retry_period;
  return o;
}

}  // namespace

Leadership::Leadership(const LeaderElectionConfig& config,
                       std::shared_ptr<kube::Credentials> credentials,
                       const std::string& replica_id, Clock& clock, Rng& rng)
    : enabled_(config.enabled), is_leader_(!config.enabled) {
  if (!enabled_) return;
  options_ = OptionsOf(config, credentials->config().namespace_, rng);
  cluster_checkpoint_ = std::make_unique<ClusterCheckpoint>(credentials, options_.namespace_,
                                                            options_.name, replica_id, clock);
  // Its own client: renewals never queue behind the watcher or lookups.
  client_ = std::make_unique<kube::Client>(credentials, nullptr, nullptr);
  elector_ =
      std::make_unique<kube::LeaderElector>(options_, *client_, clock, rng, stop_, Callbacks());
}

Leadership::~Leadership() { Stop(); }

std::string Leadership::Describe() const {
  if (!enabled_) return "";
  return "as " + options_.identity + " for lease " + options_.namespace_ + "/" + options_.name;
}

void Leadership::Export(server::Registry& registry) const {
  ExportLeader(registry, is_leader_, elector_ ? &elector_->stats() : nullptr);
}

kube::LeaderCallbacks Leadership::Callbacks() {
  kube::LeaderCallbacks cb;
  cb.on_started_leading = [this] {
    is_leader_.store(true);
    started_();
  };
  cb.on_stopped_leading = [this] {
    is_leader_.store(false);
    if (shutting_down_.load()) return;
    // Another replica may lead already: stop emitting at once. Everything
    // this process spooled is durable; it is delivered after the restart.
    spdlog::error("lost the leader lease {}/{}; exiting so no two replicas emit",
                  options_.namespace_, options_.name);
    spdlog::shutdown();
    std::_Exit(3);
  };
  cb.on_new_leader = [](const std::string& id) { spdlog::info("leader is now {}", id); };
  return cb;
}

void Leadership::Start(std::function<void()> started, std::function<void()> failed) {
  if (!enabled_) {
    started();
    return;
  }
  started_ = std::move(started);
  thread_ = std::thread([this, failed = std::move(failed)] {
    if (auto r = elector_->Run(); !r) {
      spdlog::error("leader election: {}", r.error().message);
      failed();
    }
  });
}

void Leadership::Stop() {
  stop_.Stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace kv::app
