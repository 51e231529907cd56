// A receiver's dead-letter file: events its peer refused for good (a bad
// document, an authentication failure, retries past the configured age)
// are appended here, one JSON line each, with the reason, so nothing is
// silently lost and an operator can replay them:
//   {"time":"...","receiver":"...","reason":"...","idempotencyKey":"uid/rv",
//    ["apiGroup":"events.k8s.io",] "event":{...}}
// (`kubevents redrive`, app/redrive.h, queues them again.)
// The file is opened for each batch of writes (rare by nature), so it may
// be moved away at any time. Every file operation goes through the Env.
//
// Each line is synced (and the directory, which may have just got the file)
// before Write returns: the worker acknowledges the event in its spool
// right after, and the line must not be lost where the record is gone.
//
// Bounded: with a cap, the file rotates to `<path>.1` when the next line
// would take it past half the cap (replacing the previous `.1`, whose lines
// are counted as dropped), so both together stay within the cap.
//
// Thread-safe (one mutex); used by its receiver's worker.
#pragma once

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>

#include "event/event.h"
#include "util/clock.h"
#include "util/env.h"
#include "util/result.h"

namespace kv::delivery {

class DeadLetter {
 public:
  // `env` and `clock` must outlive it. `max_bytes` caps the file and its
  // rotated copy together (0: no cap).
  DeadLetter(std::string receiver, std::filesystem::path path, Env& env, Clock& clock,
             uint64_t max_bytes = 0)
      : receiver_(std::move(receiver)),
        path_(std::move(path)),
        env_(env),
        clock_(clock),
        max_bytes_(max_bytes) {}

  // Appends one line and syncs it; kIo if that fails (the caller keeps the
  // event and tries again: nothing reaches a log only).
  Result<void> Write(const event::Event& ev, const std::string& reason);

  const std::filesystem::path& path() const { return path_; }
  uint64_t written() const { return written_.load(std::memory_order_relaxed); }
  // Lines dropped by rotation (the old `.1` file replaced).
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  const std::atomic<uint64_t>& dropped_counter() const { return dropped_; }

 private:
  const std::string receiver_;
  const std::filesystem::path path_;
  Env& env_;
  Clock& clock_;
  const uint64_t max_bytes_;
  std::mutex mu_;
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> dropped_{0};
  bool name_synced_ = false;  // the directory was synced since the file got its name

  // Moves the file to `.1` if `line_bytes` more would pass half the cap.
  Result<void> RotateIfFullLocked(uint64_t line_bytes);
};

}  // namespace kv::delivery
