#include "sinks/common/json_lines.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kv::sinks::common {

event::EncodeOptions ParseLineOptions(const config::Node& node) {
  event::EncodeOptions options;
  options.dedot = node.Bool("deDot", false);
  if (node.Has("layout")) {
    node.Report(
        "layouts need the template engine, which this kubevents version does not have yet; "
        "remove `layout` to write the full event",
        "layout");
  }
  return options;
}

void AppendLines(std::span<const event::EventPtr> batch, const event::EncodeOptions& options,
                 std::string* out) {
  for (const auto& ev : batch) {
    event::EncodeJson(*ev, options, out);
    out->push_back('\n');
  }
}

Result<void> WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(ErrorCode::kIo, std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace kv::sinks::common
