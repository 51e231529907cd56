#include "delivery/hub.h"

#include <spdlog/spdlog.h>

namespace kv::delivery {

Hub::Hub(std::filesystem::path data_dir, FsyncPolicy fsync,
         std::chrono::milliseconds fsync_interval, Env& env, Rng& rng, Clock& clock)
    : data_dir_(std::move(data_dir)),
      fsync_(fsync),
      fsync_interval_(fsync_interval),
      env_(env),
      rng_(rng),
      clock_(clock),
      storage_(clock) {}

Hub::~Hub() {
  if (syncer_.joinable()) Stop(std::chrono::milliseconds(0));
}

std::string Hub::DirName(const std::string& receiver) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : receiver) {
    if (std::isalnum(c) || c == '-' || c == '_' || (c == '.' && !out.empty())) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out.empty() ? "%" : out;
}

std::unique_ptr<Worker> Hub::MakeWorker(size_t index, std::unique_ptr<sinks::Sink> sink,
                                        const DeliveryConfig& config) {
  Receiver& r = *receivers_[index];
  WorkerOptions wo;
  wo.batch = ResolveBatch(config, sink->limits());
  wo.backoff_base = config.retry_initial;
  wo.backoff_cap = config.retry_max;
  wo.max_retry_age = config.retry_max_age;
  wo.log_deliveries = config.log_deliveries;
  wo.storage = &storage_;
  if (on_send_) {
    wo.on_send = [this, index](size_t events, std::chrono::nanoseconds took) {
      on_send_(index, events, took);
    };
  }
  return std::make_unique<Worker>(r.name, std::move(sink), *r.spool, *r.dead_letter, std::move(wo),
                                  r.stats, rng_, clock_);
}

Result<void> Hub::Add(const std::string& name, std::unique_ptr<sinks::Sink> sink,
                      const DeliveryConfig& config) {
  auto r = std::make_unique<Receiver>();
  r->name = name;
  SpoolOptions so;
  so.dir = data_dir_ / "spool" / DirName(name);
  so.max_bytes = config.max_spool_bytes;
  so.memory_bytes = config.memory_bytes;
  so.segment_bytes = config.segment_bytes;
  so.fsync = fsync_;
  so.overflow = config.overflow;
  auto spool = Spool::Open(so, env_, clock_);
  if (!spool) return tl::unexpected(spool.error());
  r->spool = std::move(*spool);
  r->dead_letter =
      std::make_unique<DeadLetter>(name, data_dir_ / "deadletter" / (DirName(name) + ".jsonl"),
                                   env_, clock_, config.dead_letter_max_bytes);
  std::unique_lock lock(mu_);
  receivers_.push_back(std::move(r));
  size_t index = receivers_.size() - 1;
  receivers_[index]->worker = MakeWorker(index, std::move(sink), config);
  if (started_) receivers_[index]->worker->Start();
  return {};
}

int Hub::Find(const std::string& name) const {
  std::shared_lock lock(mu_);
  for (size_t i = 0; i < receivers_.size(); ++i) {
    if (receivers_[i]->name == name) return static_cast<int>(i);
  }
  return -1;
}

void Hub::Replace(size_t index, std::unique_ptr<sinks::Sink> sink, const DeliveryConfig& config,
                  std::chrono::milliseconds grace) {
  std::unique_lock lock(mu_);
  Receiver& r = *receivers_[index];
  if (r.worker) r.worker->Stop(grace);
  r.spool->Reopen();
  r.worker = MakeWorker(index, std::move(sink), config);
  r.retired = false;
  if (started_) r.worker->Start();
}

void Hub::Retire(size_t index, std::chrono::milliseconds grace) {
  std::unique_lock lock(mu_);
  Receiver& r = *receivers_[index];
  if (r.retired) return;
  if (r.worker) r.worker->Stop(grace);
  r.worker.reset();
  r.retired = true;
  if (!r.spool->Empty()) {
    spdlog::warn(
        "receiver {} removed from the config with {} events still spooled in {}; they "
        "are delivered if it comes back",
        r.name, r.spool->stats().pending_events.load(), r.spool->dir().string());
  }
}

Result<void> Hub::Recover(uint64_t committed_event_seq) {
  for (auto& r : receivers_) {
    auto removed = r->spool->TruncateAfter(committed_event_seq);
    if (!removed) return tl::unexpected(removed.error());
    if (*removed > 0) {
      spdlog::info(
          "receiver {}: {} spooled events were never committed; they come again from "
          "the API server",
          r->name, *removed);
    }
  }
  return {};
}

void Hub::AddSyncTarget(std::function<Result<void>()> sync) {
  sync_targets_.push_back(std::move(sync));
}

