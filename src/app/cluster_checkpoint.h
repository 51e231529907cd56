// The checkpoint's cluster side under leader election: the ConfigMap
// `<leaderElectionID>-checkpoint` (key checkpoint.json), what a replica
// keeps of its spools when it starts, and the state a new leader resumes
// from. The mirror that keeps the ConfigMap current, and holds events back
// until it covers them, is kube/checkpoint_mirror.h.
//
// Threads: the owner's (main) thread, except the mirror's own.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "delivery/hub.h"
#include "kube/checkpoint.h"
#include "kube/checkpoint_mirror.h"
#include "kube/client.h"
#include "kube/configmap_store.h"
#include "kube/credentials.h"
#include "util/clock.h"
#include "util/result.h"

namespace kv::app {

class ClusterCheckpoint {
 public:
  // `clock` must outlive it.
  ClusterCheckpoint(std::shared_ptr<kube::Credentials> credentials, std::string ns,
                    std::string lease_name, std::string replica_id, Clock& clock);
  ~ClusterCheckpoint();

  // At start, before Hub::Recover: how far this replica's spooled events
  // are committed. Events it spooled past its last cluster checkpoint are
  // re-emitted by whoever leads from that checkpoint, so they are dropped
  // here. `local_committed` (the local journal's) when the cluster copy
  // says nothing of this replica or cannot be read within a few tries.
  uint64_t RecoverUpTo(uint64_t local_committed);

  // On becoming leader: the state to resume from, recorded in the local
  // checkpoint too; then the mirror starts and gates the hub's publishing.
  //  - the cluster's copy when there is one (a copy without a resume point
  //    is listed again with its own first-start cutoff);
  //  - else, when another replica led before (the Lease counts
  //    transitions) but left no usable copy: a degraded hand-over that
  //    re-sends rather than skips: from `local`'s resume point if it has
  //    one, else everything the API server holds;
  //  - else `local` (`local_state`: it was recovered from disk), or a first
  //    start with `first_start_skip_before` (the maxEventAge cutoff).
  // kUnavailable / kUnauthorized when the ConfigMap cannot be read.
  Result<kube::Checkpoint> TakeOver(kube::Checkpoint local, bool local_state,
                                    int64_t first_start_skip_before,
                                    kube::Checkpointer& checkpointer, delivery::Hub& hub);

  // At shutdown, after the watcher stopped and wrote its last journal
  // line: saves the final state and publishes what it covers.
  void Flush();

  // For metrics (any thread): the mirror's last save (micros, 0 = none yet
  // or not leading) and failed saves.
  int64_t last_saved_micros() const;
  uint64_t failed_saves() const;
  // Bytes of the last copy written (before compression), and take-overs
  // that found no usable copy although another replica had led.
  uint64_t saved_bytes() const { return saved_bytes_.load(); }
  uint64_t degraded_handovers() const { return degraded_handovers_.load(); }

 private:
  Result<void> Save(const kube::Checkpoint& cp);
  // Whether a replica led before this one (the Lease's transitions; true
  // when the Lease cannot be read).
  bool LedBefore();

  const std::string replica_id_;
  const std::string namespace_;
  const std::string lease_name_;
  Clock& clock_;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<kube::ConfigMapStore> store_;
  std::unique_ptr<kube::CheckpointMirror> mirror_;  // set once by TakeOver
  std::atomic<kube::CheckpointMirror*> published_mirror_{nullptr};
  std::atomic<uint64_t> saved_bytes_{0};
  std::atomic<uint64_t> degraded_handovers_{0};
};

}  // namespace kv::app
