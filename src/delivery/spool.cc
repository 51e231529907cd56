#include "delivery/spool.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "delivery/spool_format.h"
#include "event/encode.h"

namespace kv::delivery {

namespace fs = std::filesystem;

namespace {

using spool_format::kRecordHeaderBytes;
constexpr auto kFullLogEvery = std::chrono::seconds(10);

// Reads exactly `n` bytes at `offset`; false on an error or end of file.
bool ReadAt(File& file, char* data, size_t n, uint64_t offset) {
  auto r = file.PRead(offset, data, n);
  return r && *r == n;
}

}  // namespace

struct Spool::Segment {
  uint64_t first_seq = 0;
  fs::path path;
  // Shared so Sync() can fdatasync it outside the lock while Ack() may
  // delete the segment meanwhile.
  std::shared_ptr<File> file;
  uint64_t size = 0;
  uint64_t last_seq = 0;  // meaningful when has_records
  bool has_records = false;
  bool sealed = false;  // only read, never appended to: recovered, or a failed write stuck in it
  bool dirty = false;   // written since the last fdatasync
};

std::string Spool::EncodePayload(const event::Event& ev) {
  std::string out;
  out.reserve(1024);
  out.push_back(ev.api_group.empty() ? 'c' : 'e');
  event::EncodeJson(ev, {}, &out);
  return out;
}

Result<event::Event> Spool::DecodePayload(std::string_view payload, event::Decoder& decoder) {
  if (payload.empty() || (payload[0] != 'c' && payload[0] != 'e')) {
    return Fail(ErrorCode::kCorrupt, "spool record has an unknown payload type");
  }
  auto ev = decoder.DecodeEvent(payload.substr(1));
  if (!ev) return ev;
  ev->api_group = payload[0] == 'c' ? "" : "events.k8s.io";
  return ev;
}

Spool::Spool(SpoolOptions options, Env& env, Clock& clock)
    : options_(std::move(options)),
      env_(env),
      clock_(clock),
      decoder_(event::ApiGroup::kCore, /*keep_raw=*/false) {}

Spool::~Spool() = default;

Result<std::unique_ptr<Spool>> Spool::Open(const SpoolOptions& options, Env& env, Clock& clock) {
  std::unique_ptr<Spool> spool(new Spool(options, env, clock));
  if (auto r = env.CreateDirs(options.dir); !r) {
    return Fail(ErrorCode::kIo, "spool directory: " + r.error().message);
  }
  if (auto r = spool->Recover(); !r) return tl::unexpected(r.error());
  return spool;
}

uint64_t Spool::ReadAck() {
  char buf[2 * spool_format::kAckSlotBytes] = {};
  auto read = ack_file_->PRead(0, buf, sizeof buf);
  size_t n = read ? *read : 0;
  std::optional<spool_format::AckSlot> best;
  for (size_t slot = 0; slot < 2; ++slot) {
    if (n < (slot + 1) * spool_format::kAckSlotBytes) break;
    auto s = spool_format::DecodeAckSlot(buf + slot * spool_format::kAckSlotBytes);
    if (s && (!best || s->generation > best->generation)) best = s;
  }
  ack_generation_ = best ? best->generation : 0;
  return best ? best->first_unacked : 0;
}

Result<void> Spool::WriteAckLocked() {
  ++ack_generation_;
  auto slot = spool_format::EncodeAckSlot({first_unacked_, ack_generation_});
  uint64_t at = (ack_generation_ % 2) * spool_format::kAckSlotBytes;
  // A slot that was not written keeps its older value: at worst delivered
  // records come out again after a restart.
  if (auto r = ack_file_->Write(at, std::string_view(slot.data(), slot.size())); !r) return r;
  if (options_.fsync == FsyncPolicy::kAlways) return ack_file_->Sync();
  ack_dirty_ = true;
  return {};
}

Result<void> Spool::Recover() {
  auto ack = env_.OpenFile(options_.dir / "ack", {.create = true});
  if (!ack) return tl::unexpected(ack.error());
  ack_file_ = std::move(*ack);
  uint64_t first_unacked = ReadAck();

  auto names = env_.ListDir(options_.dir);
  if (!names) return tl::unexpected(names.error());
  std::vector<std::pair<uint64_t, fs::path>> files;
  for (const auto& name : *names) {
    auto first = spool_format::ParseSegmentName(name);
    if (!first) continue;
    files.emplace_back(*first, options_.dir / name);
  }
  std::sort(files.begin(), files.end());
  next_seq_ = first_unacked;
  for (auto& [first, path] : files) {
    auto seg = std::make_unique<Segment>();
    seg->first_seq = first;
    seg->path = path;
    seg->sealed = true;
    auto file = env_.OpenFile(path, {});
    if (!file) return tl::unexpected(file.error());
    seg->file = std::move(*file);
    if (auto r = RecoverSegment(*seg, first_unacked); !r) return r;
    if (seg->has_records) next_seq_ = std::max(next_seq_, seg->last_seq + 1);
    next_seq_ = std::max(next_seq_, first);
    if (!seg->has_records || seg->last_seq < first_unacked) {
      // Wholly acknowledged (or empty): nothing to keep. A removal that
      // fails leaves a file the next open skips the same way.
      if (auto r = env_.Unlink(path); !r) spdlog::warn("spool: {}", r.error().message);
      dir_dirty_ = true;
      continue;
    }
    segments_.push_back(std::move(seg));
  }
  first_unacked_ = pending_.empty() ? next_seq_ : pending_.front().seq;
  published_ = pending_.size();
  stats_.recovered = pending_.size();
  stats_.pending_events = pending_.size();
  stats_.pending_bytes = pending_bytes_;
  if (!pending_.empty()) {
    spdlog::info("spool {}: {} undelivered events from the previous run", options_.dir.string(),
                 pending_.size());
  }
  return {};
}

Result<void> Spool::RecoverSegment(Segment& seg, uint64_t first_unacked) {
  auto size = seg.file->Size();
  if (!size) return tl::unexpected(size.error());
  uint64_t file_size = *size;
  uint64_t offset = 0;
  uint64_t expect = seg.first_seq;
  std::string buf;
  char bytes[kRecordHeaderBytes];
  while (offset < file_size) {
    spool_format::RecordHeader header;
    bool ok = offset + kRecordHeaderBytes <= file_size &&
              ReadAt(*seg.file, bytes, kRecordHeaderBytes, offset);
    if (ok) header = spool_format::DecodeRecordHeader(bytes);
    uint32_t len = header.payload_bytes;
    ok = ok && len <= spool_format::kMaxRecordPayload &&
         offset + kRecordHeaderBytes + len <= file_size;
    if (ok) {
      buf.resize(len);
      ok = ReadAt(*seg.file, buf.data(), len, offset + kRecordHeaderBytes);
    }
    ok = ok && spool_format::RecordIntact(header, buf) && header.seq == expect;
    if (!ok) {
      // A torn tail (the process died mid-write) or corruption: everything
      // from here on in this segment is unreadable.
      stats_.corrupt.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("spool {}: cutting off an unreadable record at byte {} of {}",
                   options_.dir.string(), offset, seg.path.filename().string());
      if (auto r = seg.file->Truncate(offset); !r) return r;
      break;
    }
    uint64_t seq = header.seq;
    uint32_t record_bytes = static_cast<uint32_t>(kRecordHeaderBytes + len);
    if (seq >= first_unacked) {
      pending_.push_back(
          Index{seq, header.event_seq, &seg, offset, record_bytes, clock_.SteadyNow(), nullptr});
      pending_bytes_ += record_bytes;
    }
    seg.has_records = true;
    seg.last_seq = seq;
    ++expect;
    offset += record_bytes;
  }
  seg.size = offset;
  return {};
}

Result<size_t> Spool::TruncateAfter(uint64_t event_seq) {
  std::lock_guard lock(mu_);
  size_t removed = 0;
  Result<void> result;
  while (!pending_.empty() && pending_.back().event_seq > event_seq) {
    Index& last = pending_.back();
    Segment* seg = last.segment;
    if (auto r = seg->file->Truncate(last.offset); !r) {
      result = r;
      break;
    }
    seg->size = last.offset;
    seg->dirty = true;
    pending_bytes_ -= last.bytes;
    if (last.event) resident_bytes_ -= last.bytes;
    // Sequence numbers stay contiguous in a segment: the next append
    // takes the number of the first record cut off.
    next_seq_ = last.seq;
    const uint64_t seq = last.seq;
    pending_.pop_back();
    ++removed;
    if (!pending_.empty() && pending_.back().segment == seg) {
      seg->last_seq = pending_.back().seq;
    } else {
      seg->has_records = seq > seg->first_seq;
      seg->last_seq = seq - 1;
    }
  }
  DropEmptyTailSegmentsLocked();
  published_ = std::min(published_, pending_.size());
  taken_ = std::min(taken_, published_);
  first_unacked_ = pending_.empty() ? next_seq_ : pending_.front().seq;
  stats_.pending_events = pending_.size();
  stats_.pending_bytes = pending_bytes_;
  if (!result) return tl::unexpected(result.error());
  return removed;
}

void Spool::DropEmptyTailSegmentsLocked() {
  // An emptied segment would otherwise share its name with the next one
  // opened (named by the same next sequence number).
  while (!segments_.empty() && !segments_.back()->has_records &&
         segments_.back()->first_seq >= next_seq_) {
    if (auto r = env_.Unlink(segments_.back()->path); !r) {
      spdlog::warn("spool: {}", r.error().message);
    }
    dir_dirty_ = true;
    segments_.pop_back();
  }
}

Result<void> Spool::OpenNewSegment() {
  if (!segments_.empty() && segments_.back()->first_seq == next_seq_) {
    // The last segment carries this name and has no record (its first write
    // failed and could not be cut off): the new one replaces it, file and
    // all, so one name never stands for two segments.
    segments_.pop_back();
  }
  auto seg = std::make_unique<Segment>();
  seg->first_seq = next_seq_;
  seg->path = options_.dir / spool_format::SegmentName(next_seq_);
  auto file = env_.OpenFile(seg->path, {.create = true, .truncate = true, .append = true});
  if (!file) return tl::unexpected(file.error());
  seg->file = std::move(*file);
  segments_.push_back(std::move(seg));
  dir_dirty_ = true;
  return {};
}

bool Spool::FullLocked(uint64_t bytes) const {
  return !pending_.empty() && pending_bytes_ + bytes > options_.max_bytes;
}

void Spool::DropOldestLocked(uint64_t needed) {
  uint64_t dropped = 0;
  while (FullLocked(needed) && published_ > taken_) {
    auto it = pending_.begin() + static_cast<std::ptrdiff_t>(taken_);
    pending_bytes_ -= it->bytes;
    if (it->event) resident_bytes_ -= it->bytes;
    pending_.erase(it);
    --published_;
    ++dropped;
  }
  if (dropped == 0) return;
  stats_.dropped.fetch_add(dropped, std::memory_order_relaxed);
  dropped_since_log_ += dropped;
  if (auto now = clock_.SteadyNow(); now - last_full_log_ >= kFullLogEvery) {
    last_full_log_ = now;
    spdlog::warn("spool full: {}; dropped the {} oldest undelivered events (overflow: drop-oldest)",
                 options_.dir.string(), dropped_since_log_);
    dropped_since_log_ = 0;
  }
  if (taken_ == 0) {
    first_unacked_ = pending_.empty() ? next_seq_ : pending_.front().seq;
    if (auto r = WriteAckLocked(); !r) {
      // The dropped records come out again after a restart; no loss.
      spdlog::warn("spool {}: {}", options_.dir.string(), r.error().message);
    }
    DeleteSegmentsBehindLocked();
  }
}

Result<void> Spool::Append(const event::EventPtr& ev, uint64_t event_seq) {
  return DoAppend(ev, event_seq, true);
}

Result<void> Spool::TryAppend(const event::EventPtr& ev, uint64_t event_seq) {
  return DoAppend(ev, event_seq, false);
}

bool Spool::WaitForRoom(std::chrono::milliseconds max) {
  std::unique_lock lock(mu_);
  return clock_.WaitFor(lock, room_, max, [&] { return closed_ || !FullLocked(refused_bytes_); });
}

Result<void> Spool::DoAppend(const event::EventPtr& ev, uint64_t event_seq, bool wait) {
  std::string payload = EncodePayload(*ev);
  if (payload.size() > spool_format::kMaxRecordPayload) {
    return Fail(ErrorCode::kRejected,
                "event too large for the spool (" + std::to_string(payload.size()) + " bytes)");
  }
  uint32_t len = static_cast<uint32_t>(payload.size());
  uint32_t bytes = static_cast<uint32_t>(kRecordHeaderBytes + len);

  std::unique_lock lock(mu_);
  if (closed_) return Fail(ErrorCode::kUnavailable, "spool closed");
  if (FullLocked(bytes)) {
    if (options_.overflow == OverflowPolicy::kBlock) {
      stats_.blocked_appends.fetch_add(1, std::memory_order_relaxed);
      if (auto now = clock_.SteadyNow(); now - last_full_log_ >= kFullLogEvery) {
        last_full_log_ = now;
        spdlog::warn("spool full: {} ({} events, {} bytes pending); the watcher waits for room",
                     options_.dir.string(), pending_.size(), pending_bytes_);
      }
      if (!wait) {
        refused_bytes_ = bytes;
        return Fail(ErrorCode::kFull, "spool full");
      }
      clock_.WaitUntil(lock, room_, Clock::SteadyTime::max(),
                       [&] { return closed_ || !FullLocked(bytes); });
      if (closed_) return Fail(ErrorCode::kUnavailable, "spool closed");
    } else {
      DropOldestLocked(bytes);
    }
  }
  if (segments_.empty() || segments_.back()->sealed ||
      segments_.back()->size >= options_.segment_bytes) {
    if (auto r = OpenNewSegment(); !r) return r;
  }
  Segment* seg = segments_.back().get();
  uint64_t seq = next_seq_;
  auto header = spool_format::EncodeRecordHeader(seq, event_seq, payload);
  // One append for header and payload.
  const std::string_view parts[] = {std::string_view(header.data(), header.size()), payload};
  if (auto r = seg->file->Append(parts); !r) {
    // Cut off whatever part went in, so the segment stays whole and the
    // next append (same seq) goes on in it. If even that fails, seal it:
    // the torn tail is cut off at the next open, and later records go to a
    // new segment.
    if (auto cut = seg->file->Truncate(seg->size); !cut) {
      seg->sealed = true;
      spdlog::warn("spool {}: {}", options_.dir.string(), cut.error().message);
    }
    return r;
  }
  Index idx{seq, event_seq, seg, seg->size, bytes, clock_.SteadyNow(), nullptr};
  if (resident_bytes_ + bytes <= options_.memory_bytes) {
    idx.event = ev;
    resident_bytes_ += bytes;
  }
  pending_.push_back(std::move(idx));
  seg->size += bytes;
  seg->last_seq = seq;
  seg->has_records = true;
  seg->dirty = true;
  ++next_seq_;
  pending_bytes_ += bytes;
  stats_.appended.fetch_add(1, std::memory_order_relaxed);
  stats_.pending_events = pending_.size();
  stats_.pending_bytes = pending_bytes_;
  return {};
}

void Spool::Publish() {
  std::unique_lock lock(mu_);
  if (published_ == pending_.size()) return;
  published_ = pending_.size();
  bool wake = readers_waiting_ > 0;  // skip the futex call when nobody waits
  lock.unlock();
  if (wake) readable_.notify_all();
}

void Spool::PublishUpTo(uint64_t event_seq) {
  std::unique_lock lock(mu_);
  size_t before = published_;
  while (published_ < pending_.size() && pending_[published_].event_seq <= event_seq) {
    ++published_;
  }
  bool wake = published_ != before && readers_waiting_ > 0;
  lock.unlock();
  if (wake) readable_.notify_all();
}

Result<void> Spool::Sync() {
  std::vector<std::shared_ptr<File>> files;
  bool dir = false;
  bool ack = false;
  {
    std::lock_guard lock(mu_);
    for (auto& seg : segments_) {
      if (seg->dirty) {
        files.push_back(seg->file);
        seg->dirty = false;  // a write from now on marks it again
      }
    }
    std::swap(dir, dir_dirty_);
    std::swap(ack, ack_dirty_);
  }
  // Outside the lock: the watcher keeps appending and the worker acking.
  Result<void> result;
  std::vector<File*> failed;
  for (auto& file : files) {
    if (auto r = file->Sync(); !r) {
      failed.push_back(file.get());
      if (result) result = r;
    }
  }
  if (dir) {
    if (auto r = env_.SyncDir(options_.dir); !r) {
      if (result) result = r;
    } else {
      dir = false;
    }
  }
  if (ack) {
    if (auto r = ack_file_->Sync(); !r) {
      if (result) result = r;
    } else {
      ack = false;
    }
  }
  if (!result) {
    std::lock_guard lock(mu_);
    for (auto& seg : segments_) {
      if (std::find(failed.begin(), failed.end(), seg->file.get()) != failed.end()) {
        seg->dirty = true;
      }
    }
    dir_dirty_ = dir_dirty_ || dir;
    ack_dirty_ = ack_dirty_ || ack;
  }
  return result;
}

event::EventPtr Spool::LoadLocked(const Index& idx) {
  if (idx.event) return idx.event;
  std::string record(idx.bytes, '\0');
  if (!ReadAt(*idx.segment->file, record.data(), record.size(), idx.offset)) return nullptr;
  auto header = spool_format::DecodeRecordHeader(record.data());
  std::string_view payload = std::string_view(record).substr(kRecordHeaderBytes);
  if (!spool_format::RecordIntact(header, payload)) return nullptr;
  auto ev = DecodePayload(payload, decoder_);
  if (!ev) return nullptr;
  return std::make_shared<const event::Event>(std::move(*ev));
}

std::vector<Entry> Spool::Take(size_t max_events, size_t max_bytes,
                               std::chrono::milliseconds linger, Clock::SteadyTime give_up) {
  max_events = std::max<size_t>(max_events, 1);
  std::unique_lock lock(mu_);
  for (;;) {
    size_t avail = published_ - taken_;
    if (avail > 0) {
      if (avail >= max_events || closed_ || interrupted_) break;
      uint64_t bytes = 0;
      for (size_t i = taken_; i < published_ && bytes < max_bytes; ++i) bytes += pending_[i].bytes;
      if (bytes >= max_bytes) break;
      auto ready_at = Clock::Later(pending_[taken_].appended, linger);
      auto now = clock_.SteadyNow();
      if (now >= ready_at || now >= give_up) break;
      // Until more is readable (or the batch handed out comes back), or
      // a close; the loop decides again.
      ++readers_waiting_;
      clock_.WaitUntil(lock, readable_, std::min(ready_at, give_up),
                       [&] { return published_ - taken_ != avail || closed_ || interrupted_; });
      --readers_waiting_;
      continue;
    }
    if (closed_ || interrupted_ || clock_.SteadyNow() >= give_up) {
      interrupted_ = false;
      return {};
    }
    ++readers_waiting_;
    clock_.WaitUntil(lock, readable_, give_up,
                     [&] { return published_ > taken_ || closed_ || interrupted_; });
    --readers_waiting_;
  }
  interrupted_ = false;
  std::vector<Entry> out;
  uint64_t bytes = 0;
  size_t first = taken_;
  while (taken_ < published_ && out.size() < max_events) {
    Index& idx = pending_[taken_];
    if (taken_ > first && bytes + idx.bytes > max_bytes) break;
    bytes += idx.bytes;
    ++taken_;
    event::EventPtr ev = LoadLocked(idx);
    if (!ev) {
      stats_.corrupt.fetch_add(1, std::memory_order_relaxed);
      spdlog::error("spool {}: record {} cannot be read back; skipping it", options_.dir.string(),
                    idx.seq);
      continue;
    }
    out.push_back(Entry{idx.seq, std::move(ev), idx.bytes, idx.appended});
  }
  return out;
}

Result<void> Spool::Ack() {
  Result<void> result;
  {
    std::lock_guard lock(mu_);
    if (taken_ == 0) return {};
    for (size_t i = 0; i < taken_; ++i) {
      pending_bytes_ -= pending_.front().bytes;
      if (pending_.front().event) resident_bytes_ -= pending_.front().bytes;
      pending_.pop_front();
    }
    stats_.acked.fetch_add(taken_, std::memory_order_relaxed);
    published_ -= taken_;
    taken_ = 0;
    first_unacked_ = pending_.empty() ? next_seq_ : pending_.front().seq;
    result = WriteAckLocked();
    // Removing segments behind an ack that did not reach the disk is safe:
    // the records in them are done either way.
    DeleteSegmentsBehindLocked();
    stats_.pending_events = pending_.size();
    stats_.pending_bytes = pending_bytes_;
  }
  room_.notify_all();
  return result;
}

void Spool::DeleteSegmentsBehindLocked() {
  // Keep the segment being written; delete older ones wholly acknowledged.
  while (segments_.size() > 1) {
    Segment& seg = *segments_.front();
    if (seg.has_records && seg.last_seq >= first_unacked_) break;
    // A removal that fails leaves a file the next open removes (its
    // records are all behind the ack).
    if (auto r = env_.Unlink(seg.path); !r) spdlog::warn("spool: {}", r.error().message);
    dir_dirty_ = true;
    segments_.pop_front();
  }
}

void Spool::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  room_.notify_all();
  readable_.notify_all();
}

void Spool::Reopen() {
  std::lock_guard lock(mu_);
  closed_ = false;
  taken_ = 0;  // the stopped worker's unacknowledged batch comes out again, first
}

void Spool::Interrupt() {
  {
    std::lock_guard lock(mu_);
    interrupted_ = true;
  }
  readable_.notify_all();
}

bool Spool::Empty() const {
  std::lock_guard lock(mu_);
  return pending_.empty();
}

std::optional<uint64_t> Spool::OldestPendingEventSeq() const {
  std::lock_guard lock(mu_);
  if (pending_.empty()) return std::nullopt;
  return pending_.front().event_seq;
}

bool Spool::NothingReadable() const {
  std::lock_guard lock(mu_);
  return published_ == 0;
}

}  // namespace kv::delivery
