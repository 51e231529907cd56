#include "app/redrive.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <limits>

#include "app/config.h"
#include "app/data_dir.h"
#include "delivery/hub.h"
#include "delivery/spool.h"
#include "kube/checkpoint.h"
#include "server/metrics.h"
#include "util/files.h"
#include "util/log.h"
#include "util/time.h"

namespace kv::app {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPendingSuffix = ".redrive-pending";
constexpr std::string_view kRestSuffix = ".rest";

fs::path WithSuffix(const fs::path& p, std::string_view suffix) {
  fs::path out = p;
  out += std::string(suffix);
  return out;
}

// The files of one receiver's dead letters.
struct Files {
  std::string name;  // the receiver's directory name (Hub::DirName)
  fs::path dir;
  fs::path live;  // R.jsonl
  fs::path old;   // R.jsonl.1
  fs::path rest;
  fs::path pending;
};

Files FilesOf(const fs::path& data_dir, const std::string& dir_name) {
  Files f;
  f.name = dir_name;
  f.dir = data_dir / "deadletter";
  f.live = f.dir / (dir_name + ".jsonl");
  f.old = WithSuffix(f.live, ".1");
  f.rest = WithSuffix(f.live, kRestSuffix);
  f.pending = WithSuffix(f.live, kPendingSuffix);
  return f;
}

struct Pending {
  std::string stamp;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
};

std::string EncodePending(const Pending& p) {
  return p.stamp + " " + std::to_string(p.first_seq) + " " + std::to_string(p.last_seq) + "\n";
}

std::optional<Pending> DecodePending(std::string_view text) {
  Pending p;
  size_t a = text.find(' ');
  if (a == std::string_view::npos) return std::nullopt;
  size_t b = text.find(' ', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  size_t end = text.find('\n', b + 1);
  if (end == std::string_view::npos) end = text.size();
  p.stamp = std::string(text.substr(0, a));
  auto num = [](std::string_view s, uint64_t* out) {
    auto [e, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && e == s.data() + s.size();
  };
  if (p.stamp.empty() || !num(text.substr(a + 1, b - a - 1), &p.first_seq) ||
      !num(text.substr(b + 1, end - b - 1), &p.last_seq)) {
    return std::nullopt;
  }
  return p;
}

Result<bool> Exists(Env& env, const fs::path& p) { return env.FileExists(p); }

constexpr std::string_view kHistoryName = "redrive-history.jsonl";

std::string EncodeRecord(const RedriveRecord& r) {
  return "{\"receiver\":\"" + r.receiver_dir + "\",\"stamp\":\"" + r.stamp +
         "\",\"firstEventSeq\":" + std::to_string(r.first_event_seq) +
         ",\"lastEventSeq\":" + std::to_string(r.last_event_seq) + "}\n";
}

// Adds `record` to the redrive history unless a line with its receiver and
// stamp is there (a rotation finished after a crash comes here twice).
// Rewritten whole and atomically: it holds one short line per redrive.
Result<void> RecordInHistory(const fs::path& dir, const RedriveRecord& record, Env& env) {
  const fs::path path = dir / std::string(kHistoryName);
  auto there = Exists(env, path);
  if (!there) return tl::unexpected(there.error());
  std::string text;
  if (*there) {
    auto read = env.ReadFile(path);
    if (!read) return tl::unexpected(read.error());
    text = std::move(*read);
    if (!text.empty() && text.back() != '\n') text.push_back('\n');
  }
  auto known = ParseRedriveHistory(text);
  for (const auto& r : known) {
    if (r.receiver_dir == record.receiver_dir && r.stamp == record.stamp) return {};
  }
  return files::WriteAtomic(env, path, text + EncodeRecord(record));
}

// Step 4: the dead-letter files become `.redriven-<stamp>` and the rest
// file takes the live name. Idempotent: while the rest file exists, the
// live file (if any) is still the original one.
Result<void> FinishRotation(const Files& f, const Pending& p, Env& env,
                            std::vector<fs::path>* moved) {
  auto rest = Exists(env, f.rest);
  if (!rest) return tl::unexpected(rest.error());
  if (*rest) {
    for (const fs::path* from : {&f.old, &f.live}) {
      auto there = Exists(env, *from);
      if (!there) return tl::unexpected(there.error());
      if (!*there) continue;
      fs::path to = WithSuffix(*from, ".redriven-" + p.stamp);
      if (auto r = env.Rename(*from, to); !r) return r;
      if (moved) moved->push_back(to);
    }
    if (auto r = env.SyncDir(f.dir); !r) return r;
    if (auto r = env.Rename(f.rest, f.live); !r) return r;
    if (auto r = env.SyncDir(f.dir); !r) return r;
  }
  // Before the pending file goes, so a crash here records it on the retry.
  const RedriveRecord record{f.name, p.stamp, p.first_seq, p.last_seq};
  if (auto r = RecordInHistory(f.dir, record, env); !r) return r;
  if (auto r = env.Unlink(f.pending); !r) return r;
  return env.SyncDir(f.dir);
}

// Settles one pending file (see redrive.h).
Result<void> Resolve(const Files& f, uint64_t committed_event_seq, Env& env) {
  auto text = env.ReadFile(f.pending);
  if (!text) return tl::unexpected(text.error());
  auto p = DecodePending(*text);
  if (!p || committed_event_seq < p->last_seq) {
    // Never committed (a pending file is synced whole before the spool is
    // touched, so an unreadable one is from before the commit too): the
    // dead-letter files are untouched and the spool records are cut.
    spdlog::warn("{}: a redrive stopped before its commit; its dead letters stay where they were",
                 f.pending.string());
    auto rest = Exists(env, f.rest);
    if (!rest) return tl::unexpected(rest.error());
    if (*rest) {
      if (auto r = env.Unlink(f.rest); !r) return r;
    }
    if (auto r = env.Unlink(f.pending); !r) return r;
    return env.SyncDir(f.dir);
  }
  spdlog::warn("{}: a redrive stopped after its commit; finishing its rotation",
               f.pending.string());
  return FinishRotation(f, *p, env, nullptr);
}

// One dead-letter line, read.
struct Line {
  std::string text;  // with its newline
  bool readable = false;
  int64_t time_micros = 0;
  std::string key;
  std::string api_group;
  std::string event_json;
};

Line ReadLine(std::string_view text, simdjson::dom::parser& parser) {
  Line line;
  line.text = std::string(text);
  line.text.push_back('\n');
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size()).get(root)) return line;
  std::string_view time, key, group;
  simdjson::dom::element ev;
  if (root["time"].get(time) || root["idempotencyKey"].get(key) || root["event"].get(ev)) {
    return line;
  }
  auto micros = timeutil::ParseRfc3339Micros(time);
  if (!micros) return line;
  if (root["apiGroup"].get(group) == simdjson::SUCCESS) line.api_group = group;
  line.time_micros = *micros;
  line.key = key;
  line.event_json = simdjson::minify(ev);
  line.readable = true;
  return line;
}

// The lines of `path` (none if it does not exist), oldest first. A torn
// last line (no newline) is read as a line too (kept if unreadable).
Result<std::vector<Line>> ReadLines(Env& env, const fs::path& path, simdjson::dom::parser& parser) {
  std::vector<Line> out;
  auto there = env.FileExists(path);
  if (!there) return tl::unexpected(there.error());
  if (!*there) return out;
  auto text = env.ReadFile(path);
  if (!text) return tl::unexpected(text.error());
  std::string_view all = *text;
  size_t start = 0;
  while (start < all.size()) {
    size_t nl = all.find('\n', start);
    if (nl == std::string_view::npos) nl = all.size();
    if (nl > start) out.push_back(ReadLine(all.substr(start, nl - start), parser));
    start = nl + 1;
  }
  return out;
}

std::string Stamp(Clock::WallTime now) {
  // 20260102T030405.123456Z: sortable, no colons (a file name).
  int64_t micros = timeutil::ToMicros(now);
  std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(micros % 1000000));
  return buf;
}

}  // namespace

