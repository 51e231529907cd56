// Config hot reload: notices that the config file changed (a mounted
// ConfigMap is updated by swapping a `..data` symlink, so the file's
// identity changes, not necessarily its mtime) and decides what a new
// config may change while running.
//
// Reloader applies a new config to the running exporter; ConfigPoller is
// the thread that notices the file changed.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "app/config.h"
#include "app/observability.h"
#include "app/receivers.h"
#include "app/source.h"
#include "util/clock.h"
#include "util/stop.h"

namespace kv::app {

// Remembers a file's identity (resolved path, inode, size, mtime) and
// content hash; Changed() says whether either moved since the last call.
class FileChangeDetector {
 public:
  explicit FileChangeDetector(std::string path);
  bool Changed();

 private:
  std::string Signature() const;
  std::string path_;
  std::string last_;
};

// The top-level settings a running exporter cannot change (they shape the
// watch, the data directory or leader election): names of those that
// differ between `running` and `next`, for a warning.
std::vector<std::string> SettingsNeedingRestart(const Config& running, const Config& next);

// Applies the config file at `path` again (SIGHUP, or the poller saw it
// change). A file with errors, or a receiver that cannot be built, leaves
// the running config whole (logged, counted in reload_failures);
// otherwise the receivers change, the source routes with the new tree,
// and settings only a restart applies are named in a warning.
//
// Threads: the owner (main) thread.
class Reloader {
 public:
  // Every reference must outlive the Reloader.
  Reloader(std::string path, Receivers& receivers, const delivery::Hub& hub, Source& source,
           PipelineStats& stats, std::chrono::milliseconds grace);
  // `running` is replaced by the new config when it is applied.
  void Reload(Config& running);

 private:
  const std::string path_;
  Receivers& receivers_;
  const delivery::Hub& hub_;
  Source& source_;
  PipelineStats& stats_;
  const std::chrono::milliseconds grace_;
};

// A thread that looks at the config file every `period` (a mounted
// ConfigMap changes by a symlink swap, which inotify on the file would
// miss) and calls `changed` (on its own thread) when it did. Stops and
// joins when destroyed.
class ConfigPoller {
 public:
  ConfigPoller(std::string path, std::chrono::milliseconds period, Clock& clock,
               std::function<void()> changed);
  ~ConfigPoller();

 private:
  StopSignal stop_;
  std::thread thread_;
};

}  // namespace kv::app
