#include "sinks/common/json_lines.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace kv::sinks::common {

std::vector<Verdict> AppendLines(std::span<const event::EventPtr> batch, const LineFormat& format,
                                 std::string* out, std::string* reason) {
  std::vector<Verdict> items(batch.size(), Verdict::kDelivered);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (auto r = AppendDocument(batch[i], format, out); !r) {
      items[i] = Verdict::kReject;
      if (reason->empty()) reason->assign(r.error().message);
      continue;
    }
    out->push_back('\n');
  }
  return items;
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

SendOutcome Outcome(std::vector<Verdict> items, const Result<void>& write, std::string reason) {
  SendOutcome outcome;
  if (!write) {
    outcome.request = Verdict::kRetry;
    outcome.reason = write.error().message;
    return outcome;
  }
  bool any_rejected =
      std::any_of(items.begin(), items.end(), [](Verdict v) { return v == Verdict::kReject; });
  if (any_rejected) {
    outcome.items = std::move(items);
    outcome.reason = std::move(reason);
  }
  return outcome;
}

}  // namespace kv::sinks::common
