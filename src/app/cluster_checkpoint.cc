#include "app/cluster_checkpoint.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "kube/emitted_set.h"

namespace kv::app {

ClusterCheckpoint::ClusterCheckpoint(std::shared_ptr<kube::Credentials> credentials,
                                     std::string namespace_, std::string lease_name,
                                     std::string replica_id, Clock& clock)
    : replica_id_(std::move(replica_id)), clock_(clock) {
  client_ = std::make_unique<kube::Client>(std::move(credentials), nullptr, nullptr);
  store_ = std::make_unique<kube::ConfigMapStore>(
      kube::ConfigMapStoreOptions{std::move(namespace_), lease_name + "-checkpoint",
                                  "checkpoint.json"},
      *client_);
}

ClusterCheckpoint::~ClusterCheckpoint() {
  if (mirror_) mirror_->Stop();
}

uint64_t ClusterCheckpoint::RecoverUpTo(uint64_t local_committed) {
  Result<std::optional<std::string>> loaded = std::optional<std::string>();
  for (int attempt = 0; attempt < 5; ++attempt) {
    loaded = store_->Load();
    if (loaded || loaded.error().code != ErrorCode::kUnavailable) break;
    clock_.SleepFor(std::chrono::seconds(1));
  }
  if (!loaded) {
    spdlog::warn(
        "cannot read the cluster checkpoint ({}); keeping every spooled event (a fail-over "
        "before this start may make some arrive twice)",
        loaded.error().message);
    return local_committed;
  }
  if (!*loaded) return local_committed;
  auto cp = kube::DecodeCheckpoint(**loaded);
  if (!cp) return local_committed;
  auto covered = kube::CheckpointMirror::CoveredUpTo(*cp, replica_id_);
  if (!covered) return local_committed;
  return std::min(*covered, local_committed);
}

Result<void> ClusterCheckpoint::Save(const kube::Checkpoint& cp) {
  auto r = store_->Save(kube::EncodeCheckpoint(cp));
  if (r || r.error().http_status != 409) return r;
  // A conflict. Our own earlier write may have landed unseen (a timeout
  // after the API server applied it): if the stored copy is still ours,
  // write over it. Another leader's copy is never overwritten.
  auto loaded = store_->Load();
  if (!loaded || !*loaded) return r;
  auto stored = kube::DecodeCheckpoint(**loaded);
  if (!stored || stored->writer != replica_id_) return r;
  return store_->Save(kube::EncodeCheckpoint(cp));
}

Result<kube::Checkpoint> ClusterCheckpoint::TakeOver(kube::Checkpoint local,
                                                     kube::Checkpointer& checkpointer,
                                                     delivery::Hub& hub) {
  auto loaded = store_->Load();
  if (!loaded) {
    return Fail(loaded.error().code,
                "cannot read the cluster checkpoint: " + loaded.error().message);
  }
  kube::Checkpoint state = std::move(local);
  std::vector<kube::Checkpoint::Handover> handovers;
  if (*loaded) {
    auto cp = kube::DecodeCheckpoint(**loaded);
    if (!cp) {
      spdlog::warn("ignoring an unreadable cluster checkpoint: {}", cp.error().message);
    } else {
      // The cluster's copy wins even when this replica wrote it: the
      // spools were cut back to it at start (RecoverUpTo).
      if (cp->writer != replica_id_) {
        spdlog::info("resuming from the cluster checkpoint of {} at resourceVersion {}", cp->writer,
                     cp->resource_version);
      }
      handovers = cp->handovers;
      if (!cp->writer.empty() && cp->writer != replica_id_) {
        handovers.push_back({cp->writer, cp->event_seq});
        if (handovers.size() > kube::Checkpoint::kMaxHandovers) {
          handovers.erase(handovers.begin(), handovers.end() - kube::Checkpoint::kMaxHandovers);
        }
      }
      state.resource_version = cp->resource_version;
      state.emitted = std::move(cp->emitted);
    }
  }
  checkpointer.set_handovers(handovers);
  kube::EmittedSet adopted(state.emitted);
  (void)checkpointer.Snapshot(state.resource_version, adopted);

  hub.SetPublishGate(true);
  mirror_ = std::make_unique<kube::CheckpointMirror>(
      kube::CheckpointMirrorOptions{}, [this](const kube::Checkpoint& cp) { return Save(cp); },
      [&hub](uint64_t event_seq) { hub.PublishUpTo(event_seq); }, clock_);
  mirror_->Start(checkpointer.Current(state.resource_version, adopted));
  checkpointer.SetMirror(mirror_.get());
  published_mirror_.store(mirror_.get());
  return state;
}

int64_t ClusterCheckpoint::last_saved_micros() const {
  auto* m = published_mirror_.load();
  return m ? m->last_saved_micros() : 0;
}

uint64_t ClusterCheckpoint::failed_saves() const {
  auto* m = published_mirror_.load();
  return m ? m->failed_saves() : 0;
}

void ClusterCheckpoint::Flush() {
  if (!mirror_) return;
  if (auto r = mirror_->Flush(); !r) {
    spdlog::warn("{}; the events it did not cover stay spooled", r.error().message);
  }
}

}  // namespace kv::app
