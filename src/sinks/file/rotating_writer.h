// An append-only writer with lumberjack-style rotation, as the reference's
// file receiver has: when a write would take the file past `max_bytes`, the
// file is renamed to "<stem>-<UTC time>.<ext>" and a new one started; then
// backups beyond `max_backups`, or older than `max_age`, are removed.
//
// A path that exists and is not a regular file (/dev/stdout, a FIFO, a
// character device) is never rotated: the reference stalls forever there.
// Used by one worker thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/result.h"

namespace kv::sinks::file {

struct RotationOptions {
  uint64_t max_bytes = 100ull << 20;  // 0 = never rotate by size
  int max_backups = 0;                // 0 = keep all
  std::chrono::hours max_age{0};      // 0 = keep regardless of age
};

class RotatingWriter {
 public:
  // `clock` names backups and judges their age; it must outlive the writer.
  RotatingWriter(std::filesystem::path path, RotationOptions options, Clock& clock);
  ~RotatingWriter();
  RotatingWriter(const RotatingWriter&) = delete;
  RotatingWriter& operator=(const RotatingWriter&) = delete;

  // Appends `data` (whole lines), rotating first if it would not fit.
  // A single write larger than max_bytes goes into a fresh file whole.
  Result<void> Write(std::string_view data);
  void Close();

  bool rotatable() const { return rotatable_; }

 private:
  Result<void> Open();
  Result<void> Rotate();
  void RemoveOldBackups();
  std::string BackupName(std::chrono::system_clock::time_point t) const;

  const std::filesystem::path path_;
  const RotationOptions options_;
  Clock& clock_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool rotatable_ = true;
};

}  // namespace kv::sinks::file
