#include "delivery/dead_letter.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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
  w.Key("event");
  w.Raw(event::EncodeJson(ev));
  w.EndObject();
  line.push_back('\n');

  std::lock_guard lock(mu_);
  std::error_code ec;
  std::filesystem::create_directories(path_.parent_path(), ec);
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(ErrorCode::kIo, "cannot open " + path_.string() + ": " + std::strerror(errno));
  }
  ssize_t n = ::write(fd, line.data(), line.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) {
    return Fail(ErrorCode::kIo, "cannot write " + path_.string() + ": " + std::strerror(err));
  }
  written_.fetch_add(1, std::memory_order_relaxed);
  return {};
}

}  // namespace kv::delivery
