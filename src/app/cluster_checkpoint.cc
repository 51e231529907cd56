#include "app/cluster_checkpoint.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "kube/api_answer.h"
#include "kube/emitted_set.h"
#include "kube/lease.h"
#include "util/url.h"

namespace kv::app {

ClusterCheckpoint::ClusterCheckpoint(std::shared_ptr<kube::Credentials> credentials, std::string ns,
                                     std::string lease_name, std::string replica_id, Clock& clock)
    : replica_id_(std::move(replica_id)), namespace_(ns), lease_name_(lease_name), clock_(clock) {
  client_ = std::make_unique<kube::Client>(std::move(credentials), nullptr, nullptr);
  store_ = std::make_unique<kube::ConfigMapStore>(
      kube::ConfigMapStoreOptions{std::move(ns), lease_name + "-checkpoint", "checkpoint.json"},
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
  std::string encoded = kube::EncodeCheckpoint(cp);
  saved_bytes_.store(encoded.size());
  auto r = store_->Save(encoded);
  if (r || r.error().http_status != 409) return r;
  // A conflict. Our own earlier write may have landed unseen (a timeout
  // after the API server applied it): if the stored copy is still ours,
  // write over it. Another leader's copy is never overwritten.
  auto loaded = store_->Load();
  if (!loaded || !*loaded) return r;
  auto stored = kube::DecodeCheckpoint(**loaded);
  if (!stored || stored->writer != replica_id_) return r;
  return store_->Save(encoded);
}

bool ClusterCheckpoint::LedBefore() {
  auto resp =
      client_->Get("/apis/coordination.k8s.io/v1/namespaces/" + url::PercentEncode(namespace_) +
                       "/leases/" + url::PercentEncode(lease_name_),
                   std::chrono::seconds(10));
  if (!kube::CheckAnswer(resp, "lease")) return true;  // unknown: assume the worst
  auto lease = kube::ParseLease(resp->body);
  // Every take-over (from another holder, or a released Lease) counts a
  // transition; identities are new at every process start.
  return !lease || lease->transitions > 0;
}

Result<kube::Checkpoint> ClusterCheckpoint::TakeOver(kube::Checkpoint local, bool local_state,
                                                     int64_t first_start_skip_before,
                                                     kube::Checkpointer& checkpointer,
                                                     delivery::Hub& hub) {
  auto loaded = store_->Load();
  if (!loaded) {
    std::string hint;
    if (loaded.error().code == ErrorCode::kUnauthorized) {
      hint = " (RBAC: get, create and update on configmaps in namespace " + namespace_ +
             ", the Lease's: set POD_NAMESPACE or the kubeconfig context's namespace to move both)";
    }
    return Fail(loaded.error().code, "cannot read the cluster checkpoint (configmap " + namespace_ +
                                         "/" + lease_name_ +
                                         "-checkpoint): " + loaded.error().message + hint);
  }
  kube::Checkpoint state = std::move(local);
  std::vector<kube::Checkpoint::Handover> handovers;
  std::optional<kube::Checkpoint> copy;
  if (*loaded) {
    auto cp = kube::DecodeCheckpoint(**loaded);
    if (cp) {
      copy = std::move(*cp);
    } else {
      spdlog::warn("ignoring an unreadable cluster checkpoint: {}", cp.error().message);
    }
  }
  if (copy) {
    // The cluster's copy wins even when this replica wrote it: the
    // spools were cut back to it at start (RecoverUpTo).
    if (copy->writer != replica_id_) {
      spdlog::info("resuming from the cluster checkpoint of {} at resourceVersion {}", copy->writer,
                   copy->resource_version.empty() ? "(none yet: listing)" : copy->resource_version);
    }
    handovers = copy->handovers;
    if (!copy->writer.empty() && copy->writer != replica_id_) {
      handovers.push_back({copy->writer, copy->event_seq});
      if (handovers.size() > kube::Checkpoint::kMaxHandovers) {
        handovers.erase(handovers.begin(), handovers.end() - kube::Checkpoint::kMaxHandovers);
      }
    }
    // A copy without a resume point (its writer died during its first
    // list) is listed again with the lineage's own first-start cutoff,
    // never as a new first start.
    state.resource_version = copy->resource_version;
    state.emitted = std::move(copy->emitted);
    state.skip_before_micros = copy->skip_before_micros;
  } else if (LedBefore()) {
    // Another replica led, but left no usable copy (it could not save
    // one: RBAC, API server down): re-send rather than skip. From this
    // replica's own resume point if it has one, else everything the API
    // server holds.
    degraded_handovers_.fetch_add(1);
    if (local_state && !state.resource_version.empty()) {
      spdlog::warn(
          "no cluster checkpoint although another replica led before; resuming from this "
          "replica's own, older resourceVersion {}: events since then are sent again "
          "(duplicates, nothing lost)",
          state.resource_version);
    } else {
      spdlog::warn(
          "no cluster checkpoint although another replica led before; sending every event the "
          "API server holds again (duplicates, nothing lost)");
      state.resource_version.clear();
      state.skip_before_micros = 0;
    }
  } else if (!local_state) {
    state.skip_before_micros = first_start_skip_before;
  }
  checkpointer.set_handovers(handovers);
  checkpointer.set_skip_before(state.skip_before_micros);
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
