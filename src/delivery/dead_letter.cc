#include "delivery/dead_letter.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "event/encode.h"
#include "util/json_writer.h"
#include "util/time.h"

namespace kv::delivery {

Result<void> DeadLetter::Write(const event::Event& ev, const std::string& reason) {
  std::string line;
  json::Writer w(&line);
  w.BeginObject();
  w.Key("time");
  w.String(timeutil::FormatRfc3339(clock_.WallNow()));
  w.Key("receiver");
  w.String(receiver_);
  w.Key("reason");
  w.String(reason);
  w.Key("idempotencyKey");
  w.String(ev.IdempotencyKey());
  if (!ev.api_group.empty()) {
    // The event below is in the core/v1 shape; `kubevents redrive` needs
    // to know which API it came from to spool it as the watcher did.
    w.Key("apiGroup");
    w.String(ev.api_group);
  }
  w.Key("event");
  w.Raw(event::EncodeJson(ev));
  w.EndObject();
  line.push_back('\n');

  std::lock_guard lock(mu_);
  if (auto r = env_.CreateDirs(path_.parent_path()); !r) return r;
  if (auto r = RotateIfFullLocked(line.size()); !r) return r;
  auto file = env_.OpenFile(path_, {.create = true, .append = true, .read = false});
  if (!file) return tl::unexpected(file.error());
  if (!name_synced_) {
    // Before any line goes in: the file's name (new, or after a rotation)
    // must survive a power loss with it, and a failure here leaves nothing
    // to write twice.
    if (auto r = env_.SyncDir(path_.parent_path()); !r) return r;
    name_synced_ = true;
  }
  auto before = (*file)->Size();
  if (!before) return tl::unexpected(before.error());
  if (auto r = (*file)->Append(line); !r) {
    // Cut a partial line off, so the next one does not join it. If that
    // fails too, the torn line is one a reader skips.
    (void)(*file)->Truncate(*before);
    return r;
  }
  if (auto r = (*file)->Sync(); !r) {
    (void)(*file)->Truncate(*before);  // the caller writes it again
    return r;
  }
  (void)(*file)->Close();  // the sync reported any write error already
  written_.fetch_add(1, std::memory_order_relaxed);
  return {};
}

Result<void> DeadLetter::RotateIfFullLocked(uint64_t line_bytes) {
  if (max_bytes_ == 0) return {};
  auto exists = env_.FileExists(path_);
  if (!exists) return tl::unexpected(exists.error());
  if (!*exists) return {};
  auto size = env_.FileSize(path_);
  if (!size) return tl::unexpected(size.error());
  if (*size == 0 || *size + line_bytes <= max_bytes_ / 2) return {};
  std::filesystem::path old = path_;
  old += ".1";
  if (auto had = env_.FileExists(old); had && *had) {
    if (auto text = env_.ReadFile(old); text) {
      uint64_t lines = static_cast<uint64_t>(std::count(text->begin(), text->end(), '\n'));
      dropped_.fetch_add(lines, std::memory_order_relaxed);
      spdlog::warn("receiver {}: dead-letter file over its cap ({} bytes): {} older lines dropped",
                   receiver_, max_bytes_, lines);
    }
  }
  name_synced_ = false;  // the next file is a new name
  return env_.Rename(path_, old);
}

}  // namespace kv::delivery
