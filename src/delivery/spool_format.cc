#include "delivery/spool_format.h"

#include <zlib.h>

#include <charconv>
#include <cstdio>
#include <cstring>

namespace kv::delivery::spool_format {

namespace {

void PutU32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }
void PutU64(char* p, uint64_t v) { std::memcpy(p, &v, 8); }
uint32_t GetU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

uint32_t Crc(const char* data, size_t n, uint32_t crc = 0) {
  return static_cast<uint32_t>(
      crc32(crc, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(n)));
}

// The checksum covers seq and event_seq, then the payload.
uint32_t RecordCrc(const char* seqs, std::string_view payload) {
  return Crc(payload.data(), payload.size(), Crc(seqs, 16));
}

uint32_t AckCrc(const char* slot) { return Crc(slot, 8, Crc(slot + 12, 4)); }

}  // namespace

std::array<char, kRecordHeaderBytes> EncodeRecordHeader(uint64_t seq, uint64_t event_seq,
                                                        std::string_view payload) {
  std::array<char, kRecordHeaderBytes> h{};
  PutU32(h.data(), static_cast<uint32_t>(payload.size()));
  PutU64(h.data() + 8, seq);
  PutU64(h.data() + 16, event_seq);
  PutU32(h.data() + 4, RecordCrc(h.data() + 8, payload));
  return h;
}

RecordHeader DecodeRecordHeader(const char* bytes) {
  return {GetU32(bytes), GetU32(bytes + 4), GetU64(bytes + 8), GetU64(bytes + 16)};
}

bool RecordIntact(const RecordHeader& header, std::string_view payload) {
  if (payload.size() != header.payload_bytes) return false;
  char seqs[16];
  PutU64(seqs, header.seq);
  PutU64(seqs + 8, header.event_seq);
  return RecordCrc(seqs, payload) == header.crc;
}

std::array<char, kAckSlotBytes> EncodeAckSlot(const AckSlot& slot) {
  std::array<char, kAckSlotBytes> s{};
  PutU64(s.data(), slot.first_unacked);
  PutU32(s.data() + 12, slot.generation);
  PutU32(s.data() + 8, AckCrc(s.data()));
  return s;
}

std::optional<AckSlot> DecodeAckSlot(const char* bytes) {
  if (AckCrc(bytes) != GetU32(bytes + 8)) return std::nullopt;
  return AckSlot{GetU64(bytes), GetU32(bytes + 12)};
}

std::string SegmentName(uint64_t first_seq) {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu.seg", static_cast<unsigned long long>(first_seq));
  return name;
}

std::optional<uint64_t> ParseSegmentName(std::string_view name) {
  constexpr std::string_view kExt = ".seg";
  if (name.size() <= kExt.size() || !name.ends_with(kExt)) return std::nullopt;
  std::string_view stem = name.substr(0, name.size() - kExt.size());
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(stem.data(), stem.data() + stem.size(), v);
  if (ec != std::errc() || end != stem.data() + stem.size()) return std::nullopt;
  return v;
}

}  // namespace kv::delivery::spool_format
