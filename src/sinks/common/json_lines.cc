#include "sinks/common/json_lines.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "tmpl/event_value.h"

namespace kv::sinks::common {

namespace {

event::StringMap Dedot(const event::StringMap& in) {
  event::StringMap out;
  for (const auto& [k, v] : in) {
    std::string key = k;
    std::replace(key.begin(), key.end(), '.', '_');
    out[key] = v;
  }
  return out;
}

}  // namespace

LineFormat ParseLineFormat(const config::Node& node) {
  LineFormat format;
  format.encode.dedot = node.Bool("deDot", false);
  config::Node layout = node.Child("layout");
  if (layout.Defined()) {
    auto parsed = tmpl::Layout::Parse(layout.yaml(), layout.path());
    if (parsed) {
      format.layout = std::move(*parsed);
    } else {
      node.Report(parsed.error().message, "layout");
    }
  }
  return format;
}

std::vector<Verdict> AppendLines(std::span<const event::EventPtr> batch, const LineFormat& format,
                                 std::string* out, std::string* reason) {
  std::vector<Verdict> items(batch.size(), Verdict::kDelivered);
  for (size_t i = 0; i < batch.size(); ++i) {
    const event::Event& ev = *batch[i];
    if (!format.layout) {
      event::EncodeJson(ev, format.encode, out);
      out->push_back('\n');
      continue;
    }
    // The reference applies deDot to the event before its layout sees it.
    Result<std::string> line;
    if (format.encode.dedot) {
      auto copy = std::make_shared<event::Event>(ev);
      copy->metadata.labels = Dedot(copy->metadata.labels);
      copy->metadata.annotations = Dedot(copy->metadata.annotations);
      copy->involved_object.labels = Dedot(copy->involved_object.labels);
      copy->involved_object.annotations = Dedot(copy->involved_object.annotations);
      line = format.layout->Render(tmpl::EventToValue(std::move(copy)));
    } else {
      line = format.layout->Render(tmpl::EventToValue(batch[i]));
    }
    if (!line) {
      items[i] = Verdict::kReject;
      if (reason->empty()) reason->assign("layout: " + line.error().message);
      continue;
    }
    *out += *line;
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
