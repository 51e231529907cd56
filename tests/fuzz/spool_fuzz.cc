// A receiver's spool directory after a crash, a full disk or bit rot:
// recovery must cut off what it cannot read and hand out the rest, and
// once everything is taken and acknowledged a reopen finds nothing left.
// Spool::DecodePayload must reject bad payloads cleanly, and an event it
// accepts must encode to a payload that decodes again.
//
// Input: [mode][rest]. Mode bit 0 picks the layout of `rest`:
//   raw (bit 0 clear): `rest` is written as the segment file
//     00000000000000000000.seg byte for byte; with bit 2 its first 32
//     bytes are the `ack` file instead. Reaching past the checksums is
//     left to the fuzzer.
//   framed (bit 0 set): rest = [k][payload]\n[payload]\n...; each payload
//     becomes a well-formed record (seq 0, 1, ..., event_seq seq+1, valid
//     CRC) so the fuzzer gets to the payload decoder and the queue logic.
//     bit 1: record k % n gets a wrong CRC; bit 2: an ack file (valid
//     checksum) says the first unacknowledged seq is k % (n + 2); bit 3:
//     the last record is torn (cut by k % 24 + 1 bytes); bit 4:
//     TruncateAfter(k % (n + 2)) before taking.
#include <spdlog/spdlog.h>
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/spool.h"
#include "event/decode.h"
#include "fuzz_check.h"
#include "fuzz_tmpdir.h"

namespace {

using kv::delivery::Spool;

uint32_t Crc(const char* p, size_t n, uint32_t crc = 0) {
  return static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(p), static_cast<uInt>(n)));
}

template <typename T>
void Put(std::string* out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out->append(b, sizeof(T));
}

std::string Record(uint64_t seq, uint64_t event_seq, std::string_view payload, bool bad_crc) {
  std::string r;
  Put<uint32_t>(&r, static_cast<uint32_t>(payload.size()));
  Put<uint32_t>(&r, 0);
  Put<uint64_t>(&r, seq);
  Put<uint64_t>(&r, event_seq);
  r.append(payload);
  uint32_t crc = Crc(r.data() + 8, 16);
  crc = Crc(payload.data(), payload.size(), crc) ^ (bad_crc ? 1u : 0u);
  std::memcpy(r.data() + 4, &crc, 4);
  return r;
}

std::string AckFile(uint64_t first_unacked) {
  std::string slot;
  Put<uint64_t>(&slot, first_unacked);
  Put<uint32_t>(&slot, 0);
  Put<uint32_t>(&slot, 1);  // generation 1 lives in slot 1
  uint32_t crc = Crc(slot.data(), 8, Crc(slot.data() + 12, 4));
  std::memcpy(slot.data() + 8, &crc, 4);
  return std::string(16, '\0') + slot;
}

void CheckPayload(std::string_view payload, kv::event::Decoder& decoder) {
  auto ev = Spool::DecodePayload(payload, decoder);
  if (!ev) return;
  std::string encoded = Spool::EncodePayload(*ev);
  auto again = Spool::DecodePayload(encoded, decoder);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(Spool::EncodePayload(*again) == encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const kv::fuzz::ScratchDir scratch;
  static bool quiet = (spdlog::set_level(spdlog::level::off), true);
  (void)quiet;
  if (size < 1) return 0;
  scratch.Clear();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  uint8_t mode = static_cast<uint8_t>(in[0]);
  std::string_view rest = in.substr(1);
  kv::event::Decoder decoder(kv::event::ApiGroup::kCore, /*keep_raw=*/false);

  const auto dir = scratch.path() / "spool";
  std::filesystem::create_directories(dir);
  const auto segment = dir / "00000000000000000000.seg";
  size_t records = 0;
  uint64_t truncate_after = UINT64_MAX;
  if ((mode & 1) == 0) {
    if ((mode & 4) != 0) {
      kv::fuzz::WriteFile(dir / "ack", rest.substr(0, 32));
      rest.remove_prefix(std::min<size_t>(32, rest.size()));
    }
    kv::fuzz::WriteFile(segment, rest);
    CheckPayload(rest, decoder);
  } else {
    uint8_t k = rest.empty() ? 0 : static_cast<uint8_t>(rest[0]);
    if (!rest.empty()) rest.remove_prefix(1);
    std::vector<std::string_view> payloads;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      payloads.push_back(rest.substr(0, nl));
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    }
    records = payloads.size();
    std::string seg;
    for (size_t i = 0; i < payloads.size(); ++i) {
      CheckPayload(payloads[i], decoder);
      seg += Record(i, i + 1, payloads[i], (mode & 2) != 0 && i == k % payloads.size());
    }
    if ((mode & 8) != 0 && !payloads.empty()) {
      seg.resize(seg.size() - std::min<size_t>(seg.size(), k % 24 + 1));
    }
    kv::fuzz::WriteFile(segment, seg);
    if ((mode & 4) != 0) kv::fuzz::WriteFile(dir / "ack", AckFile(k % (records + 2)));
    if ((mode & 16) != 0) truncate_after = k % (records + 2);
  }

  kv::delivery::SpoolOptions options;
  options.dir = dir;
  options.fsync = kv::delivery::FsyncPolicy::kNever;
  options.memory_bytes = 4096;
  kv::PosixEnv env;
  kv::SystemClock clock;
  auto spool = Spool::Open(options, env, clock);
  if (!spool) return 0;
  if (truncate_after != UINT64_MAX) (void)(*spool)->TruncateAfter(truncate_after);
  uint64_t recovered = (*spool)->stats().recovered.load();
  if ((mode & 1) != 0) FUZZ_CHECK(recovered <= records);

  size_t taken = 0;
  uint64_t last_seq = 0;
  for (uint64_t round = 0; !(*spool)->Empty(); ++round) {
    FUZZ_CHECK(round <= recovered);  // every round takes at least one record
    auto batch = (*spool)->Take(3, 1 << 20, std::chrono::milliseconds(0), clock.SteadyNow());
    for (const auto& e : batch) {
      FUZZ_CHECK(e.event != nullptr);
      FUZZ_CHECK(taken == 0 || e.seq > last_seq);  // original order
      last_seq = e.seq;
      ++taken;
    }
    (*spool)->Ack();
  }
  FUZZ_CHECK(taken <= recovered);
  spool->reset();

  auto reopened = Spool::Open(options, env, clock);
  FUZZ_CHECK(reopened.has_value());
  FUZZ_CHECK((*reopened)->Empty());
  return 0;
}
