#include "app/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/files.h"

namespace kv::app {

std::filesystem::path DataDir(const RunOptions& options, const Config& config) {
  if (!options.data_dir.empty()) return options.data_dir;
  if (!config.data_dir.empty()) return config.data_dir;
  return "/var/lib/kubevents";
}

Result<int> LockDataDir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Fail(ErrorCode::kIo, "cannot create data directory " + dir.string() + ": " +
                                    ec.message() + " (set --data-dir or dataDir)");
  }
  std::string path = (dir / "lock").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(ErrorCode::kIo, "cannot open " + path + ": " + std::strerror(errno) +
                                    " (set --data-dir or dataDir)");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Fail(ErrorCode::kIo,
                "data directory " + dir.string() + " is in use by another kubevents process");
  }
  return fd;
}

Result<std::unique_ptr<kube::Checkpointer>> OpenLocalCheckpoint(const std::filesystem::path& dir,
                                                                bool fsync_every_line, Env& env,
                                                                Clock& clock) {
  kube::CheckpointerOptions options;
  options.journal = dir / "checkpoint.journal";
  options.fsync_every_line = fsync_every_line;
  auto store = std::make_unique<kube::FileCheckpointStore>(env, dir / "checkpoint.json");
  auto cp = kube::Checkpointer::Open(std::move(store), options, env, clock);
  if (!cp)
    return Fail(cp.error().code, "checkpoint in " + dir.string() + ": " + cp.error().message);
  return cp;
}

std::string ReplicaId(const std::filesystem::path& dir, Rng& rng) {
  auto path = dir / "replica-id";
  if (auto text = files::Read(path); text && !text->empty()) return *text;
  static const char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) id += kHex[static_cast<int>(rng.Uniform() * 16) & 15];
  (void)files::WriteAtomic(path, id);
  return id;
}

}  // namespace kv::app
