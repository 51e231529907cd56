#include "sinks/pipe/sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sinks/common/json_lines.h"

namespace kv::sinks::pipe {

namespace {

class PipeSink final : public Sink {
 public:
  PipeSink(std::string path, common::LineFormat format)
      : path_(std::move(path)), format_(std::move(format)) {}
  ~PipeSink() override { Close(); }

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    SendOutcome outcome;
    if (fd_ < 0) {
      fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
      if (fd_ < 0) {
        outcome.request = Verdict::kRetry;
        outcome.reason = "cannot open " + path_ + ": " + std::strerror(errno);
        return outcome;
      }
    }
    buffer_.clear();
    std::string reason;
    auto items = common::AppendLines(batch, format_, &buffer_, &reason);
    auto written = common::WriteAll(fd_, buffer_);
    if (!written) {
      // A reader that went away (EPIPE): reopen on the next try.
      ::close(fd_);
      fd_ = -1;
      written = Fail(ErrorCode::kIo, "cannot write to " + path_ + ": " + written.error().message);
    }
    return common::Outcome(std::move(items), written, std::move(reason));
  }

  void Close() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  const std::string path_;
  const common::LineFormat format_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace

Builder Parse(const config::Node& node) {
  node.RejectUnknownKeys({"path", "deDot", "layout"});
  std::string path = node.String("path");
  if (path.empty()) node.Report("missing required key", "path");
  common::LineFormat format = common::ParseLineFormat(node);
  return [path, format](const SinkContext&) -> Result<std::unique_ptr<Sink>> {
    return std::make_unique<PipeSink>(path, format);
  };
}

}  // namespace kv::sinks::pipe