std::optional<int64_t> ParseSince(std::string_view text, Clock::WallTime now) {
  if (auto t = timeutil::ParseRfc3339Micros(text)) return t;
  if (text.size() < 2) return std::nullopt;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (ec != std::errc() || end != text.data() + text.size() - 1 || n < 0) return std::nullopt;
  int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return std::nullopt;
  }
  if (n > std::numeric_limits<int64_t>::max() / unit / 1000000) return std::nullopt;
  return timeutil::ToMicros(now) - n * unit * 1000000;
}

Result<size_t> ResolveInterruptedRedrives(const fs::path& data_dir, uint64_t committed_event_seq,
                                          Env& env) {
  const fs::path dir = data_dir / "deadletter";
  auto there = env.FileExists(dir);
  if (!there) return tl::unexpected(there.error());
  if (!*there) return size_t{0};
  auto names = env.ListDir(dir);
  if (!names) return tl::unexpected(names.error());
  size_t found = 0;
  for (const auto& name : *names) {
    const std::string want = ".jsonl" + std::string(kPendingSuffix);
    if (name.size() <= want.size() || name.compare(name.size() - want.size(), want.size(), want)) {
      continue;
    }
    ++found;
    Files f = FilesOf(data_dir, name.substr(0, name.size() - want.size()));
    if (auto r = Resolve(f, committed_event_seq, env); !r) return tl::unexpected(r.error());
  }
  return found;
}

