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
  ClusterCheckpoint(std::shared_ptr<kube::Credentials> credentials, std::string namespace_,
                    std::string lease_name, std::string replica_id, Clock& clock);
  ~ClusterCheckpoint();

  // At start, before Hub::Recover: how far this replica's spooled events
  // are committed. Events it spooled past its last cluster checkpoint are
  // re-emitted by whoever leads from that checkpoint, so they are dropped
  // here. `local_committed` (the local journal's) when the cluster copy
  // says nothing of this replica or cannot be read within a few tries.
  uint64_t RecoverUpTo(uint64_t local_committed);

  // On becoming leader: the state to resume from (the cluster's copy when
  // there is one, else `local`), recorded in the local checkpoint too;
  // then the mirror starts and gates the hub's publishing. kUnavailable /
  // kUnauthorized when the ConfigMap cannot be read.
  Result<kube::Checkpoint> TakeOver(kube::Checkpoint local, kube::Checkpointer& checkpointer,
                                    delivery::Hub& hub);

  // At shutdown, after the watcher stopped and wrote its last journal
  // line: saves the final state and publishes what it covers.
  void Flush();

  // For metrics (any thread): the mirror's last save (micros, 0 = none yet
  // or not leading) and failed saves.
  int64_t last_saved_micros() const;
  uint64_t failed_saves() const;

 private:
  Result<void> Save(const kube::Checkpoint& cp);

  const std::string replica_id_;
  Clock& clock_;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<kube::ConfigMapStore> store_;
  std::unique_ptr<kube::CheckpointMirror> mirror_;  // set once by TakeOver
  std::atomic<kube::CheckpointMirror*> published_mirror_{nullptr};
};

}  // namespace kv::app
