#include "delivery/worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "util/log.h"
#include "util/time.h"

namespace kv::delivery {

Worker::Worker(std::string receiver, std::unique_ptr<sinks::Sink> sink, Spool& spool,
               DeadLetter& dead_letter, WorkerOptions options, WorkerStats& stats, Rng& rng,
               Clock& clock)
    : receiver_(std::move(receiver)),
      sink_(std::move(sink)),
      spool_(spool),
      dead_letter_(dead_letter),
      options_(std::move(options)),
      rng_(rng),
      clock_(clock),
      stats_(stats) {}

Worker::~Worker() {
  if (thread_.joinable()) Stop(std::chrono::milliseconds(0));
}

void Worker::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Worker::Stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    deadline_ = Clock::Later(clock_.SteadyNow(), grace);
  }
  spool_.Close();  // wakes Take(): no more waiting for a fuller batch
  wake_.notify_all();
  if (!thread_.joinable()) {
    sink_->Close();
    return;
  }
  bool finished;
  {
    std::unique_lock lock(mu_);
    finished = clock_.WaitUntil(lock, wake_, deadline_, [&] { return finished_; });
  }
  // Grace over with a send still waiting on its peer (a slow or stuck
  // answer): end it, so shutdown and reloads keep to the grace.
  if (!finished) sink_->Abort();
  thread_.join();
  sink_->Close();
}

void Worker::Loop() {
  const sinks::BatchLimits& limits = options_.batch;
  for (;;) {
    bool closing;
    Clock::SteadyTime deadline;
    {
      std::lock_guard lock(mu_);
      closing = closing_;
      deadline = deadline_;
    }
    auto now = clock_.SteadyNow();
    // Unpublished records (a cluster checkpoint never covered them) wait
    // for the next start, like undelivered ones.
    if (closing && (now >= deadline || spool_.NothingReadable())) break;
    auto give_up = closing ? deadline : now + std::chrono::seconds(1);
    std::vector<Entry> batch =
        spool_.Take(limits.max_events, limits.max_bytes, limits.linger, give_up);
    if (batch.empty()) {
      // Nothing readable (or only unreadable records, already counted):
      // acknowledge whatever was handed out and look again.
      Ack();
      continue;
    }
    if (!Deliver(batch)) break;  // shutdown mid-retry: the batch stays spooled
    Ack();
  }
  if (!spool_.Empty()) {
    spdlog::warn("receiver {}: {} events stay in the spool for the next start", receiver_,
                 spool_.stats().pending_events.load());
  }
  {
    std::lock_guard lock(mu_);
    finished_ = true;
  }
  wake_.notify_all();
}

void Worker::Ack() {
  auto r = spool_.Ack();
  if (!options_.storage) return;
  if (r) {
    options_.storage->Succeeded(StorageHealth::kAck);
  } else {
    options_.storage->Failed(StorageHealth::kAck, r.error().message);
  }
}

void Worker::DeadLetterEvent(const event::EventPtr& ev, const std::string& reason) {
  dead_letters_.emplace_back(ev, reason);
}

bool Worker::WriteDeadLetters() {
  Backoff backoff(options_.backoff_base, options_.backoff_cap, rng_);
  while (!dead_letters_.empty()) {
    auto& [ev, reason] = dead_letters_.back();
    auto r = dead_letter_.Write(*ev, reason);
    if (r) {
      stats_.dead_lettered.fetch_add(1, std::memory_order_relaxed);
      dead_letters_.pop_back();
      if (options_.storage) options_.storage->Succeeded(StorageHealth::kDeadLetter);
      continue;
    }
    if (options_.storage) options_.storage->Failed(StorageHealth::kDeadLetter, r.error().message);
    if (!SleepBeforeRetry(backoff.Next())) {
      spdlog::warn("receiver {}: shutdown with {} rejected events not yet in {}; they stay spooled",
                   receiver_, dead_letters_.size(), dead_letter_.path().string());
      dead_letters_.clear();
      return false;
    }
  }
  return true;
}

