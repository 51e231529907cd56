#include "sinks/file/rotating_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "sinks/common/json_lines.h"

namespace kv::sinks::file {

namespace fs = std::filesystem;

namespace {
// lumberjack's backup time format, "2006-01-02T15-04-05.000", in UTC.
constexpr size_t kStampLength = 23;
}  // namespace

RotatingWriter::RotatingWriter(fs::path path, RotationOptions options, Clock& clock)
    : path_(std::move(path)), options_(options), clock_(clock) {}

RotatingWriter::~RotatingWriter() { Close(); }

void RotatingWriter::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<void> RotatingWriter::Open() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    rotatable_ = false;
  } else if (path_.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(path_.parent_path(), ec);
  }
  // O_NONBLOCK for the open only: a FIFO without a reader fails at once
  // (ENXIO, retried later) instead of blocking the worker and shutdown.
  int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK | (rotatable_ ? O_CREAT : 0);
  fd_ = ::open(path_.c_str(), flags, 0644);
  if (fd_ < 0) {
    const char* why = errno == ENXIO ? "no reader on the FIFO" : std::strerror(errno);
    return Fail(ErrorCode::kIo, "cannot open " + path_.string() + ": " + why);
  }
  if (int fl = ::fcntl(fd_, F_GETFL); fl >= 0) (void)::fcntl(fd_, F_SETFL, fl & ~O_NONBLOCK);
  size_ = 0;
  if (rotatable_ && ::fstat(fd_, &st) == 0) size_ = static_cast<uint64_t>(st.st_size);
  return {};
}

std::string RotatingWriter::BackupName(std::chrono::system_clock::time_point t) const {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H-%M-%S", &tm);
  char full[40];
  std::snprintf(full, sizeof full, "%s.%03d", stamp, static_cast<int>(ms % 1000));
  std::string stem = path_.stem().string();
  std::string ext = path_.extension().string();
  return (path_.parent_path() / (stem + "-" + full + ext)).string();
}

Result<void> RotatingWriter::Rotate() {
  Close();
  std::string backup = BackupName(clock_.WallNow());
  if (::rename(path_.c_str(), backup.c_str()) != 0 && errno != ENOENT) {
    return Fail(ErrorCode::kIo, "cannot rotate " + path_.string() + ": " + std::strerror(errno));
  }
  RemoveOldBackups();
  return Open();
}

void RotatingWriter::RemoveOldBackups() {
  if (options_.max_backups <= 0 && options_.max_age.count() <= 0) return;
  std::string prefix = path_.stem().string() + "-";
  std::string ext = path_.extension().string();
  fs::path dir = path_.has_parent_path() ? path_.parent_path() : fs::path(".");
  std::vector<std::pair<std::string, fs::path>> backups;  // (stamp, path)
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() != prefix.size() + kStampLength + ext.size() || name.rfind(prefix, 0) != 0 ||
        name.compare(name.size() - ext.size(), ext.size(), ext) != 0) {
      continue;
    }
    backups.emplace_back(name.substr(prefix.size(), kStampLength), entry.path());
  }
  // Newest first: the stamp sorts as text.
  std::sort(backups.begin(), backups.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string cutoff;
  if (options_.max_age.count() > 0) {
    cutoff = BackupName(clock_.WallNow() - options_.max_age);
    cutoff = fs::path(cutoff).filename().string().substr(prefix.size(), kStampLength);
  }
  for (size_t i = 0; i < backups.size(); ++i) {
    bool too_many = options_.max_backups > 0 && i >= static_cast<size_t>(options_.max_backups);
    bool too_old = !cutoff.empty() && backups[i].first < cutoff;
    if (too_many || too_old) fs::remove(backups[i].second, ec);
  }
}

Result<void> RotatingWriter::Write(std::string_view data) {
  if (fd_ < 0) {
    if (auto r = Open(); !r) return r;
  }
  if (rotatable_ && options_.max_bytes > 0 && size_ > 0 &&
      size_ + data.size() > options_.max_bytes) {
    if (auto r = Rotate(); !r) return r;
  }
  if (auto r = common::WriteAll(fd_, data); !r) {
    Close();  // reopen on the next write (the file may have been removed)
    return Fail(ErrorCode::kIo, "cannot write " + path_.string() + ": " + r.error().message);
  }
  size_ += data.size();
  return {};
}

}  // namespace kv::sinks::file
