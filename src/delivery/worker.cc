#include "delivery/worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace kv::delivery {

Worker::Worker(std::string receiver, std::unique_ptr<sinks::Sink> sink, WorkerOptions options,
               Rng& rng)
    : receiver_(std::move(receiver)), sink_(std::move(sink)), options_(options), rng_(rng) {}

Worker::~Worker() {
  if (thread_.joinable()) Stop(std::chrono::milliseconds(0));
}

void Worker::Start() {
  thread_ = std::thread([this] { Loop(); });
}

bool Worker::Enqueue(event::EventPtr ev) {
  std::unique_lock lock(mu_);
  not_full_.wait(lock, [this] { return closing_ || queue_.size() < options_.max_queue; });
  if (closing_) return false;
  queue_.push_back(std::move(ev));
  stats_.enqueued.fetch_add(1, std::memory_order_relaxed);
  not_empty_.notify_one();
  return true;
}

void Worker::Stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    deadline_ = std::chrono::steady_clock::now() + grace;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  sink_->Close();
}

void Worker::Loop() {
  std::vector<event::EventPtr> batch;
  batch.reserve(options_.max_batch);
  for (;;) {
    {
      std::unique_lock lock(mu_);
      not_empty_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing and drained
      if (closing_ && std::chrono::steady_clock::now() >= deadline_) {
        stats_.abandoned.fetch_add(queue_.size(), std::memory_order_relaxed);
        spdlog::warn("receiver {}: shutdown grace over, {} events not delivered", receiver_,
                     queue_.size());
        return;
      }
      size_t n = std::min(options_.max_batch, queue_.size());
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    not_full_.notify_all();
    Deliver(batch);
    batch.clear();
  }
}

void Worker::Deliver(std::vector<event::EventPtr>& batch) {
  int attempt = 0;
  while (!batch.empty()) {
    sinks::SendOutcome out = sink_->Send(batch);
    if (out.request == sinks::Verdict::kDelivered && out.items.empty()) {
      stats_.delivered.fetch_add(batch.size(), std::memory_order_relaxed);
      return;
    }
    if (out.request == sinks::Verdict::kReject) {
      stats_.rejected.fetch_add(batch.size(), std::memory_order_relaxed);
      spdlog::error("receiver {}: {} events rejected: {}", receiver_, batch.size(), out.reason);
      return;
    }
    if (out.request == sinks::Verdict::kDelivered) {
      // Per-item answers: keep only what must be retried.
      std::vector<event::EventPtr> again;
      for (size_t i = 0; i < batch.size(); ++i) {
        sinks::Verdict v = i < out.items.size() ? out.items[i] : sinks::Verdict::kDelivered;
        if (v == sinks::Verdict::kDelivered) {
          stats_.delivered.fetch_add(1, std::memory_order_relaxed);
        } else if (v == sinks::Verdict::kReject) {
          stats_.rejected.fetch_add(1, std::memory_order_relaxed);
        } else {
          again.push_back(batch[i]);
        }
      }
      if (again.size() < batch.size()) attempt = 0;  // progress: start the backoff over
      batch.swap(again);
      if (batch.empty()) return;
    }
    stats_.retries.fetch_add(1, std::memory_order_relaxed);
    auto ceiling = std::min<std::chrono::milliseconds>(
        options_.backoff_cap, options_.backoff_base * (int64_t{1} << std::min(attempt, 16)));
    auto wait = std::chrono::milliseconds(static_cast<int64_t>(rng_.Uniform() * ceiling.count()));
    if (out.retry_after) wait = std::max<std::chrono::milliseconds>(wait, *out.retry_after);
    ++attempt;
    if (attempt == 1 || attempt % 10 == 0) {
      spdlog::warn("receiver {}: {} events not delivered ({}); retry {} in {} ms", receiver_,
                   batch.size(), out.reason, attempt, wait.count());
    }
    std::unique_lock lock(mu_);
    auto until = std::min(deadline_, std::chrono::steady_clock::now() + wait);
    wake_.wait_until(lock, until, [this] { return std::chrono::steady_clock::now() >= deadline_; });
    if (std::chrono::steady_clock::now() >= deadline_) {
      stats_.abandoned.fetch_add(batch.size(), std::memory_order_relaxed);
      spdlog::warn("receiver {}: shutdown grace over, {} events not delivered", receiver_,
                   batch.size());
      return;
    }
  }
}

}  // namespace kv::delivery