Worker::Sorted Worker::Sort(const std::vector<event::EventPtr>& batch,
                            const sinks::SendOutcome& out) {
  Sorted sorted;
  size_t rejected = 0;
  std::string reject_reason;
  for (size_t i = 0; i < batch.size(); ++i) {
    sinks::Verdict v = out.request;
    std::string reason = out.reason;
    if (out.request == sinks::Verdict::kDelivered && i < out.items.size()) {
      v = out.items[i];
      if (i < out.item_reasons.size() && !out.item_reasons[i].empty()) {
        reason = log::ShortReason(out.item_reasons[i]);
      }
    }
    if (v == sinks::Verdict::kDelivered) {
      stats_.delivered.fetch_add(1, std::memory_order_relaxed);
      if (sorted.delivered++ == 0) sorted.first_delivered = batch[i];
      sorted.last_delivered = batch[i];
    } else if (v == sinks::Verdict::kReject) {
      DeadLetterEvent(batch[i], reason);
      ++rejected;
      reject_reason = reason;
    } else {
      sorted.again.push_back(batch[i]);
    }
  }
  if (rejected > 0) {
    spdlog::error("receiver {}: {} events refused for good, written to {}: {}", receiver_, rejected,
                  dead_letter_.path().string(), reject_reason);
  }
  return sorted;
}

void Worker::NoteFailedSend(const std::string& reason, Clock::SteadyTime oldest) {
  const auto now = clock_.SteadyNow();
  const uint64_t waiting = spool_.stats().pending_events.load(std::memory_order_relaxed);
  if (!outage_) {
    outage_ = Outage{now, now + kOutageReportEvery, 1};
    spdlog::warn("receiver {}: delivery failing: {}; {} events waiting, retrying with backoff",
                 receiver_, reason, waiting);
    return;
  }
  ++outage_->failed_sends;
  if (now < outage_->next_report) return;
  // Past one report time (a long backoff sleep): the next is a period on.
  while (outage_->next_report <= now) outage_->next_report += kOutageReportEvery;
  spdlog::warn(
      "receiver {}: delivery still failing after {}s: {} failed attempts, {} events waiting, the "
      "oldest for {}s: {}",
      receiver_, std::chrono::duration_cast<std::chrono::seconds>(now - outage_->since).count(),
      outage_->failed_sends, waiting,
      std::chrono::duration_cast<std::chrono::seconds>(now - oldest).count(), reason);
}

void Worker::NoteDelivered(const Sorted& sorted) {
  if (options_.log_deliveries) {
    if (sorted.delivered == 1) {
      spdlog::info("receiver {}: delivered 1 event, key {}", receiver_,
                   sorted.first_delivered->IdempotencyKey());
    } else {
      spdlog::info("receiver {}: delivered {} events, keys {} .. {}", receiver_, sorted.delivered,
                   sorted.first_delivered->IdempotencyKey(),
                   sorted.last_delivered->IdempotencyKey());
    }
  }
  if (!outage_) return;
  const auto lasted = clock_.SteadyNow() - outage_->since;
  // Pending counts the batch until its ack.
  const uint64_t pending = spool_.stats().pending_events.load(std::memory_order_relaxed);
  spdlog::info(
      "receiver {}: delivery recovered after {}s ({} failed attempts); {} events delivered by the "
      "first good send, {} still waiting",
      receiver_, std::chrono::duration_cast<std::chrono::seconds>(lasted).count(),
      outage_->failed_sends, sorted.delivered,
      pending > sorted.delivered ? pending - sorted.delivered : 0);
  outage_.reset();
}

