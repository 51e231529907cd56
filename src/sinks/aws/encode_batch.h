// The first step of every batching AWS receiver's Send: encode each event
// as the API's entry, and reject (never drop) what cannot be sent.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "sinks/aws/batch.h"
#include "sinks/aws/errors.h"

namespace kv::sinks::aws {

// A batch's events encoded as one API's entries, minus those rejected.
template <typename Entry>
struct EncodedBatch {
  std::vector<Entry> entries;
  std::vector<size_t> index;  // entries[j] is the batch's event index[j]
  std::vector<size_t> costs;  // entries[j]'s cost, for Split
};

// Encodes each event of `batch` with `encode` (returning Result<Entry>);
// an event that fails to encode, or whose `cost(entry)` exceeds
// `max_entry_bytes`, is rejected in `out` (to the dead-letter file, with the
// reason naming `api`), never sent and never silently dropped.
template <typename Entry, typename Encode, typename Cost>
EncodedBatch<Entry> EncodeBatch(std::span<const event::EventPtr> batch, Encode&& encode,
                                Cost&& cost, size_t max_entry_bytes, std::string_view api,
                                OutcomeBuilder* out) {
  EncodedBatch<Entry> b;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto e = encode(batch[i]);
    if (!e) {
      out->Set(i, Verdict::kReject, e.error().message);
      continue;
    }
    size_t c = cost(*e);
    if (c > max_entry_bytes) {
      out->Set(i, Verdict::kReject, OversizeReason(api, c, max_entry_bytes));
      continue;
    }
    b.costs.push_back(c);
    b.index.push_back(i);
    b.entries.push_back(std::move(*e));
  }
  return b;
}

}  // namespace kv::sinks::aws
