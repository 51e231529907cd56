#include "sinks/stdout/sink.h"

#include <unistd.h>

#include "sinks/common/json_lines.h"

namespace kv::sinks::stdout_sink {

namespace {

class StdoutSink final : public Sink {
 public:
  explicit StdoutSink(event::EncodeOptions options) : options_(options) {}

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    buffer_.clear();
    common::AppendLines(batch, options_, &buffer_);
    SendOutcome outcome;
    if (auto r = common::WriteAll(STDOUT_FILENO, buffer_); !r) {
      outcome.request = Verdict::kRetry;
      outcome.reason = "cannot write to stdout: " + r.error().message;
    }
    return outcome;
  }

 private:
  const event::EncodeOptions options_;
  std::string buffer_;  // reused between batches
};

}  // namespace

Builder Parse(const config::Node& node) {
  node.RejectUnknownKeys({"deDot", "layout"});
  event::EncodeOptions options = common::ParseLineOptions(node);
  return [options](const SinkContext&) -> Result<std::unique_ptr<Sink>> {
    return std::make_unique<StdoutSink>(options);
  };
}

}  // namespace kv::sinks::stdout_sink