std::vector<RedriveRecord> ParseRedriveHistory(std::string_view text) {
  std::vector<RedriveRecord> out;
  simdjson::dom::parser parser;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    simdjson::dom::element root;
    std::string_view receiver, stamp;
    uint64_t first = 0, last = 0;
    if (line.empty() || parser.parse(line.data(), line.size()).get(root) ||
        root["receiver"].get(receiver) || root["stamp"].get(stamp) ||
        root["firstEventSeq"].get(first) || root["lastEventSeq"].get(last) || last < first) {
      continue;  // a line this version cannot read is left alone
    }
    out.push_back({std::string(receiver), std::string(stamp), first, last});
  }
  return out;
}

Result<std::vector<RedriveRecord>> ReadRedriveHistory(const fs::path& data_dir, Env& env) {
  const fs::path path = data_dir / "deadletter" / std::string(kHistoryName);
  auto there = Exists(env, path);
  if (!there) return tl::unexpected(there.error());
  if (!*there) return std::vector<RedriveRecord>{};
  auto text = env.ReadFile(path);
  if (!text) return tl::unexpected(text.error());
  return ParseRedriveHistory(*text);
}

void ReportRedrives(const fs::path& data_dir, const delivery::Hub& hub, server::Registry& registry,
                    Env& env) {
  auto history = ReadRedriveHistory(data_dir, env);
  if (!history) {
    spdlog::warn("dead letters: the redrive history cannot be read: {}", history.error().message);
    return;
  }
  if (history->empty()) return;
  auto family = registry.AddCounterFamily(
      "deadletter_redriven_events_total",
      "Dead-lettered events queued again by `kubevents redrive` (from the data dir's redrive "
      "history, so it survives restarts).",
      {"receiver"});
  for (size_t i = 0; i < hub.size(); ++i) {
    const std::string dir = delivery::Hub::DirName(hub.name(i));
    const auto oldest = hub.spool(i).OldestPendingEventSeq();
    uint64_t total = 0;
    for (const auto& r : *history) {
      if (r.receiver_dir != dir) continue;
      total += r.events();
      // The spool is in event-seq order, so a pending record at or before
      // the redrive's last one means the redrive's records are not all
      // delivered yet.
      if (oldest && *oldest <= r.last_event_seq) {
        spdlog::info(
            "receiver {}: delivering the {} dead letters queued again by kubevents redrive at {} "
            "(event seqs {}..{}), with their original idempotency keys",
            hub.name(i), r.events(), r.stamp, r.first_event_seq, r.last_event_seq);
      }
    }
    if (total > 0 && family) (*family)->WithLabels({hub.name(i)}).Inc(total);
  }
}

