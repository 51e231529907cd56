#include "util/files.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kv::files {

Result<std::string> Read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Fail(ErrorCode::kIo, "cannot read " + path.string() + ": " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    return Fail(ErrorCode::kIo, "cannot read " + path.string() + ": " + std::strerror(errno));
  }
  return ss.str();
}

Result<void> WriteAtomic(Env& env, const std::filesystem::path& path, std::string_view data) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  auto file = env.OpenFile(tmp, {.create = true, .truncate = true, .read = false});
  if (!file) return tl::unexpected(file.error());
  if (auto r = (*file)->Append(data); !r) return r;
  if (auto r = (*file)->SyncAll(); !r) return r;
  if (auto r = (*file)->Close(); !r) return r;
  if (auto r = env.Rename(tmp, path); !r) return r;
  // The new name is durable only once its directory is synced.
  std::filesystem::path dir = path.parent_path();
  return env.SyncDir(dir.empty() ? std::filesystem::path(".") : dir);
}

Result<void> WriteAtomic(const std::filesystem::path& path, std::string_view data) {
  PosixEnv env;
  return WriteAtomic(env, path, data);
}

}  // namespace kv::files
