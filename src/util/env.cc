#include "util/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kv {

namespace fs = std::filesystem;

tl::unexpected<Error> IoError(std::string_view what, const fs::path& path, int err) {
  return Fail(ErrorCode::kIo, std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

namespace {

class PosixFile final : public File {
 public:
  PosixFile(fs::path path, int fd) : File(std::move(path)), fd_(fd) {}
  ~PosixFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  using File::Append;
  Result<void> Append(std::span<const std::string_view> parts, size_t* written) override {
    size_t total = 0;
    if (written == nullptr) written = &total;
    *written = 0;
    std::vector<iovec> iov;
    iov.reserve(parts.size());
    for (std::string_view p : parts) {
      if (!p.empty()) iov.push_back({const_cast<char*>(p.data()), p.size()});
    }
    size_t first = 0;  // iov[first] is the first not wholly written
    while (first < iov.size()) {
      ssize_t w = ::writev(fd_, iov.data() + first, static_cast<int>(iov.size() - first));
      if (w < 0) {
        if (errno == EINTR) continue;
        return IoError("cannot write", path(), errno);
      }
      auto done = static_cast<size_t>(w);
      *written += done;
      while (first < iov.size() && done >= iov[first].iov_len) done -= iov[first++].iov_len;
      if (first < iov.size()) {
        iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + done;
        iov[first].iov_len -= done;
      }
    }
    return {};
  }

  Result<void> Write(uint64_t offset, std::string_view data) override {
    while (!data.empty()) {
      ssize_t w = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(offset));
      if (w < 0) {
        if (errno == EINTR) continue;
        return IoError("cannot write", path(), errno);
      }
      data.remove_prefix(static_cast<size_t>(w));
      offset += static_cast<uint64_t>(w);
    }
    return {};
  }

  Result<size_t> PRead(uint64_t offset, char* buf, size_t n) override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, buf + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return IoError("cannot read", path(), errno);
      }
      if (r == 0) break;  // end of file
      done += static_cast<size_t>(r);
    }
    return done;
  }

  Result<void> Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return IoError("cannot truncate", path(), errno);
    }
    return {};
  }

  Result<void> Sync() override {
    if (::fdatasync(fd_) != 0) return IoError("cannot sync", path(), errno);
    return {};
  }

  Result<void> SyncAll() override {
    if (::fsync(fd_) != 0) return IoError("cannot sync", path(), errno);
    return {};
  }

  Result<uint64_t> Size() override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return IoError("cannot stat", path(), errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Result<void> Close() override {
    if (fd_ < 0) return IoError("cannot close", path(), EBADF);
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return IoError("cannot close", path(), errno);
    return {};
  }

 private:
  int fd_;
};

}  // namespace

Result<std::unique_ptr<File>> PosixEnv::OpenFile(const fs::path& path, const OpenOptions& options) {
  int flags = (options.read ? O_RDWR : O_WRONLY) | O_CLOEXEC;
  if (options.create) flags |= O_CREAT;
  if (options.truncate) flags |= O_TRUNC;
  if (options.append) flags |= O_APPEND;
  int fd;
  do {
    fd = ::open(path.c_str(), flags, 0600);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return IoError(options.create ? "cannot create" : "cannot open", path, errno);
  return std::unique_ptr<File>(new PosixFile(path, fd));
}

Result<std::string> PosixEnv::ReadFile(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot read", path, errno);
  PosixFile file(path, fd);
  std::string out;
  char buf[65536];
  for (;;) {
    auto n = file.PRead(out.size(), buf, sizeof buf);
    if (!n) return tl::unexpected(n.error());
    out.append(buf, *n);
    if (*n < sizeof buf) return out;
  }
}

Result<bool> PosixEnv::FileExists(const fs::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return IoError("cannot stat", path, errno);
}

Result<uint64_t> PosixEnv::FileSize(const fs::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return IoError("cannot stat", path, errno);
  return static_cast<uint64_t>(st.st_size);
}

Result<void> PosixEnv::Rename(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return IoError("cannot rename to", to, errno);
  return {};
}

Result<void> PosixEnv::Unlink(const fs::path& path) {
  if (::unlink(path.c_str()) != 0) return IoError("cannot remove", path, errno);
  return {};
}

Result<void> PosixEnv::SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open directory", dir, errno);
  PosixFile handle(dir, fd);
  return handle.SyncAll();
}

Result<std::vector<std::string>> PosixEnv::ListDir(const fs::path& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return IoError("cannot read directory", dir, errno);
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    dirent* e = ::readdir(d);
    if (e == nullptr) break;
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return IoError("cannot read directory", dir, err);
  return names;
}

Result<void> PosixEnv::CreateDirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return Fail(ErrorCode::kIo, "cannot create directory " + dir.string() + ": " + ec.message());
  return {};
}

}  // namespace kv
