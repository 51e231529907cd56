#include "kube/checkpoint.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "kube/checkpoint_mirror.h"
#include "util/files.h"
#include "util/json_writer.h"

namespace kv::kube {

namespace {

// Journal lines: "<jseq> <type> <eventSeq> <position|-> [<uid> <rv> <count>
// <seriesCount> <lastSeenMicros>]\n" with type S (seen), F (forgotten) or
// P (position). uids and resourceVersions never contain spaces.
std::string Dash(const std::string& s) { return s.empty() ? "-" : s; }
std::string Undash(std::string_view s) { return s == "-" ? "" : std::string(s); }

template <typename T>
bool ParseNum(std::string_view s, T* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::vector<std::string_view> Split(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= line.size()) {
    size_t sp = line.find(' ', start);
    if (sp == std::string_view::npos) sp = line.size();
    out.push_back(line.substr(start, sp - start));
    start = sp + 1;
  }
  return out;
}

}  // namespace

std::optional<uint64_t> NumericVersion(std::string_view rv) {
  uint64_t n = 0;
  if (rv.empty() || !ParseNum(rv, &n)) return std::nullopt;
  return n;
}

Checkpoint ClusterView(const Checkpoint& cp, size_t recent) {
  Checkpoint view;
  view.resource_version = cp.resource_version;
  view.event_seq = cp.event_seq;
  view.journal_seq = cp.journal_seq;
  view.writer = cp.writer;
  view.handovers = cp.handovers;
  view.skip_before_micros = cp.skip_before_micros;
  auto watermark = NumericVersion(cp.resource_version);
  // Entries at or below the watermark, by version: the newest `recent`
  // of them are kept.
  std::vector<std::pair<uint64_t, const EmittedSet::Map::value_type*>> below;
  for (const auto& entry : cp.emitted) {
    const EmittedSet::State& st = entry.second;
    auto v = NumericVersion(st.resource_version);
    if (watermark && v && *v <= *watermark) {
      below.emplace_back(*v, &entry);
      continue;
    }
    // Without a resume point the first list's cutoff re-derives what it
    // skipped as too old.
    if (cp.skip_before_micros != 0 && st.last_seen_micros < cp.skip_before_micros &&
        cp.resource_version.empty()) {
      continue;
    }
    view.emitted.insert(entry);
  }
  if (below.size() > recent) {
    std::nth_element(below.begin(), below.begin() + static_cast<std::ptrdiff_t>(recent),
                     below.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    below.resize(recent);
  }
  for (const auto& [v, entry] : below) view.emitted.insert(*entry);
  return view;
}

std::string EncodeCheckpoint(const Checkpoint& cp) {
  std::string out;
  out.reserve(64 + cp.emitted.size() * 96);
  json::Writer w(&out);
  w.BeginObject();
  w.Key("version");
  w.Int(1);
  w.Key("resourceVersion");
  w.String(cp.resource_version);
  w.Key("eventSeq");
  w.Int(static_cast<int64_t>(cp.event_seq));
  w.Key("journalSeq");
  w.Int(static_cast<int64_t>(cp.journal_seq));
  if (!cp.writer.empty()) {
    w.Key("writer");
    w.String(cp.writer);
  }
  if (!cp.handovers.empty()) {
    w.Key("handovers");
    w.BeginArray();
    for (const auto& h : cp.handovers) {
      w.BeginArray();
      w.String(h.writer);
      w.Int(static_cast<int64_t>(h.event_seq));
      w.EndArray();
    }
    w.EndArray();
  }
  if (cp.skip_before_micros != 0) {
    w.Key("skipBeforeMicros");
    w.Int(cp.skip_before_micros);
  }
  w.Key("emitted");
  w.BeginArray();
  for (const auto& [uid, st] : cp.emitted) {
    w.BeginArray();
    w.String(uid);
    w.String(st.resource_version);
    w.Int(st.count);
    w.Int(st.series_count);
    w.Int(st.last_seen_micros);
    w.EndArray();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

Result<Checkpoint> DecodeCheckpoint(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err) {
    return Fail(ErrorCode::kCorrupt,
                std::string("checkpoint is not JSON: ") + simdjson::error_message(err));
  }
  int64_t version = 0;
  if (root["version"].get(version) != simdjson::SUCCESS || version != 1) {
    return Fail(ErrorCode::kCorrupt, "checkpoint has no or an unknown version");
  }
  Checkpoint cp;
  std::string_view rv;
  int64_t eseq = 0, jseq = 0;
  simdjson::dom::array emitted;
  if (root["resourceVersion"].get(rv) != simdjson::SUCCESS ||
      root["eventSeq"].get(eseq) != simdjson::SUCCESS ||
      root["journalSeq"].get(jseq) != simdjson::SUCCESS ||
      root["emitted"].get(emitted) != simdjson::SUCCESS || eseq < 0 || jseq < 0) {
    return Fail(ErrorCode::kCorrupt,
                "checkpoint lacks resourceVersion, eventSeq, journalSeq or "
                "emitted");
  }
  std::string_view writer;
  if (root["writer"].get(writer) == simdjson::SUCCESS) cp.writer = writer;
  simdjson::dom::array handovers;
  if (root["handovers"].get(handovers) == simdjson::SUCCESS) {
    for (auto item : handovers) {
      simdjson::dom::array a;
      std::string_view who;
      int64_t seq = 0;
      if (item.get(a) != simdjson::SUCCESS || a.size() != 2 || a.at(0).get(who) ||
          a.at(1).get(seq) || seq < 0) {
        return Fail(ErrorCode::kCorrupt, "checkpoint has a malformed handover entry");
      }
      cp.handovers.push_back({std::string(who), static_cast<uint64_t>(seq)});
    }
  }
  int64_t skip_before = 0;
  if (root["skipBeforeMicros"].get(skip_before) == simdjson::SUCCESS) {
    cp.skip_before_micros = skip_before;
  }
  cp.resource_version = rv;
  cp.event_seq = static_cast<uint64_t>(eseq);
  cp.journal_seq = static_cast<uint64_t>(jseq);
  for (auto item : emitted) {
    simdjson::dom::array a;
    std::string_view uid, erv;
    int64_t count = 0, series = 0, last = 0;
    if (item.get(a) != simdjson::SUCCESS || a.size() != 5 || a.at(0).get(uid) || a.at(1).get(erv) ||
        a.at(2).get(count) || a.at(3).get(series) || a.at(4).get(last)) {
      return Fail(ErrorCode::kCorrupt, "checkpoint has a malformed emitted entry");
    }
    EmittedSet::State st;
    st.resource_version = erv;
    st.count = static_cast<int32_t>(count);
    st.series_count = static_cast<int32_t>(series);
    st.last_seen_micros = last;
    cp.emitted[std::string(uid)] = std::move(st);
  }
  return cp;
}

Result<std::optional<Checkpoint>> FileCheckpointStore::Load() {
  // Only a file that is surely absent is a first start; a failing stat is
  // an error (taking it for a first start would relist and drop old events).
  auto exists = env_.FileExists(path_);
  if (!exists) return tl::unexpected(exists.error());
  if (!*exists) return std::optional<Checkpoint>();
  auto text = env_.ReadFile(path_);
  if (!text) return tl::unexpected(text.error());
  auto cp = DecodeCheckpoint(*text);
  if (!cp) return Fail(ErrorCode::kCorrupt, path_.string() + ": " + cp.error().message);
  return std::optional<Checkpoint>(std::move(*cp));
}

Result<void> FileCheckpointStore::Save(const Checkpoint& cp) {
  return files::WriteAtomic(env_, path_, EncodeCheckpoint(cp));
}

Checkpointer::Checkpointer(std::unique_ptr<CheckpointStore> store, CheckpointerOptions options,
                           Env& env, Clock& clock)
    : store_(std::move(store)), options_(std::move(options)), env_(env), clock_(clock) {}

Checkpointer::~Checkpointer() = default;

Result<std::unique_ptr<Checkpointer>> Checkpointer::Open(std::unique_ptr<CheckpointStore> store,
                                                         CheckpointerOptions options, Env& env,
                                                         Clock& clock) {
  std::unique_ptr<Checkpointer> cp(
      new Checkpointer(std::move(store), std::move(options), env, clock));
  auto loaded = cp->store_->Load();
  if (!loaded) return tl::unexpected(loaded.error());
  if (*loaded) {
    cp->recovered_ = std::move(**loaded);
    cp->had_state_ = true;
  }
  // A failure here shows as the open's failure just below.
  (void)env.CreateDirs(cp->options_.journal.parent_path());
  auto journal = env.OpenFile(cp->options_.journal, {.create = true, .append = true});
  if (!journal) return tl::unexpected(journal.error());
  cp->journal_ = std::move(*journal);
  auto text = env.ReadFile(cp->options_.journal);
  if (!text) return tl::unexpected(text.error());
  if (auto r = cp->Replay(*text); !r) return tl::unexpected(r.error());
  auto size = cp->journal_->Size();
  if (!size) return tl::unexpected(size.error());
  cp->journal_bytes_ = *size;
  cp->event_seq_ = cp->recovered_.event_seq;
  cp->skip_before_micros_ = cp->recovered_.skip_before_micros;
  cp->committed_seq_ = cp->event_seq_;
  cp->journal_seq_ = cp->recovered_.journal_seq;
  cp->last_snapshot_ = clock.SteadyNow();
  cp->last_snapshot_wall_ = clock.WallNow();
  return cp;
}

Result<void> Checkpointer::Replay(const std::string& text) {
  Checkpoint& cp = recovered_;
  size_t start = 0;
  uint64_t lines = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    bool ok = nl != std::string::npos;
    std::vector<std::string_view> f;
    uint64_t jseq = 0, eseq = 0;
    if (ok) {
      f = Split(std::string_view(text).substr(start, nl - start));
      ok = f.size() >= 4 && ParseNum(f[0], &jseq) && ParseNum(f[2], &eseq) && f[1].size() == 1;
    }
    EmittedSet::State st;
    if (ok && f[1] == "S") {
      ok = f.size() == 9 && ParseNum(f[6], &st.count) && ParseNum(f[7], &st.series_count) &&
           ParseNum(f[8], &st.last_seen_micros);
      if (ok) st.resource_version = Undash(f[5]);
    } else if (ok && f[1] == "F") {
      ok = f.size() == 5;
    } else if (ok) {
      ok = f[1] == "P" && f.size() == 4;
    }
    if (!ok) {
      // A torn last line (the process died mid-write): cut it off.
      spdlog::warn("checkpoint journal {}: cutting off an unreadable line at byte {}",
                   options_.journal.string(), start);
      if (auto r = journal_->Truncate(start); !r) return r;
      break;
    }
    start = nl + 1;
    if (jseq <= cp.journal_seq) continue;  // already folded into the snapshot
    cp.journal_seq = jseq;
    cp.event_seq = std::max(cp.event_seq, eseq);
    cp.resource_version = Undash(f[3]);
    if (f[1] == "S") cp.emitted[std::string(f[4])] = std::move(st);
    if (f[1] == "F") cp.emitted.erase(std::string(f[4]));
    ++lines;
    had_state_ = true;
  }
  lines_since_snapshot_ = lines;
  return {};
}

Checkpoint Checkpointer::TakeRecovered() { return std::move(recovered_); }

Result<void> Checkpointer::Append(uint64_t jseq, const std::string& line,
                                  const std::string& position,
                                  const std::function<void()>& mirror_update) {
  if (abandoned_) return {};
  if (journal_torn_) {
    // A failed write left part of a line: cut it before anything follows.
    if (auto r = journal_->Truncate(journal_bytes_); !r) return r;
    journal_torn_ = false;
  }
  auto written = journal_->Append(line);
  if (written && options_.fsync_every_line) written = journal_->Sync();
  if (!written) {
    // Nothing is committed: take the line back off (the caller rolls back
    // the event's spool records and tries again later).
    journal_torn_ = !journal_->Truncate(journal_bytes_);
    return written;
  }
  journal_bytes_ += line.size();
  journal_seq_ = jseq;
  committed_seq_ = event_seq_;
  if (mirror_) {
    if (mirror_update) mirror_update();
    mirror_->Committed(position, committed_seq_, journal_seq_);
  }
  last_commit_micros_.store(
      std::chrono::duration_cast<std::chrono::microseconds>(clock_.WallNow().time_since_epoch())
          .count());
  ++lines_since_snapshot_;
  return {};
}

bool Checkpointer::SnapshotDue() const {
  return lines_since_snapshot_ >= options_.compact_lines ||
         clock_.SteadyNow() - last_snapshot_ >= options_.compact_interval;
}

Result<void> Checkpointer::Seen(const std::string& uid, const EmittedSet::State& state,
                                const std::string& position) {
  const uint64_t jseq = journal_seq_ + 1;
  std::string line = std::to_string(jseq) + " S " + std::to_string(event_seq_) + " " +
                     Dash(position) + " " + uid + " " + Dash(state.resource_version) + " " +
                     std::to_string(state.count) + " " + std::to_string(state.series_count) + " " +
                     std::to_string(state.last_seen_micros) + "\n";
  return Append(jseq, line, position, [&] { mirror_->Seen(uid, state); });
}

Result<void> Checkpointer::Forgotten(const std::string& uid, const std::string& position) {
  const uint64_t jseq = journal_seq_ + 1;
  std::string line = std::to_string(jseq) + " F " + std::to_string(event_seq_) + " " +
                     Dash(position) + " " + uid + "\n";
  return Append(jseq, line, position, [&] { mirror_->Forgotten(uid); });
}

Result<void> Checkpointer::Position(const std::string& position) {
  const uint64_t jseq = journal_seq_ + 1;
  std::string line =
      std::to_string(jseq) + " P " + std::to_string(event_seq_) + " " + Dash(position) + "\n";
  return Append(jseq, line, position, nullptr);
}

Checkpoint Checkpointer::Current(const std::string& position, const EmittedSet& all) const {
  Checkpoint cp;
  cp.resource_version = position;
  cp.event_seq = event_seq_;
  cp.journal_seq = journal_seq_;
  cp.emitted = all.entries();
  cp.writer = writer_;
  cp.handovers = handovers_;
  cp.skip_before_micros = skip_before_micros_;
  return cp;
}

Result<void> Checkpointer::Snapshot(const std::string& position, const EmittedSet& all) {
  if (abandoned_) return Fail(ErrorCode::kInternal, "an event was abandoned at shutdown");
  if (event_seq_ != committed_seq_) {
    // Events handed to spools but not yet journaled: a snapshot must not
    // cover them before their own commit (the caller journals them next).
    return Fail(ErrorCode::kInternal, "events in flight");
  }
  Checkpoint cp = Current(position, all);
  if (auto r = store_->Save(cp); !r) {
    // Try again only after a while: each try encodes the whole state.
    last_snapshot_ = clock_.SteadyNow();
    lines_since_snapshot_ = 0;
    return r;
  }
  if (mirror_) {
    // A relist may have changed the set wholesale.
    mirror_->Replace(cp.emitted);
    mirror_->Committed(position, committed_seq_, journal_seq_);
  }
  // Every journal line is in the snapshot now (which is durable, so the
  // cut may be lost in a power loss: replay skips lines the snapshot has).
  if (auto r = journal_->Truncate(0); !r) {
    spdlog::warn("{}", r.error().message);
  } else {
    journal_bytes_ = 0;
    journal_torn_ = false;
  }
  lines_since_snapshot_ = 0;
  last_snapshot_ = clock_.SteadyNow();
  last_snapshot_wall_ = clock_.WallNow();
  return {};
}

Result<void> Checkpointer::Sync() {
  if (!journal_) return {};
  return journal_->Sync();
}

}  // namespace kv::kube
