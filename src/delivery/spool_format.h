// The spool's on-disk format, in one place (delivery/spool.h says when
// records are written, synced and acknowledged; this says what the bytes
// are). Pure: no I/O. Integers are little-endian (the host's; the files
// never leave the machine that wrote them).
//
// A segment file `<dir>/<first seq, 20 digits>.seg` holds records back to
// back, each
//
//   offset  size  field
//        0     4  payload length (at most kMaxRecordPayload)
//        4     4  crc32 (zlib) of bytes 8..23 and then of the payload
//        8     8  seq        the spool's own number, +1 per record
//       16     8  event_seq  the watcher's global number of the event
//       24     n  payload    Spool::EncodePayload
//
// A record whose length, checksum or seq does not fit ends its segment:
// recovery cuts the file there (a torn write at a crash).
//
// `<dir>/ack` holds two 16-byte slots written alternately, so a torn write
// leaves the other one whole; the valid slot with the higher generation
// wins:
//
//   offset  size  field
//        0     8  first unacknowledged seq
//        8     4  crc32 of bytes 0..7 and then 12..15
//       12     4  generation
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kv::delivery::spool_format {

inline constexpr size_t kRecordHeaderBytes = 24;
inline constexpr uint32_t kMaxRecordPayload = 64u << 20;
inline constexpr size_t kAckSlotBytes = 16;

struct RecordHeader {
  uint32_t payload_bytes = 0;
  uint32_t crc = 0;
  uint64_t seq = 0;
  uint64_t event_seq = 0;
};

// The header of a record carrying `payload`.
std::array<char, kRecordHeaderBytes> EncodeRecordHeader(uint64_t seq, uint64_t event_seq,
                                                        std::string_view payload);
// Reads the fields of a header (`bytes` holds kRecordHeaderBytes); checks
// nothing.
RecordHeader DecodeRecordHeader(const char* bytes);
// Whether `payload` is the one `header` was written for (length and crc).
bool RecordIntact(const RecordHeader& header, std::string_view payload);

struct AckSlot {
  uint64_t first_unacked = 0;
  uint32_t generation = 0;
};
std::array<char, kAckSlotBytes> EncodeAckSlot(const AckSlot& slot);
// nullopt when the checksum does not match (torn or never written).
std::optional<AckSlot> DecodeAckSlot(const char* bytes);

// "00000000000000000042.seg" (any count of digits is read back); nullopt
// for a name that is not a segment's.
std::string SegmentName(uint64_t first_seq);
std::optional<uint64_t> ParseSegmentName(std::string_view name);

}  // namespace kv::delivery::spool_format
