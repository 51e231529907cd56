#include "sinks/file/sink.h"

#include "sinks/common/json_lines.h"
#include "sinks/file/rotating_writer.h"

namespace kv::sinks::file {

namespace {

class FileSink final : public Sink {
 public:
  FileSink(const std::string& path, RotationOptions rotation, common::LineFormat format,
           Clock& clock)
      : writer_(path, rotation, clock), format_(std::move(format)) {}

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    buffer_.clear();
    std::string reason;
    auto items = common::AppendLines(batch, format_, &buffer_, &reason);
    return common::Outcome(std::move(items), writer_.Write(buffer_), std::move(reason));
  }

  void Close() override { writer_.Close(); }

 private:
  RotatingWriter writer_;
  const common::LineFormat format_;
  std::string buffer_;
};

}  // namespace

Builder Parse(const config::Node& node) {
  node.RejectUnknownKeys({"path", "layout", "deDot", "maxsize", "maxage", "maxbackups"});
  std::string path = node.String("path");
  if (path.empty()) node.Report("missing required key", "path");
  RotationOptions rotation;
  // The reference passes these to lumberjack, where 0 means "default" for
  // maxsize (RotationOptions' max_bytes) and "keep all" for the other two.
  const RotationOptions defaults;
  int64_t max_mb =
      node.Int("maxsize", static_cast<int64_t>(defaults.max_bytes >> 20), 0, int64_t{1} << 20);
  rotation.max_bytes = max_mb == 0 ? defaults.max_bytes : static_cast<uint64_t>(max_mb) << 20;
  rotation.max_age =
      std::chrono::hours(24 * node.Int("maxage", defaults.max_age.count() / 24, 0, 100000));
  rotation.max_backups = static_cast<int>(node.Int("maxbackups", defaults.max_backups, 0, 1000000));
  common::LineFormat format = common::ParseLineFormat(node);
  return [path, rotation, format](const SinkContext& ctx) -> Result<std::unique_ptr<Sink>> {
    return std::make_unique<FileSink>(path, rotation, format, *ctx.clock);
  };
}

}  // namespace kv::sinks::file
