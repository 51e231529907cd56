#include "sinks/pipe/sink.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "sinks/common/json_lines.h"

namespace kv::sinks::pipe {

namespace {

// What a bounded write got done.
struct Written {
  size_t bytes = 0;     // of the buffer, from its start
  std::string error;    // empty: all written
  bool broken = false;  // the descriptor is unusable (the reader went away)
};

// A batch's lines in PipeSink::buffer_, per event.
struct Rendered {
  std::vector<Verdict> items;        // kDelivered (to write) or kReject (no line)
  std::vector<size_t> ends;          // where its line ends in the buffer
  std::vector<std::string> reasons;  // a rejected event's render error
  std::string first_reason;
};

class PipeSink final : public Sink {
 public:
  PipeSink(std::string path, common::LineFormat format, std::chrono::milliseconds write_timeout)
      : path_(std::move(path)), format_(std::move(format)), write_timeout_(write_timeout) {}
  ~PipeSink() override { Close(); }

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    if (fd_ < 0) {
      if (auto opened = Open(); !opened) return RetryAll(opened.error().message);
    }
    Rendered r = Render(batch);
    Written w = WriteBounded();
    if (w.broken) Close();  // reopen at the next attempt
    if (fd_ >= 0 && w.bytes > 0) mid_line_ = buffer_[w.bytes - 1] != '\n';
    if (w.error.empty()) return common::Outcome(std::move(r.items), {}, std::move(r.first_reason));
    return PartialOutcome(std::move(r), w);
  }

  void Close() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    mid_line_ = false;  // the next reader starts on a fresh line
  }

 private:
  static SendOutcome RetryAll(std::string reason) {
    SendOutcome outcome;
    outcome.request = Verdict::kRetry;
    outcome.reason = std::move(reason);
    return outcome;
  }

  // Non-blocking, so that a FIFO without a reader fails now (ENXIO)
  // instead of blocking the worker, and shutdown, until one comes.
  Result<void> Open() {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK);
    if (fd_ >= 0) return {};
    if (errno == ENXIO) return Fail(ErrorCode::kUnavailable, "no reader on the FIFO " + path_);
    return Fail(ErrorCode::kIo, "cannot open " + path_ + ": " + std::strerror(errno));
  }

  // One line per event into buffer_, noting where each ends. After a cut
  // line (an earlier batch ran out of time mid-line on this descriptor), a
  // newline first ends the fragment, so the retried line stays whole.
  Rendered Render(std::span<const event::EventPtr> batch) {
    Rendered r;
    buffer_.clear();
    if (mid_line_) buffer_ = "\n";
    for (size_t i = 0; i < batch.size(); ++i) {
      std::string why;
      r.items.push_back(common::AppendLines(batch.subspan(i, 1), format_, &buffer_, &why).front());
      r.ends.push_back(buffer_.size());
      if (r.first_reason.empty()) r.first_reason = why;
      r.reasons.push_back(std::move(why));
    }
    return r;
  }

  // Writes buffer_, waiting for room with poll() until the write timeout.
  Written WriteBounded() {
    Written w;
    auto deadline = std::chrono::steady_clock::now() + write_timeout_;  // poll waits in real time
    while (w.bytes < buffer_.size()) {
      ssize_t n = ::write(fd_, buffer_.data() + w.bytes, buffer_.size() - w.bytes);
      if (n >= 0) {
        w.bytes += static_cast<size_t>(n);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN) {
        // EPIPE: the reader went away (SIGPIPE is ignored process-wide).
        w.error = "cannot write to " + path_ + ": " + std::strerror(errno);
        w.broken = true;
        return w;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLOUT, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
        w.error = "the reader of " + path_ + " took nothing for " +
                  std::to_string(write_timeout_.count()) + " ms";
        return w;
      }
    }
    return w;
  }

  // Events whose line is wholly written are delivered (or rejected, as
  // rendered); the others are retried. Bytes in a FIFO cannot be taken
  // back, so a line cut at the deadline is written again whole.
  static SendOutcome PartialOutcome(Rendered r, const Written& w) {
    bool any_done = false;
    for (size_t i = 0; i < r.items.size(); ++i) {
      if (r.ends[i] > w.bytes) {
        r.items[i] = Verdict::kRetry;
        r.reasons[i] = w.error;
      } else {
        any_done = true;
      }
    }
    if (!any_done) return RetryAll(w.error);
    SendOutcome outcome;
    outcome.reason = w.error;
    outcome.items = std::move(r.items);
    outcome.item_reasons = std::move(r.reasons);
    return outcome;
  }

  const std::string path_;
  const common::LineFormat format_;
  const std::chrono::milliseconds write_timeout_;
  int fd_ = -1;
  bool mid_line_ = false;  // the last write on fd_ stopped inside a line
  std::string buffer_;
};

}  // namespace

std::unique_ptr<Sink> MakeSink(std::string path, common::LineFormat format,
                               std::chrono::milliseconds write_timeout) {
  return std::make_unique<PipeSink>(std::move(path), std::move(format), write_timeout);
}

Builder Parse(const config::Node& node) {
  node.RejectUnknownKeys({"path", "deDot", "layout"});
  std::string path = node.String("path");
  if (path.empty()) node.Report("missing required key", "path");
  common::LineFormat format = common::ParseLineFormat(node);
  return [path, format](const SinkContext&) -> Result<std::unique_ptr<Sink>> {
    return MakeSink(path, format);
  };
}

}  // namespace kv::sinks::pipe
