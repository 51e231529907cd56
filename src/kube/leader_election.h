// Lease-based leader election on coordination.k8s.io/v1 Leases, with the
// semantics of client-go's leaderelection package, so kubevents replicas
// and tools that read Leases (kubectl get lease) agree on who leads.
//
// A candidate reads the Lease every retry_period (jittered) and takes it
// when it is absent (create), released (empty holder), held by itself, or
// expired: unchanged for the record's leaseDurationSeconds since this
// process first saw that version (the local observation time, not the
// record's renewTime, so clocks of different nodes never matter). Every
// write is a PUT carrying the resourceVersion read: a 409 means another
// candidate won the race, and the next attempt reads again.
//
// Between reads a candidate watches the Lease: each renewal is observed
// as it happens, so the observation time trails the holder's write by a
// round trip, not by up to a poll; and it wakes exactly at the expiry
// rather than at the next poll. A SIGKILLed holder is therefore replaced
// about leaseDurationSeconds after its last renewal (within one
// retry_period after it). Without watch permission renewals are seen at
// the polls only (up to 2.2 retry_periods late), but the wake-up at the
// expiry is still exact.
//
// The leader renews every retry_period. If no renewal has succeeded within
// renew_deadline of the start of the last successful write, it stops leading
// at once (on_stopped_leading runs then). Another replica can take over
// only lease_duration after it observed that last renewal, and
// renew_deadline < lease_duration, so two leaders never overlap as long as
// on_stopped_leading stops the work within lease_duration - renew_deadline.
// On shutdown (stop fires) a leader calls on_stopped_leading, then releases
// the Lease (holder cleared, leaseDurationSeconds 1, as client-go's
// ReleaseOnCancel) so a successor takes over within about a retry_period.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "kube/client.h"
#include "kube/lease.h"
#include "util/clock.h"
#include "util/result.h"
#include "util/rng.h"
#include "util/stop.h"

namespace kv::kube {

struct LeaderElectionOptions {
  std::string namespace_;  // of the Lease
  std::string name;        // the Lease: leaderElectionID
  std::string identity;    // unique per process: see MakeIdentity
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  bool release_on_stop = true;
};

// The reference exporter's defaults when leaderElectionID is empty.
inline constexpr const char* kDefaultLeaderElectionId = "kubernetes-event-exporter";

// kInvalidConfig unless name, namespace and identity are set and
// lease_duration > renew_deadline > 1.2 * retry_period > 0 (client-go's rule:
// a renewal gets at least one jittered retry before its deadline).
Result<void> Validate(const LeaderElectionOptions& options);

// "<hostname>_<16 random hex digits>", as the reference builds it (hostname
// is the pod name in a cluster).
std::string MakeIdentity(Rng& rng);

// The namespace to put the Lease (and the cluster checkpoint) in: the
// first set of POD_NAMESPACE, the service account's namespace in a cluster
// (/var/run/secrets/kubernetes.io/serviceaccount/namespace), the kubeconfig
// context's namespace (kubevents run outside a cluster), "default".
std::string ChooseLeaseNamespace(std::string_view pod_namespace,
                                 std::string_view service_account_namespace,
                                 std::string_view context_namespace);

// ChooseLeaseNamespace with POD_NAMESPACE and the service account's file
// read here.
std::string DefaultLeaseNamespace(std::string_view context_namespace);

// The message for an answer other than success to `verb` (get, create,
// update) on the Lease: "cannot get lease <ns>/<name>: 403 Forbidden: …";
// a 403 adds how to choose the namespace, since a Lease in the wrong one
// (often "default" outside a cluster) is the usual cause.
std::string DescribeLeaseFailure(std::string_view verb, const std::string& namespace_,
                                 const std::string& name, const http::Response& response);

// What a candidate writes after reading `current` (nullopt: no Lease yet)
// at wall time `now_us`: nullopt when it must not take it (held by another
// and not expired; `expired` is the caller's observation-time verdict).
std::optional<LeaseRecord> NextRecord(const std::optional<LeaseRecord>& current, bool expired,
                                      const std::string& identity, int lease_duration_seconds,
                                      int64_t now_us);

struct LeaderCallbacks {
  // Called on the elector's thread; each must return promptly (renewals
  // wait for it): start or stop the work on other threads.
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;  // after leading only
  // The holder changed to `identity` (ourselves included).
  std::function<void(const std::string& identity)> on_new_leader;
};

struct LeaderElectionStats {
  std::atomic<uint64_t> attempts{0};      // acquire or renew tries
  std::atomic<uint64_t> acquisitions{0};  // became leader
  std::atomic<uint64_t> losses{0};        // stopped leading without being asked
  std::atomic<uint64_t> conflicts{0};     // 409 on create or update
  std::atomic<uint64_t> errors{0};        // transport errors and unexpected statuses
  std::atomic<uint64_t> observed{0};      // Lease versions seen (reads, writes, watch frames)
};

class LeaderElector {
 public:
  // `client` is used by Run()'s thread only. Give the elector its own
  // Client without a rate limiter and without a StopSignal (nullptr): so
  // renewals never queue behind lookups, and the release after `stop` can
  // still be sent. Every reference must outlive the elector.
  LeaderElector(LeaderElectionOptions options, Client& client, Clock& clock, Rng& rng,
                StopSignal& stop, LeaderCallbacks callbacks);

  // Campaigns, leads, and campaigns again after a loss, until `stop` fires;
  // then, if leading, calls on_stopped_leading and releases the Lease.
  // Returns kInvalidConfig at once for invalid options.
  Result<void> Run();

  // Any thread.
  bool IsLeader() const { return leading_.load(); }
  std::string Leader() const;  // last observed holder ("" unknown or released)
  const LeaderElectionStats& stats() const { return stats_; }

 private:
  enum class Attempt { kOk, kHeldByOther, kFailed };
  using Deadline = std::chrono::steady_clock::time_point;
  Attempt TryAcquireOrRenew(Deadline deadline);
  Attempt Write(const LeaseRecord& next, bool create, Deadline deadline);
  std::chrono::milliseconds Remaining(Deadline deadline);
  void Failed(const std::string& what);  // logs "leader election: <what>"
  void Observe(const LeaseRecord& record);
  bool Campaign();  // true once leading; false when stopped
  // When the observed Lease expires on this process's clock (max() when it
  // is free or ours).
  Clock::SteadyTime Expiry() const;
  // Waits up to `wait`, or less: until the observed Lease expires, or once
  // it is released, deleted or changes hands (watched; renewals seen on the
  // watch move the expiry on). True when stopped.
  bool WaitForChange(std::chrono::milliseconds wait);
  void Lead();  // returns on loss or stop
  void Release();
  std::string Path(bool collection) const;

  // Constant after construction.
  const LeaderElectionOptions options_;
  Client& client_;
  Clock& clock_;
  Rng& rng_;
  StopSignal& stop_;
  const LeaderCallbacks callbacks_;

  // Owned by Run()'s thread.
  std::optional<LeaseRecord> observed_;                  // last Lease read or written
  std::chrono::steady_clock::time_point observed_at_{};  // when its spec was first seen
  std::chrono::steady_clock::time_point renewed_at_{};   // start of the last successful write
  std::string reported_leader_;
  bool failing_ = false;        // the last attempt failed (log transitions only)
  bool watch_failing_ = false;  // the Lease watch is refused (log once)

  // Any thread.
  std::atomic<bool> leading_{false};
  mutable std::mutex mu_;
  std::string leader_;  // guarded by mu_
  LeaderElectionStats stats_;
};

}  // namespace kv::kube