std::chrono::milliseconds Worker::RetryWait(Backoff& backoff, const sinks::SendOutcome& out) {
  auto wait = backoff.Next();
  if (out.retry_after) {
    // The peer's Retry-After, but never past the backoff cap: a peer must
    // not be able to stall its receiver for as long as it likes.
    auto asked = std::chrono::duration_cast<std::chrono::milliseconds>(*out.retry_after);
    wait = std::max(wait, std::min(asked, options_.backoff_cap));
  }
  return wait;
}

bool Worker::SleepBeforeRetry(std::chrono::milliseconds wait) {
  const Clock::SteadyTime wake_at = Clock::Later(clock_.SteadyNow(), wait);
  std::unique_lock lock(mu_);
  for (;;) {
    // Stop() may bring the deadline forward while this sleeps.
    const Clock::SteadyTime until = std::min(deadline_, wake_at);
    if (clock_.SteadyNow() >= until) break;
    const Clock::SteadyTime seen = deadline_;
    clock_.WaitUntil(lock, wake_, until, [&] { return deadline_ != seen; });
  }
  return clock_.SteadyNow() < deadline_;
}

bool Worker::Deliver(std::vector<Entry>& entries) {
  std::vector<event::EventPtr> batch;
  batch.reserve(entries.size());
  for (auto& e : entries) batch.push_back(e.event);
  // Full jitter down to 0: a peer's Retry-After is the floor that matters.
  Backoff backoff(options_.backoff_base, options_.backoff_cap, rng_, Backoff::Floor::kNone);
  Clock::SteadyTime first_failure{};
  while (!batch.empty()) {
    auto t0 = clock_.SteadyNow();
    sinks::SendOutcome out = sink_->Send(batch);
    stats_.batches.fetch_add(1, std::memory_order_relaxed);
    if (options_.on_send) options_.on_send(batch.size(), clock_.SteadyNow() - t0);

    // Every reason from here on (logs, dead letters) is one short line.
    out.reason = log::ShortReason(out.reason);
    Sorted sorted = Sort(batch, out);
    if (sorted.delivered > 0) NoteDelivered(sorted);
    if (!WriteDeadLetters()) return false;
    std::vector<event::EventPtr>& again = sorted.again;
    if (again.empty()) {
      stats_.stuck_since_micros.store(0, std::memory_order_relaxed);
      return true;
    }
    stats_.failed_sends.fetch_add(1, std::memory_order_relaxed);
    auto now = clock_.SteadyNow();
    if (sorted.delivered == 0) NoteFailedSend(out.reason, entries.front().appended);
    if (backoff.attempts() == 0) {
      first_failure = now;
      stats_.stuck_since_micros.store(timeutil::ToMicros(clock_.WallNow()),
                                      std::memory_order_relaxed);
    }
    if (again.size() < batch.size()) backoff.Reset();  // progress: start the backoff over
    batch.swap(again);
    if (options_.max_retry_age.count() > 0 && now - first_failure >= options_.max_retry_age) {
      std::string reason = "gave up after retrying for " +
                           std::to_string(options_.max_retry_age.count()) + "s: " + out.reason;
      for (const auto& ev : batch) DeadLetterEvent(ev, reason);
      spdlog::error("receiver {}: {} events dead-lettered to {}: {}", receiver_, batch.size(),
                    dead_letter_.path().string(), reason);
      if (!WriteDeadLetters()) return false;
      stats_.stuck_since_micros.store(0, std::memory_order_relaxed);
      return true;
    }
    stats_.retried.fetch_add(batch.size(), std::memory_order_relaxed);
    auto wait = RetryWait(backoff, out);
    // A partial send made progress: not an outage, so only a debug line.
    if (sorted.delivered > 0) {
      spdlog::debug("receiver {}: {} events to retry ({}) in {} ms", receiver_, batch.size(),
                    out.reason, wait.count());
    }
    if (!SleepBeforeRetry(wait)) {
      spdlog::warn("receiver {}: shutdown grace over with {} events undelivered; they stay spooled",
                   receiver_, batch.size());
      return false;
    }
  }
  return true;
}

}  // namespace kv::delivery
