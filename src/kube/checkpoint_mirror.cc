#include "kube/checkpoint_mirror.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>

#include "util/time.h"

namespace kv::kube {

CheckpointMirror::CheckpointMirror(CheckpointMirrorOptions options, SaveFn save, PublishFn publish,
                                   Clock& clock)
    : options_(options), save_(std::move(save)), publish_(std::move(publish)), clock_(clock) {}

CheckpointMirror::~CheckpointMirror() { Stop(); }

void CheckpointMirror::Start(Checkpoint state) {
  {
    std::lock_guard lock(mu_);
    shadow_ = std::move(state);
    saved_event_seq_ = shadow_.event_seq;
    // Never equal to a journal_seq: the first turn saves at once, the new
    // leader's claim on the state.
    dirty_journal_ = UINT64_MAX;
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void CheckpointMirror::Seen(const std::string& uid, const EmittedSet::State& state) {
  std::lock_guard lock(mu_);
  shadow_.emitted[uid] = state;
}

void CheckpointMirror::Forgotten(const std::string& uid) {
  std::lock_guard lock(mu_);
  shadow_.emitted.erase(uid);
}

void CheckpointMirror::Replace(const EmittedSet::Map& all) {
  std::lock_guard lock(mu_);
  shadow_.emitted = all;
}

void CheckpointMirror::Committed(const std::string& position, uint64_t event_seq,
                                 uint64_t journal_seq) {
  {
    std::lock_guard lock(mu_);
    shadow_.resource_version = position;
    shadow_.event_seq = event_seq;
    shadow_.journal_seq = journal_seq;
  }
  changed_.notify_one();
}

void CheckpointMirror::NoteSave(bool ok) {
  if (!ok) {
    failed_saves_.fetch_add(1);
    return;
  }
  last_saved_micros_.store(timeutil::ToMicros(clock_.WallNow()));
}

uint64_t CheckpointMirror::saved_event_seq() const {
  std::lock_guard lock(mu_);
  return saved_event_seq_;
}

bool CheckpointMirror::SaveOnce(bool final) {
  Checkpoint copy;
  {
    std::lock_guard lock(mu_);
    if (shadow_.journal_seq == dirty_journal_ && !final) return false;
    // Only what the cluster copy keeps (bounded, whatever the cluster's
    // size); selecting it is one pass over the shadow.
    copy = ClusterView(shadow_, options_.recent_entries);
  }
  auto r = save_(copy);
  NoteSave(static_cast<bool>(r));
  bool publish = static_cast<bool>(r);
  if (!r) {
    bool refused = r.error().code == ErrorCode::kUnauthorized ||
                   (r.error().code == ErrorCode::kRejected && r.error().http_status != 409);
    if (refused) {
      // Refused for good (RBAC, too large): deliver anyway. A new leader
      // then finds an older copy or none, and re-sends rather than skips.
      if (!too_large_logged_) {
        spdlog::error(
            "cannot save the checkpoint in the cluster: {}; delivering without it (a fail-over "
            "re-sends what the API server still holds: duplicates, nothing lost)",
            r.error().message);
        too_large_logged_ = true;
      }
      publish = true;
      refused_ = true;
    } else if (!failing_) {
      spdlog::warn("cannot save the checkpoint in the cluster: {}; holding new events back",
                   r.error().message);
    }
    failing_ = true;
  } else if (failing_) {
    spdlog::info("checkpoint saved in the cluster again");
    failing_ = false;
    refused_ = false;
    too_large_logged_ = false;
  }
  if (publish) {
    {
      std::lock_guard lock(mu_);
      dirty_journal_ = copy.journal_seq;
      if (r) saved_event_seq_ = copy.event_seq;
    }
    publish_(copy.event_seq);
  }
  return true;
}

void CheckpointMirror::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return stop_ || shadow_.journal_seq != dirty_journal_; });
      if (stop_) return;
    }
    auto t0 = clock_.SteadyNow();
    SaveOnce(false);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.SteadyNow() - t0);
    auto pause = std::max(options_.min_interval, 2 * took);
    // A refused save is retried seldom: events are delivered meanwhile.
    if (refused_) pause = std::max(pause, options_.refused_retry);
    std::unique_lock lock(mu_);
    clock_.WaitFor(lock, changed_, pause, [&] { return stop_; });
    if (stop_) return;
  }
}

void CheckpointMirror::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<void> CheckpointMirror::Flush() {
  Stop();
  Checkpoint copy;
  {
    std::lock_guard lock(mu_);
    copy = ClusterView(shadow_, options_.recent_entries);
  }
  auto r = save_(copy);
  NoteSave(static_cast<bool>(r));
  if (!r) {
    // Not published: the events stay in the spool, and the next start
    // drops them if whoever leads then re-emits them (CoveredUpTo).
    return Fail(r.error().code, "final checkpoint not saved in the cluster: " + r.error().message);
  }
  {
    std::lock_guard lock(mu_);
    dirty_journal_ = copy.journal_seq;
    saved_event_seq_ = copy.event_seq;
  }
  publish_(copy.event_seq);
  return {};
}

std::optional<uint64_t> CheckpointMirror::CoveredUpTo(const Checkpoint& cp,
                                                      const std::string& writer) {
  if (writer.empty()) return std::nullopt;
  if (cp.writer == writer) return cp.event_seq;
  // The newest hand-over from this writer (it may have led more than once).
  for (auto it = cp.handovers.rbegin(); it != cp.handovers.rend(); ++it) {
    if (it->writer == writer) return it->event_seq;
  }
  return std::nullopt;
}

}  // namespace kv::kube