Result<RedriveReport> Redrive(const fs::path& data_dir, const RedriveOptions& options,
                              kube::Checkpointer& checkpointer, Env& env, Clock& clock) {
  const std::string dir_name = delivery::Hub::DirName(options.receiver);
  const Files f = FilesOf(data_dir, dir_name);
  RedriveReport report;

  if (!checkpointer.had_state()) {
    // Dead letters come from a run, which leaves a checkpoint; committing
    // into none would make the next start take an empty one for its own
    // (and skip the first start's maxEventAge cutoff).
    return Fail(ErrorCode::kNotFound,
                "no checkpoint in " + data_dir.string() + ": not the data dir of a kubevents run");
  }
  // What an interrupted redrive left is settled first (see redrive.h); a
  // dry run changes nothing, so it only says so.
  const uint64_t committed = checkpointer.committed_event_seq();
  if (options.dry_run) {
    auto pending = env.FileExists(f.pending);
    if (!pending) return tl::unexpected(pending.error());
    if (*pending) {
      return Fail(ErrorCode::kIo,
                  "an interrupted redrive is pending (" + f.pending.string() +
                      "): redrive without --dry-run, or kubevents run, settles it first");
    }
  } else if (auto r = ResolveInterruptedRedrives(data_dir, committed, env); !r) {
    return tl::unexpected(r.error());
  }

  simdjson::dom::parser parser;
  std::vector<Line> lines;
  for (const fs::path* p : {&f.old, &f.live}) {
    auto read = ReadLines(env, *p, parser);
    if (!read) return tl::unexpected(read.error());
    for (auto& l : *read) lines.push_back(std::move(l));
  }
  std::string rest;
  std::vector<const Line*> selected;
  for (const Line& l : lines) {
    if (!l.readable) {
      ++report.unreadable;
      rest += l.text;
    } else if (options.since_micros && l.time_micros < *options.since_micros) {
      ++report.kept;
      rest += l.text;
    } else {
      selected.push_back(&l);
    }
  }
  report.selected = selected.size();
  if (!selected.empty()) {
    report.first_key = selected.front()->key;
    report.last_key = selected.back()->key;
  }
  if (options.dry_run || selected.empty()) return report;

  // Decode everything before anything is written.
  event::Decoder decoder(event::ApiGroup::kCore, /*keep_raw=*/false);
  std::vector<event::EventPtr> events;
  for (const Line* l : selected) {
    auto ev = decoder.DecodeEvent(l->event_json);
    if (!ev) {
      return Fail(ErrorCode::kCorrupt,
                  f.live.string() + ": the event of " + l->key + ": " + ev.error().message);
    }
    if (!l->api_group.empty()) {
      ev->api_group = l->api_group;
    } else if (options.default_api == event::ApiGroup::kEventsV1) {
      ev->api_group = "events.k8s.io";
    }
    if (ev->IdempotencyKey() != l->key) {
      return Fail(ErrorCode::kCorrupt, f.live.string() + ": the event of " + l->key +
                                           " has the key " + ev->IdempotencyKey());
    }
    events.push_back(std::make_shared<const event::Event>(std::move(*ev)));
  }

  // The spool, without records an earlier crash left uncommitted (as
  // Hub::Recover at a start), and without a size cap: these events were
  // accepted once already; the next run's worker drains them.
  delivery::SpoolOptions so;
  so.dir = data_dir / "spool" / dir_name;
  so.max_bytes = std::numeric_limits<uint64_t>::max() / 2;
  so.fsync = delivery::FsyncPolicy::kAlways;
  auto spool = delivery::Spool::Open(so, env, clock);
  if (!spool) return tl::unexpected(spool.error());
  if (auto cut = (*spool)->TruncateAfter(committed); !cut) return tl::unexpected(cut.error());

  // Step 1: the rest and the pending file.
  Pending pending;
  pending.stamp = Stamp(clock.WallNow());
  pending.first_seq = committed + 1;
  pending.last_seq = committed + events.size();
  if (auto r = files::WriteAtomic(env, f.rest, rest); !r) return tl::unexpected(r.error());
  if (auto r = files::WriteAtomic(env, f.pending, EncodePending(pending)); !r) {
    return tl::unexpected(r.error());
  }
  // Step 2: the records, synced.
  for (const auto& ev : events) {
    const uint64_t seq = checkpointer.NextEventSeq();
    if (auto r = (*spool)->Append(ev, seq); !r) return tl::unexpected(r.error());
  }
  if (auto r = (*spool)->Sync(); !r) return tl::unexpected(r.error());
  // Step 3: the commit: one journal line with the new event seq (the
  // resume point unchanged), synced.
  const std::string position = checkpointer.TakeRecovered().resource_version;
  if (auto r = checkpointer.Position(position); !r) return tl::unexpected(r.error());
  if (auto r = checkpointer.Sync(); !r) return tl::unexpected(r.error());
  report.first_event_seq = pending.first_seq;
  report.last_event_seq = checkpointer.committed_event_seq();
  // Step 4.
  if (auto r = FinishRotation(f, pending, env, &report.redriven_files); !r) {
    return tl::unexpected(r.error());
  }
  return report;
}

