// Cutting a receiver's batch into requests that fit an AWS API's limits,
// and folding the per-request answers back into one SendOutcome with a
// verdict per event. Pure.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sinks/sink.h"

namespace kv::sinks::aws {

// One API's hard limits on a batch request.
struct RequestLimits {
  size_t max_entries = 10;
  size_t max_request_bytes = 262144;  // sum of the entries' costs
  size_t max_entry_bytes = 262144;    // one entry's cost
};

// A run of entries [begin, end) sent as one request.
struct Chunk {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
};

// Greedy, order-preserving split of entries with the given costs: a new
// chunk starts when the next entry would pass max_entries or
// max_request_bytes, or when `starts_new` (optional) says so for entry i
// given the chunk's first entry. Every cost must be <= max_entry_bytes
// (callers reject larger entries before splitting).
std::vector<Chunk> Split(std::span<const size_t> costs, const RequestLimits& limits,
                         const std::function<bool(size_t first, size_t i)>& starts_new = {});

// What one request did to its entries.
struct ChunkResult {
  // The request as a whole: kRetry/kReject apply to every entry of the
  // chunk; kDelivered means `items` (if non-empty) says per entry.
  Verdict request = Verdict::kDelivered;
  std::string reason;
  std::optional<std::chrono::seconds> retry_after;
  // The requests after this one would fail the same way (throttled,
  // unreachable, refused credentials): give their entries the same verdict
  // without sending them. With request kDelivered (some entries to retry),
  // the later entries get kRetry unsent, which keeps their order.
  bool stop = false;
  std::vector<Verdict> items;             // per entry of the chunk, or empty
  std::vector<std::string> item_reasons;  // parallel to items, may be empty
};

// Collects one verdict per event of a batch and builds the SendOutcome:
// a request-level verdict when every event has the same one, per-item
// verdicts otherwise.
class OutcomeBuilder {
 public:
  explicit OutcomeBuilder(size_t batch_size);
  void Set(size_t index, Verdict verdict, const std::string& reason);
  void SetRetryAfter(std::optional<std::chrono::seconds> retry_after);
  SendOutcome Finish() const;

 private:
  std::vector<Verdict> items_;
  std::vector<std::string> reasons_;
  std::optional<std::chrono::seconds> retry_after_;
};

// Sends each chunk with `send` (which returns that request's result) and
// records per-entry verdicts in `out`, mapping entry j to batch index
// `batch_index[j]`. After a result with `stop`, the remaining chunks'
// entries get that result's verdict and reason unsent.
void SendChunks(std::span<const Chunk> chunks, std::span<const size_t> batch_index,
                const std::function<ChunkResult(const Chunk&)>& send, OutcomeBuilder* out);

}  // namespace kv::sinks::aws
