// Small file helpers shared by every module. Nothing here knows Kubernetes.
#pragma once

#include <filesystem>
#include <string>

#include "util/env.h"
#include "util/result.h"

namespace kv::files {

// Reads the whole file. kIo with the path and errno text on failure.
Result<std::string> Read(const std::filesystem::path& path);

// Writes `data` to a temp file beside `path` (`<path>.tmp`, emptied first),
// fsyncs it and renames it over `path`, all through `env`, so a reader sees
// the old or the new content, never a mix; then syncs the directory, so
// the rename survives a power loss once this returns. kIo from the first
// call that fails (the temp file may then be left behind).
Result<void> WriteAtomic(Env& env, const std::filesystem::path& path, std::string_view data);
// The same on the real file system (a PosixEnv).
Result<void> WriteAtomic(const std::filesystem::path& path, std::string_view data);

}  // namespace kv::files