int RunRedrive(const RedriveCommand& command) {
  Config cfg;
  try {
    cfg = command.config_file.empty() ? Parse(kEmbeddedDefaultConfig, "<embedded defaults>")
                                      : Load(command.config_file);
  } catch (const config::Error& e) {
    PrintProblems(e.problems());
    std::fprintf(stderr, "kubevents: the configuration has errors; not redriving\n");
    return 1;
  }
  (void)log::Setup(cfg.log_level, cfg.log_format);
  auto fail = [](const std::string& why) {
    spdlog::error("redrive: {}", why);
    return 1;
  };
  if (cfg.leader_election.enabled) {
    return fail(
        "not supported under leader election (the cluster's checkpoint decides which spooled "
        "events a replica keeps)");
  }
  bool known = false;
  for (const auto& rc : cfg.receivers) known = known || rc.name == command.receiver;
  if (!known) {
    return fail("receiver " + command.receiver + " is not in " + cfg.file +
                ": the next run would not deliver what is queued for it");
  }
  SystemClock clock;
  PosixEnv env;
  RedriveOptions options;
  options.receiver = command.receiver;
  options.dry_run = command.dry_run;
  options.default_api = cfg.events_api;
  if (!command.since.empty()) {
    options.since_micros = ParseSince(command.since, clock.WallNow());
    if (!options.since_micros) {
      return fail("--since " + command.since +
                  ": not an RFC 3339 time nor a duration such as 90m, 2h or 7d");
    }
  }
  RunOptions run_options;
  run_options.data_dir = command.data_dir;
  const fs::path data_dir = DataDir(run_options, cfg);
  auto lock = LockDataDir(data_dir);
  if (!lock) return fail(lock.error().message + "; stop it first");
  auto cp = OpenLocalCheckpoint(data_dir, /*fsync_every_line=*/true, env, clock);
  if (!cp) return fail(cp.error().message);
  auto report = Redrive(data_dir, options, **cp, env, clock);
  ::close(*lock);
  if (!report) return fail(report.error().message);
  if (command.dry_run) {
    std::printf(
        "receiver %s: would queue again %zu dead-lettered events (first key %s, last key %s); "
        "%zu lines not selected, %zu unreadable; nothing changed\n",
        command.receiver.c_str(), report->selected, report->first_key.c_str(),
        report->last_key.c_str(), report->kept, report->unreadable);
  } else if (report->selected == 0) {
    spdlog::info("redrive: receiver {}: no dead letters to queue ({} not selected, {} unreadable)",
                 command.receiver, report->kept, report->unreadable);
  } else {
    spdlog::info(
        "redrive: receiver {}: queued again {} dead-lettered events (first key {}, last key {}, "
        "event seqs {}..{}); {} not selected and {} unreadable lines stay in the dead-letter "
        "file; the next kubevents run delivers them",
        command.receiver, report->selected, report->first_key, report->last_key,
        report->first_event_seq, report->last_event_seq, report->kept, report->unreadable);
  }
  return 0;
}

}  // namespace kv::app
