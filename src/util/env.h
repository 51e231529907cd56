// Env: every file-system call the storage code makes (the spools, the
// dead-letter files, the checkpoint journal and snapshot), behind one
// interface in the manner of LevelDB's Env, so tests can put a fault at
// any of them (ENOSPC, EIO, a short write, a power loss) and the code
// under test never reaches around it to the real file system.
//
// PosixEnv is the real one. Nothing here throws: every failure comes back
// as kIo with the path and the errno text ("cannot write <path>: No space
// left on device"). An Env is passed in by whoever owns the storage code
// and must outlive every File it opened; there is no default instance.
//
// Threads: an Env may be called from any thread. A File's calls are
// serialized by its owner, except Sync()/SyncAll(), which may run
// concurrently with the others (a syncer thread flushing a file the writer
// keeps appending to); different Files are independent.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace kv {

// An open file. Closed when destroyed (call Close() to see a close error).
class File {
 public:
  virtual ~File() = default;

  // Writes every byte of `parts`, in order, at the end of the file when it
  // was opened with `append`, else at the current file position. One
  // writev where possible (under `append`, one append unless the kernel
  // writes short); a short write is finished with further writes. kIo on
  // failure: then a prefix of the bytes may be in the file, and `*written`
  // (when not null) says how long; on success it is the whole size.
  virtual Result<void> Append(std::span<const std::string_view> parts, size_t* written) = 0;
  Result<void> Append(std::span<const std::string_view> parts) { return Append(parts, nullptr); }
  Result<void> Append(std::string_view data, size_t* written = nullptr) {
    return Append(std::span(&data, 1), written);
  }
  // Writes all of `data` at `offset` (pwrite), leaving the file position
  // alone. kIo on failure; some prefix may have been written. (On Linux a
  // file opened with `append` takes the bytes at its end whatever `offset`
  // says: see pwrite(2), BUGS.)
  virtual Result<void> Write(uint64_t offset, std::string_view data) = 0;
  // Reads up to `n` bytes at `offset` into `buf` (pread); fewer only at the
  // end of the file. Returns how many. kIo on failure.
  virtual Result<size_t> PRead(uint64_t offset, char* buf, size_t n) = 0;
  // Cuts the file to `size` bytes (ftruncate). kIo on failure.
  virtual Result<void> Truncate(uint64_t size) = 0;
  // fdatasync: the file's data (and the metadata needed to read it back,
  // such as its size) reaches stable storage. Not its name: a new or
  // renamed file also needs Env::SyncDir of its directory. kIo on failure
  // (after which what was written may or may not be on disk).
  virtual Result<void> Sync() = 0;
  // fsync: Sync() plus the rest of the inode's metadata.
  virtual Result<void> SyncAll() = 0;
  // The file's current size (fstat). kIo on failure.
  virtual Result<uint64_t> Size() = 0;
  // Closes it; every later call fails with kIo. kIo if close() reports an
  // error (a delayed write error on some file systems).
  virtual Result<void> Close() = 0;

  const std::filesystem::path& path() const { return path_; }

 protected:
  explicit File(std::filesystem::path path) : path_(std::move(path)) {}

 private:
  const std::filesystem::path path_;
};

// How Env::OpenFile opens a file. The file is always readable unless
// `read` is false; it is writable always.
struct OpenOptions {
  bool create = false;    // create it (mode 0600) if absent; else kIo when absent
  bool truncate = false;  // empty it on opening
  bool append = false;    // every Append goes to the end of the file (O_APPEND)
  bool read = true;       // false: opened write-only
};

class Env {
 public:
  virtual ~Env() = default;

  // Opens `path` as `options` say (close-on-exec). kIo when it cannot.
  virtual Result<std::unique_ptr<File>> OpenFile(const std::filesystem::path& path,
                                                 const OpenOptions& options) = 0;
  // The whole content of `path`. kIo when it cannot be read.
  virtual Result<std::string> ReadFile(const std::filesystem::path& path) = 0;
  // Whether `path` exists. kIo when that cannot be told (stat fails with
  // anything but ENOENT/ENOTDIR).
  virtual Result<bool> FileExists(const std::filesystem::path& path) = 0;
  // The size of `path` in bytes. kIo when it cannot be stat'ed.
  virtual Result<uint64_t> FileSize(const std::filesystem::path& path) = 0;
  // rename(2): atomically replaces `to`. Durable only after SyncDir of the
  // directories involved. kIo on failure.
  virtual Result<void> Rename(const std::filesystem::path& from,
                              const std::filesystem::path& to) = 0;
  // unlink(2). kIo on failure (ENOENT included).
  virtual Result<void> Unlink(const std::filesystem::path& path) = 0;
  // fsync of the directory itself: makes the creations, renames and
  // removals of names in it durable. kIo on failure.
  virtual Result<void> SyncDir(const std::filesystem::path& dir) = 0;
  // The names (not paths; no "." or "..") of the entries of `dir`, in no
  // particular order. kIo when it cannot be read.
  virtual Result<std::vector<std::string>> ListDir(const std::filesystem::path& dir) = 0;
  // mkdir -p (mode 0777 before umask). Success when it exists already.
  // kIo on failure.
  virtual Result<void> CreateDirs(const std::filesystem::path& dir) = 0;
};

// The real file system, through POSIX calls. Stateless; thread-safe.
class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<File>> OpenFile(const std::filesystem::path& path,
                                         const OpenOptions& options) override;
  Result<std::string> ReadFile(const std::filesystem::path& path) override;
  Result<bool> FileExists(const std::filesystem::path& path) override;
  Result<uint64_t> FileSize(const std::filesystem::path& path) override;
  Result<void> Rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
  Result<void> Unlink(const std::filesystem::path& path) override;
  Result<void> SyncDir(const std::filesystem::path& dir) override;
  Result<std::vector<std::string>> ListDir(const std::filesystem::path& dir) override;
  Result<void> CreateDirs(const std::filesystem::path& dir) override;
};

// kIo "<what> <path>: <strerror(err)>": the one error text of this module
// (also for test Envs that fake an errno).
tl::unexpected<Error> IoError(std::string_view what, const std::filesystem::path& path, int err);

}  // namespace kv
