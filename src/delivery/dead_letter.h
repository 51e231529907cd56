// A receiver's dead-letter file: events its peer refused for good (a bad
// document, an authentication failure, retries past the configured age)
// are appended here, one JSON line each, with the reason, so nothing is
// silently lost and an operator can replay them:
//   {"time":"...","receiver":"...","reason":"...","idempotencyKey":"uid/rv","event":{...}}
// The file is opened for each batch of writes (rare by nature), so it may
// be moved away at any time. Every file operation goes through the Env.
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
  // `env` and `clock` must outlive it.
  DeadLetter(std::string receiver, std::filesystem::path path, Env& env, Clock& clock)
      : receiver_(std::move(receiver)), path_(std::move(path)), env_(env), clock_(clock) {}

  // Appends one line; kIo if the file cannot be written (the caller logs it:
  // the event is then lost, and counted as such).
  Result<void> Write(const event::Event& ev, const std::string& reason);

  const std::filesystem::path& path() const { return path_; }
  uint64_t written() const { return written_.load(std::memory_order_relaxed); }

 private:
  const std::string receiver_;
  const std::filesystem::path path_;
  Env& env_;
  Clock& clock_;
  std::mutex mu_;
  std::atomic<uint64_t> written_{0};
};

}  // namespace kv::delivery
