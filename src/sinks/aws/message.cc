#include "sinks/aws/message.h"

#include "aws/sigv4.h"

namespace kv::sinks::aws {

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

}  // namespace kv::sinks::aws
