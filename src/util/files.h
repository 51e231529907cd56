// Small file helpers shared by every module. Nothing here knows Kubernetes.
#pragma once

#include <filesystem>
#include <string>

#include "util/result.h"

namespace kv::files {

// Reads the whole file. kIo with the path and errno text on failure.
Result<std::string> Read(const std::filesystem::path& path);

// Writes `data` to a temp file beside `path`, fsyncs it and renames it over
// `path`, so a reader sees the old or the new content, never a mix.
Result<void> WriteAtomic(const std::filesystem::path& path, std::string_view data);

}  // namespace kv::files
