// The checkpoint journal after a crash: any bytes (a torn last line, a
// disk that lost a block) must replay without crashing. Properties:
// replay keeps a prefix of the journal (it only cuts a tail off), and
// opening the same files again recovers the same state.
//
// Input: if it starts with '{', its first line is the snapshot file
// (checkpoint.json) and the rest the journal; otherwise there is no
// snapshot and the whole input is the journal.
#include <spdlog/spdlog.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "fuzz_tmpdir.h"
#include "kube/checkpoint.h"
#include "util/clock.h"

namespace {

kv::Result<std::unique_ptr<kv::kube::Checkpointer>> OpenIn(const kv::fuzz::ScratchDir& dir,
                                                           kv::Clock& clock) {
  static kv::PosixEnv env;
  kv::kube::CheckpointerOptions options;
  options.journal = dir.path() / "checkpoint.journal";
  return kv::kube::Checkpointer::Open(
      std::make_unique<kv::kube::FileCheckpointStore>(env, dir.path() / "checkpoint.json"), options,
      env, clock);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const kv::fuzz::ScratchDir dir;
  static bool quiet = (spdlog::set_level(spdlog::level::off), true);
  (void)quiet;
  dir.Clear();

  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view journal = in;
  if (!in.empty() && in.front() == '{') {
    size_t nl = in.find('\n');
    kv::fuzz::WriteFile(dir.path() / "checkpoint.json", in.substr(0, nl));
    journal = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  }
  kv::fuzz::WriteFile(dir.path() / "checkpoint.journal", journal);

  kv::FakeClock clock;
  auto first = OpenIn(dir, clock);
  if (!first) return 0;
  uint64_t committed = (*first)->committed_event_seq();
  bool had_state = (*first)->had_state();
  kv::kube::Checkpoint recovered = (*first)->TakeRecovered();
  first->reset();

  std::string kept = kv::fuzz::ReadFile(dir.path() / "checkpoint.journal");
  FUZZ_CHECK(kept.size() <= journal.size());
  FUZZ_CHECK(journal.substr(0, kept.size()) == kept);

  auto second = OpenIn(dir, clock);
  FUZZ_CHECK(second.has_value());
  FUZZ_CHECK((*second)->committed_event_seq() == committed);
  FUZZ_CHECK((*second)->had_state() == had_state);
  kv::kube::Checkpoint again = (*second)->TakeRecovered();
  FUZZ_CHECK(again.resource_version == recovered.resource_version);
  FUZZ_CHECK(again.event_seq == recovered.event_seq);
  FUZZ_CHECK(again.journal_seq == recovered.journal_seq);
  FUZZ_CHECK(again.emitted == recovered.emitted);
  return 0;
}
