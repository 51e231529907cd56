#include "sinks/aws/common/message.h"

#include <algorithm>

#include "aws/sigv4.h"
#include "event/encode.h"
#include "tmpl/event_value.h"

namespace kv::sinks::aws_common {

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

Result<std::string> Render(const event::EventPtr& ev, const common::LineFormat& format) {
  if (!format.layout) return event::EncodeJson(*ev, format.encode);
  Result<std::string> out;
  // As the reference does, deDot applies to the event before the layout sees it.
  if (format.encode.dedot) {
    auto copy = std::make_shared<event::Event>(*ev);
    copy->metadata.labels = Dedot(copy->metadata.labels);
    copy->metadata.annotations = Dedot(copy->metadata.annotations);
    copy->involved_object.labels = Dedot(copy->involved_object.labels);
    copy->involved_object.annotations = Dedot(copy->involved_object.annotations);
    out = format.layout->Render(tmpl::EventToValue(std::move(copy)));
  } else {
    out = format.layout->Render(tmpl::EventToValue(ev));
  }
  if (!out) return Fail(ErrorCode::kInvalidConfig, "layout: " + out.error().message);
  return out;
}

std::string CutUtf8(std::string s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t n = max_bytes;
  // Back up over continuation bytes so no sequence is split.
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

std::string ObjectKey(const event::Event& ev, size_t max_bytes) {
  const auto& o = ev.involved_object;
  std::string key = !o.uid.empty() ? o.uid : o.kind + "/" + o.namespace_ + "/" + o.name;
  return CutUtf8(std::move(key), max_bytes);
}

std::string DeduplicationId(const event::Event& ev) {
  return ::kv::aws::Sha256Hex(ev.IdempotencyKey());
}

int64_t EventTimeMillis(const event::Event& ev, int64_t fallback_ms) {
  int64_t micros = ev.LastSeenMicros();
  return micros > 0 ? micros / 1000 : fallback_ms;
}

}  // namespace kv::sinks::aws_common
