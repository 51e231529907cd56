// Who exports: under leader election (leaderElection.enabled) this replica
// campaigns for the Lease and exports only while it holds it, with the
// checkpoint mirrored in the cluster (app/cluster_checkpoint.h); without
// it, this replica leads at once.
//
// Threads: constructed, started and stopped by the owner (main) thread;
// the elector runs on its own thread and calls the callbacks from there.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "app/cluster_checkpoint.h"
#include "app/config.h"
#include "app/observability.h"
#include "kube/client.h"
#include "kube/credentials.h"
#include "kube/leader_election.h"
#include "server/metrics.h"
#include "util/clock.h"
#include "util/rng.h"
#include "util/stop.h"

namespace kv::app {

class Leadership {
 public:
  // Every reference must outlive it. The Lease's namespace: POD_NAMESPACE,
  // else the service account's, else the kubeconfig context's (from
  // `credentials`), else "default" (kube::DefaultLeaseNamespace).
  Leadership(const LeaderElectionConfig& config, std::shared_ptr<kube::Credentials> credentials,
             const std::string& replica_id, Clock& clock, Rng& rng);
  ~Leadership();

  bool enabled() const { return enabled_; }
  // The cluster's copy of the checkpoint; null without leader election.
  ClusterCheckpoint* cluster_checkpoint() const { return cluster_checkpoint_.get(); }
  const std::atomic<bool>& is_leader() const { return is_leader_; }
  // "as <identity> for lease <ns>/<name>" or "" (for the start line).
  std::string Describe() const;

  // Exports kubevents_leader (and the elector's counters).
  void Export(server::Registry& registry) const;

  // Starts leading: at once without leader election (`started` runs on
  // this thread), else on the elector's thread once the Lease is held.
  // `failed` runs when the election cannot go on (a bad config, RBAC).
  // Losing the Lease later ends the process (exit code 3) unless
  // ShuttingDown() was called: another replica may lead already, and
  // everything spooled here is delivered after the restart.
  void Start(std::function<void()> started, std::function<void()> failed);
  // From now on losing the Lease is expected.
  void ShuttingDown() { shutting_down_.store(true); }
  // Releases the Lease (so a standby takes over at once) and joins the
  // elector.
  void Stop();

 private:
  kube::LeaderCallbacks Callbacks();

  const bool enabled_;
  kube::LeaderElectionOptions options_;
  std::unique_ptr<ClusterCheckpoint> cluster_checkpoint_;
  std::atomic<bool> is_leader_;
  std::atomic<bool> shutting_down_{false};
  StopSignal stop_;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<kube::LeaderElector> elector_;
  std::function<void()> started_;  // set by Start, before the elector runs
  std::thread thread_;
};

}  // namespace kv::app
