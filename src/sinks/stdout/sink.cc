#include "sinks/stdout/sink.h"

#include <unistd.h>

#include "sinks/common/json_lines.h"

namespace kv::sinks::stdout_sink {

namespace {

class StdoutSink final : public Sink {
 public:
  explicit StdoutSink(common::LineFormat format) : format_(std::move(format)) {}

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    buffer_.clear();
    std::string reason;
    auto items = common::AppendLines(batch, format_, &buffer_, &reason);
    auto written = common::WriteAll(STDOUT_FILENO, buffer_);
    if (!written)
      written = Fail(ErrorCode::kIo, "cannot write to stdout: " + written.error().message);
    return common::Outcome(std::move(items), written, std::move(reason));
  }

 private:
  const common::LineFormat format_;
  std::string buffer_;  // reused between batches
};

}  // namespace

Builder Parse(const config::Node& node) {
  node.RejectUnknownKeys({"deDot", "layout"});
  common::LineFormat format = common::ParseLineFormat(node);
  return [format](const SinkContext&) -> Result<std::unique_ptr<Sink>> {
    return std::make_unique<StdoutSink>(format);
  };
}

}  // namespace kv::sinks::stdout_sink