void Hub::Start() {
  std::unique_lock lock(mu_);
  started_ = true;
  for (auto& r : receivers_) {
    if (r->worker) r->worker->Start();
  }
  if (fsync_ == FsyncPolicy::kInterval) syncer_ = std::thread([this] { SyncLoop(); });
}

Result<void> Hub::SyncSpools() {
  if (fsync_ == FsyncPolicy::kNever) return {};
  Result<void> result;
  std::shared_lock lock(mu_);
  for (auto& r : receivers_) {
    if (auto s = r->spool->Sync(); !s && result) result = s;
  }
  return result;
}

void Hub::SyncAll() {
  // Spools before the journal, with no commit in between: a journal line
  // on disk must never point at a spool record that is not. If a spool
  // cannot be synced, the journal waits for the next round.
  auto commits = LockCommits();
  Result<void> result = SyncSpools();
  if (result) {
    for (auto& f : sync_targets_) {
      if (auto r = f(); !r && result) result = r;
    }
  }
  if (result) {
    storage_.Succeeded(StorageHealth::kSync);
  } else {
    storage_.Failed(StorageHealth::kSync, result.error().message);
  }
}

void Hub::SyncLoop() {
  while (!syncer_stop_.WaitFor(fsync_interval_, clock_)) SyncAll();
}

Result<bool> Hub::Stage(const event::EventPtr& ev, std::span<const int> receivers,
                        uint64_t event_seq) {
  std::shared_lock lock(mu_);
  for (int i : receivers) {
    for (;;) {
      Receiver& r = *receivers_[static_cast<size_t>(i)];
      auto res = r.spool->TryAppend(ev, event_seq);
      if (res) {
        r.staged = true;
        break;
      }
      if (res.error().code == ErrorCode::kFull) {
        // Wait for room without the hub's lock, so a reload can replace
        // this receiver (e.g. fix its endpoint) meanwhile; the spool
        // itself outlives any change to the receiver.
        Spool* spool = r.spool.get();
        lock.unlock();
        bool room = false;
        while (!room && !abandon_.Stopped()) {
          room = spool->WaitForRoom(std::chrono::milliseconds(200));
        }
        lock.lock();
        if (!room) return false;  // shutting down: this event is not committed
        continue;
      }
      if (res.error().code == ErrorCode::kRejected) {
        // Larger than a spool record may be: the peer could not take it
        // either. Keep it where an operator can see it.
        if (auto d = r.dead_letter->Write(*ev, res.error().message); !d) {
          spdlog::error("receiver {}: {}; and {}", r.name, res.error().message, d.error().message);
        }
        break;
      }
      if (res.error().code == ErrorCode::kUnavailable) break;  // closed: removed or shutting down
      // The disk: the caller rolls back and tries again later.
      r.staged = true;  // Unstage cuts off whatever this receiver has appended
      return Fail(ErrorCode::kIo, "receiver " + r.name + ": " + res.error().message);
    }
  }
  return true;
}

void Hub::Unstage(uint64_t event_seq) {
  std::shared_lock lock(mu_);
  for (auto& r : receivers_) {
    if (!r->staged) continue;
    r->staged = false;
    if (auto cut = r->spool->TruncateAfter(event_seq - 1); !cut) {
      // The record stays readable and is delivered though not committed:
      // at worst a duplicate once the event comes again.
      spdlog::error("receiver {}: cannot roll back a record: {}", r->name, cut.error().message);
    }
  }
}

Result<void> Hub::SyncStaged() {
  if (fsync_ != FsyncPolicy::kAlways) return {};
  std::shared_lock lock(mu_);
  for (auto& r : receivers_) {
    if (!r->staged) continue;
    if (auto s = r->spool->Sync(); !s) {
      return Fail(ErrorCode::kIo, "receiver " + r->name + ": " + s.error().message);
    }
  }
  return {};
}

void Hub::PublishStaged() {
  const bool gated = gated_.load();
  std::shared_lock lock(mu_);
  for (auto& r : receivers_) {
    if (r->staged) {
      if (!gated) r->spool->Publish();
      r->staged = false;
    }
  }
}

void Hub::PublishUpTo(uint64_t event_seq) {
  std::shared_lock lock(mu_);
  for (auto& r : receivers_) r->spool->PublishUpTo(event_seq);
}

void Hub::Stop(std::chrono::milliseconds grace) {
  syncer_stop_.Stop();
  if (syncer_.joinable()) syncer_.join();
  // Workers drain in parallel, each within the same grace.
  std::unique_lock lock(mu_);
  std::vector<std::thread> stoppers;
  for (auto& r : receivers_) {
    if (r->worker) stoppers.emplace_back([&r, grace] { r->worker->Stop(grace); });
  }
  for (auto& t : stoppers) t.join();
  started_ = false;
  lock.unlock();
  if (fsync_ != FsyncPolicy::kNever) SyncAll();
}

}  // namespace kv::delivery
