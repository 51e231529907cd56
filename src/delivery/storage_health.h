// StorageHealth: whether the data dir can be written right now. A full or
// failing disk (ENOSPC, EIO, a failed fdatasync) is a state, not a retry
// loop: the code that met the failure reports it here and waits, /readyz
// fails with the reason, a gauge and a counter say so, and one log line a
// minute repeats it until a write succeeds again, which ends the state.
//
// Each kind of writer reports for itself (the watcher's commits, the
// syncer, the workers' acknowledgements and dead letters), and the state
// lasts while any of them last failed: a sync that succeeds because it had
// nothing to write does not hide appends that still fail. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "util/clock.h"

namespace kv::delivery {

class StorageHealth {
 public:
  // `clock` must outlive it.
  explicit StorageHealth(Clock& clock) : clock_(clock) {}

  enum Writer : unsigned { kCommit = 1, kSync = 2, kAck = 4, kDeadLetter = 8 };

  // A write, sync, rename or removal by `writer` failed with `error`. Logs
  // at once when the state begins, then at most once a minute.
  void Failed(Writer writer, const std::string& error);
  // `writer`'s last write went through; the state ends (logged once) when
  // no writer is failing any more.
  void Succeeded(Writer writer);

  bool failing() const { return failing_.load(std::memory_order_relaxed) != 0; }
  // The last failure's text ("" when healthy).
  std::string reason() const;
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }

 private:
  Clock& clock_;
  std::atomic<unsigned> failing_{0};  // the Writers whose last write failed
  std::atomic<uint64_t> errors_{0};
  mutable std::mutex mu_;  // guards the members below
  std::string reason_;
  Clock::SteadyTime last_log_{};
  uint64_t errors_since_log_ = 0;
};

}  // namespace kv::delivery
