#include "sinks/aws/entry_results.h"

#include <charconv>

#include "sinks/aws/errors.h"

namespace kv::sinks::aws {

size_t ParseEntryId(std::string_view id, size_t n) {
  size_t v = 0;
  auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
  if (ec != std::errc() || p != id.data() + id.size() || v >= n) return std::string_view::npos;
  return v;
}

ChunkResult FromEntryResults(size_t n, std::span<const size_t> successful,
                             std::span<const EntryFailure> failed, std::string_view what) {
  ChunkResult r;
  r.items.assign(n, Verdict::kRetry);
  r.item_reasons.assign(n, std::string(what) + ": entry missing from the answer");
  for (size_t i : successful) {
    if (i < n) {
      r.items[i] = Verdict::kDelivered;
      r.item_reasons[i].clear();
    }
  }
  for (const auto& f : failed) {
    if (f.index >= n) continue;
    ErrorKind kind = ClassifyCode(f.code, 0);
    bool retry = IsRetryable(kind) || (!f.sender_fault && kind != ErrorKind::kAuth);
    r.items[f.index] = retry ? Verdict::kRetry : Verdict::kReject;
    r.item_reasons[f.index] = std::string(what) + ": entry failed: " + f.code;
    if (!f.message.empty()) r.item_reasons[f.index] += ": " + Shorten(f.message);
  }
  return r;
}

}  // namespace kv::sinks::aws
