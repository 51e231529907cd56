#include "sinks/aws/batch.h"

#include <algorithm>

namespace kv::sinks::aws {

std::vector<Chunk> Split(std::span<const size_t> costs, const RequestLimits& limits,
                         const std::function<bool(size_t first, size_t i)>& starts_new) {
  std::vector<Chunk> out;
  size_t bytes = 0;
  for (size_t i = 0; i < costs.size(); ++i) {
    bool fits = !out.empty() && out.back().size() < limits.max_entries &&
                bytes + costs[i] <= limits.max_request_bytes &&
                !(starts_new && starts_new(out.back().begin, i));
    if (!fits) {
      out.push_back({i, i});
      bytes = 0;
    }
    out.back().end = i + 1;
    bytes += costs[i];
  }
  return out;
}

OutcomeBuilder::OutcomeBuilder(size_t batch_size)
    : items_(batch_size, Verdict::kDelivered), reasons_(batch_size) {}

void OutcomeBuilder::Set(size_t index, Verdict verdict, const std::string& reason) {
  items_[index] = verdict;
  reasons_[index] = verdict == Verdict::kDelivered ? std::string() : reason;
}

void OutcomeBuilder::SetRetryAfter(std::optional<std::chrono::seconds> retry_after) {
  if (retry_after && (!retry_after_ || *retry_after > *retry_after_)) retry_after_ = retry_after;
}

SendOutcome OutcomeBuilder::Finish() const {
  SendOutcome out;
  out.retry_after = retry_after_;
  if (items_.empty()) return out;
  for (size_t i = 0; i < items_.size(); ++i) {
    if (items_[i] != Verdict::kDelivered && out.reason.empty()) out.reason = reasons_[i];
  }
  bool uniform =
      std::all_of(items_.begin(), items_.end(), [&](Verdict v) { return v == items_.front(); });
  bool same_reason = std::all_of(reasons_.begin(), reasons_.end(),
                                 [&](const std::string& r) { return r == reasons_.front(); });
  if (uniform && (items_.front() == Verdict::kDelivered || same_reason)) {
    out.request = items_.front();
    return out;
  }
  out.request = Verdict::kDelivered;  // the worker reads the items
  out.items = items_;
  out.item_reasons = reasons_;
  return out;
}

void SendChunks(std::span<const Chunk> chunks, std::span<const size_t> batch_index,
                const std::function<ChunkResult(const Chunk&)>& send, OutcomeBuilder* out) {
  std::optional<ChunkResult> stopped;
  for (const Chunk& chunk : chunks) {
    if (stopped) {
      for (size_t j = chunk.begin; j < chunk.end; ++j) {
        out->Set(batch_index[j], stopped->request, stopped->reason);
      }
      continue;
    }
    ChunkResult r = send(chunk);
    out->SetRetryAfter(r.retry_after);
    for (size_t j = chunk.begin; j < chunk.end; ++j) {
      size_t k = j - chunk.begin;
      Verdict v = r.request;
      std::string reason = r.reason;
      if (r.request == Verdict::kDelivered && k < r.items.size()) {
        v = r.items[k];
        if (k < r.item_reasons.size() && !r.item_reasons[k].empty()) reason = r.item_reasons[k];
      }
      out->Set(batch_index[j], v, reason);
    }
    if (r.stop) {
      if (r.request == Verdict::kDelivered) {
        // Some entries of this request are to be retried: later requests
        // wait for them, so entries keep their order across attempts.
        r.request = Verdict::kRetry;
        r.reason = "not sent: an earlier request of this batch has entries to retry";
      }
      stopped = std::move(r);
    }
  }
}

}  // namespace kv::sinks::aws
