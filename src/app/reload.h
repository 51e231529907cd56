// Config hot reload: notices that the config file changed (a mounted
// ConfigMap is updated by swapping a `..data` symlink, so the file's
// identity changes, not necessarily its mtime) and decides what a new
// config may change while running.
#pragma once

#include <string>
#include <vector>

#include "app/config.h"

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

}  // namespace kv::app
