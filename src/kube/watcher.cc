#include "kube/watcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_set>

#include "kube/api_answer.h"
#include "kube/checkpoint.h"
#include "util/backoff.h"
#include "util/time.h"
#include "util/url.h"

namespace kv::kube {

Watcher::Watcher(WatcherOptions options, Client& client, Clock& clock, Rng& rng, StopSignal& stop,
                 WatchConsumer& consumer)
    : options_(std::move(options)),
      client_(client),
      clock_(clock),
      rng_(rng),
      stop_(stop),
      consumer_(consumer),
      decoder_(options_.api_group, /*keep_raw=*/true) {}

void Watcher::Restore(std::string resource_version, EmittedSet::Map emitted,
                      int64_t skip_before_micros) {
  resource_version_ = std::move(resource_version);
  emitted_ = EmittedSet(std::move(emitted));
  skip_before_micros_ = skip_before_micros;
  restored_ = true;
}

std::string Watcher::CollectionPath() const {
  std::string prefix =
      options_.api_group == event::ApiGroup::kCore ? "/api/v1" : "/apis/events.k8s.io/v1";
  if (!options_.namespace_.empty())
    prefix += "/namespaces/" + url::PercentEncode(options_.namespace_);
  return prefix + "/events";
}

bool Watcher::Wanted(const event::Event& ev) {
  const std::string& ns = ev.metadata.namespace_;
  if (!options_.include_namespaces.empty() && options_.include_namespaces.count(ns) == 0) {
    return false;
  }
  return options_.exclude_namespaces.count(ns) == 0;
}

void Watcher::Offer(event::Event ev, bool listed, const std::string& position) {
  stats_.received.fetch_add(1, std::memory_order_relaxed);
  if (!Wanted(ev)) {
    stats_.filtered_namespace.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (listed && list_watermark_) {
    // A version at or below the resume point was observed already (listed
    // or watched): emitted, skipped or found unchanged then. Remembered,
    // so the emitted set is whole again even when it came from a cluster
    // copy that keeps only what is above the watermark.
    auto v = NumericVersion(ev.metadata.resource_version);
    if (v && *v <= *list_watermark_) {
      emitted_.Remember(ev);
      stats_.unchanged.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  if (listed && list_without_position_ && skip_before_micros_ > 0) {
    int64_t seen = ev.LastSeenMicros();
    if (seen == 0) {
      seen = timeutil::ParseRfc3339Micros(ev.metadata.creation_timestamp).value_or(0);
    }
    if (seen < skip_before_micros_) {
      emitted_.Remember(ev);
      stats_.too_old.fetch_add(1, std::memory_order_relaxed);
      consumer_.Remember(ev.metadata.uid, *emitted_.Find(ev.metadata.uid), position, emitted_);
      return;
    }
  }
  Novelty n = emitted_.Observe(ev);
  if (n == Novelty::kUnchanged) {
    stats_.unchanged.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  (n == Novelty::kNew ? stats_.emitted_new : stats_.emitted_updates)
      .fetch_add(1, std::memory_order_relaxed);
  ev.cluster_name = options_.cluster_name;
  const EmittedSet::State& remembered = *emitted_.Find(ev.metadata.uid);
  consumer_.Emit(std::move(ev), n == Novelty::kUpdate, remembered, position, emitted_);
}

Result<void> Watcher::Start() {
  if (!restored_ && options_.max_event_age.count() > 0) {
    skip_before_micros_ =
        timeutil::ToMicros(clock_.WallNow()) -
        std::chrono::duration_cast<std::chrono::microseconds>(options_.max_event_age).count();
  }
  // Without a resume point this is a first start (a restart that died
  // during its first list included): the cutoff applies, and what the
  // emitted set remembers is not emitted again.
  if (!restored_ || resource_version_.empty()) return List();
  auto expired = ResourceVersionExpired();
  if (!expired) return tl::unexpected(expired.error());
  if (*expired) {
    stats_.expired_on_resume.fetch_add(1, std::memory_order_relaxed);
    spdlog::info("checkpoint resourceVersion {} is gone from the API server; relisting",
                 resource_version_);
    return List();
  }
  spdlog::info("resuming from checkpoint resourceVersion {} ({} events remembered)",
               resource_version_, emitted_.size());
  return {};
}

Result<void> Watcher::List() {
  stats_.lists.fetch_add(1, std::memory_order_relaxed);
  // Readiness sees the list's progress until it ends, however it ends.
  stats_.list_pages.store(0);
  stats_.list_events.store(0);
  stats_.list_handled.store(0);
  stats_.listing.store(true);
  struct ListingDone {
    WatcherStats& stats;
    ~ListingDone() { stats.listing.store(false); }
  } listing_done{stats_};
  std::vector<event::Event> all;
  std::string token;
  std::string rv;
  for (;;) {
    std::string path = CollectionPath() + "?limit=" + std::to_string(options_.page_size);
    if (!token.empty()) path += "&continue=" + url::PercentEncode(token);
    auto resp = client_.Get(path, options_.request_timeout);
    auto answer = CheckAnswer(resp, "cannot list events from " + client_.server());
    if (!answer && answer.error().code == ErrorCode::kGone && !token.empty()) {
      // The continue token expired mid-list: start the list again.
      spdlog::info("list continue token expired; restarting the list");
      stats_.gone.fetch_add(1, std::memory_order_relaxed);
      token.clear();
      all.clear();
      continue;
    }
    if (!answer) return tl::unexpected(answer.error());
    auto page = decoder_.DecodeList(resp->body);
    if (!page) return Fail(page.error().code, "event list: " + page.error().message);
    for (const auto& err : page->item_errors) {
      stats_.decode_errors.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("skipping an event that cannot be decoded: {}", err);
    }
    for (auto& ev : page->items) all.push_back(std::move(ev));
    stats_.list_pages.fetch_add(1, std::memory_order_relaxed);
    stats_.list_events.fetch_add(page->items.size(), std::memory_order_relaxed);
    rv = page->resource_version;
    token = page->continue_token;
    if (token.empty()) break;
    if (stop_.Stopped()) return Fail(ErrorCode::kUnavailable, "shutting down");
  }
  // Emit in the order events happened, so a relist after an outage reads
  // like the stream it replaces.
  std::stable_sort(all.begin(), all.end(), [](const event::Event& a, const event::Event& b) {
    return a.LastSeenMicros() < b.LastSeenMicros();
  });
  std::unordered_set<std::string> present;
  present.reserve(all.size());
  for (const auto& ev : all) present.insert(ev.metadata.uid);
  emitted_.RetainOnly(present);
  list_without_position_ = resource_version_.empty();
  list_watermark_ = NumericVersion(resource_version_);
  for (auto& ev : all) {
    Offer(std::move(ev), /*listed=*/true, resource_version_);
    stats_.list_handled.fetch_add(1, std::memory_order_relaxed);
  }
  list_without_position_ = false;
  list_watermark_.reset();
  resource_version_ = rv;
  stats_.connected.store(true);
  consumer_.Position(resource_version_, emitted_, /*snapshot=*/true);
  spdlog::debug("listed {} events at resourceVersion {}", present.size(), rv);
  return {};
}

void Watcher::HandleFrame(std::string_view line) {
  if (line.empty()) return;
  ++frames_in_watch_;
  stats_.connected.store(true, std::memory_order_relaxed);
  auto frame = decoder_.DecodeWatchFrame(line);
  if (!frame) {
    stats_.decode_errors.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("skipping a watch frame that cannot be decoded: {}", frame.error().message);
    return;
  }
  using T = event::WatchFrame::Type;
  switch (frame->type) {
    case T::kBookmark:
      if (!frame->event.metadata.resource_version.empty()) {
        resource_version_ = frame->event.metadata.resource_version;
        consumer_.Position(resource_version_, emitted_, /*snapshot=*/false);
      }
      return;
    case T::kError:
      // The server ends the watch after an ERROR frame; like client-go's
      // reflector, stop reading and relist (410) or reconnect.
      frame_error_ = ClassifyStatus(frame->status.code).value_or(ErrorCode::kUnavailable);
      if (*frame_error_ != ErrorCode::kGone) {
        spdlog::warn("watch error from {}: {} {}", client_.server(), frame->status.code,
                     frame->status.message);
      }
      return;
    case T::kDeleted:
      emitted_.Forget(frame->event.metadata.uid);
      resource_version_ = frame->event.metadata.resource_version;
      consumer_.Forget(frame->event.metadata.uid, resource_version_, emitted_);
      return;
    case T::kAdded:
    case T::kModified: {
      std::string rv = frame->event.metadata.resource_version;
      Offer(std::move(frame->event), /*listed=*/false, rv);
      resource_version_ = rv;
      return;
    }
  }
}

void Watcher::AppendPartial(std::string_view piece) {
  // Grows as a string would (doubling), but never past the cap: the line
  // buffer holds at most max_watch_line_bytes, not twice that.
  size_t need = partial_line_.size() + piece.size();
  if (need > partial_line_.capacity()) {
    partial_line_.reserve(
        std::min(std::max(need, 2 * partial_line_.capacity()), options_.max_watch_line_bytes));
  }
  partial_line_.append(piece);
}

bool Watcher::OnWatchChunk(std::string_view chunk) {
  size_t start = 0;
  while (start < chunk.size()) {
    size_t nl = chunk.find('\n', start);
    size_t end = nl == std::string_view::npos ? chunk.size() : nl;
    // Checked before buffering, so no more than the cap is ever held.
    if (partial_line_.size() + (end - start) > options_.max_watch_line_bytes) {
      line_too_long_ = true;
      stats_.oversized_lines.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn(
          "watch on {}: a line longer than {} bytes (no Kubernetes object is that large); "
          "dropping the connection and resuming from resourceVersion {}",
          client_.server(), options_.max_watch_line_bytes, resource_version_);
      return false;
    }
    if (nl == std::string_view::npos) {
      AppendPartial(chunk.substr(start));
      break;
    }
    if (partial_line_.empty()) {
      HandleFrame(chunk.substr(start, nl - start));
    } else {
      AppendPartial(chunk.substr(start, nl - start));
      HandleFrame(partial_line_);
      partial_line_.clear();
    }
    start = nl + 1;
    if (frame_error_) return false;
  }
  return !stop_.Stopped();
}

Result<bool> Watcher::ResourceVersionExpired() {
  if (resource_version_.empty()) return false;
  auto resp =
      client_.Get(CollectionPath() + "?limit=1&resourceVersionMatch=Exact&resourceVersion=" +
                      url::PercentEncode(resource_version_),
                  options_.request_timeout);
  auto answer = CheckAnswer(resp, "cannot list events from " + client_.server());
  bool gone = !answer && answer.error().code == ErrorCode::kGone;
  stats_.connected.store(answer || gone);
  if (!answer && !gone) return tl::unexpected(answer.error());
  return gone;
}

Watcher::WatchEnd Watcher::WatchOnce() {
  stats_.watches.fetch_add(1, std::memory_order_relaxed);
  // Like client-go's reflector: a random timeout in [min, 2*min) spreads
  // reconnects of many replicas.
  auto timeout = options_.min_watch_timeout.count();
  timeout += static_cast<int64_t>(rng_.Uniform() * static_cast<double>(timeout));
  std::string path = CollectionPath() + "?watch=1&allowWatchBookmarks=true&resourceVersion=" +
                     url::PercentEncode(resource_version_) +
                     "&timeoutSeconds=" + std::to_string(timeout);
  frames_in_watch_ = 0;
  partial_line_.clear();
  frame_error_.reset();
  line_too_long_ = false;
  // The server ends the watch after `timeout` seconds; silence well past
  // that means the connection died unnoticed.
  auto idle = std::chrono::seconds(timeout) + options_.watch_idle_margin;
  auto resp = client_.Watch(
      path, [this](std::string_view chunk) { return OnWatchChunk(chunk); }, idle);
  // Release an oversized line's memory now, not at the next watch.
  std::string().swap(partial_line_);
  if (stop_.Stopped()) return WatchEnd::kTimeout;
  if (line_too_long_) return WatchEnd::kError;
  if (frame_error_) return *frame_error_ == ErrorCode::kGone ? WatchEnd::kGone : WatchEnd::kError;
  auto answer = CheckAnswer(resp, "watch on " + client_.server() + " failed");
  if (!answer && answer.error().code == ErrorCode::kGone) return WatchEnd::kGone;
  if (!answer) {
    stats_.connected.store(false);
    spdlog::warn("{}", answer.error().message);
    return WatchEnd::kError;
  }
  spdlog::debug("watch from resourceVersion {} ended after {} frames", resource_version_,
                frames_in_watch_);
  return WatchEnd::kTimeout;
}

void Watcher::Run() {
  Backoff backoff(options_.backoff_base, options_.backoff_cap, rng_);
  bool need_list = false;
  bool fresh = true;  // resource_version_ comes from a LIST (or was checked) just now
  while (!stop_.Stopped()) {
    if (need_list) {
      if (auto r = List(); !r) {
        stats_.connected.store(false);
        auto wait = backoff.Next();
        spdlog::warn("relist failed ({}); retrying in {} ms", r.error().message, wait.count());
        stop_.WaitFor(wait, clock_);
        continue;
      }
      need_list = false;
      fresh = true;
    }
    // Before resuming from an older version, make sure the server still has
    // it. A watch from a compacted version should be refused with 410, but
    // for Events (never served from the watch cache) an API server that has
    // just restarted may instead answer 200 and then stay silent, or stream
    // only what happens from now on: either way events would be missed.
    // A check that fails (the server still starting, unreachable) is
    // retried after the backoff: watching unchecked is exactly that risk.
    if (!fresh) {
      auto expired = ResourceVersionExpired();
      if (!expired) {
        stats_.reconnects.fetch_add(1, std::memory_order_relaxed);
        auto wait = backoff.Next();
        spdlog::info("cannot check resourceVersion {} ({}); retrying in {} ms", resource_version_,
                     expired.error().message, wait.count());
        stop_.WaitFor(wait, clock_);
        continue;
      }
      if (*expired) {
        stats_.expired_on_resume.fetch_add(1, std::memory_order_relaxed);
        spdlog::info("resourceVersion {} is gone from the API server; relisting",
                     resource_version_);
        need_list = true;
        continue;
      }
    }
    fresh = false;
    WatchEnd end = WatchOnce();
    // The connection worked, unless it ended on a bad line: a server that
    // sends the same oversized line again must not be asked in a tight loop.
    if (frames_in_watch_ > 0 && !frame_error_ && !line_too_long_) backoff.Reset();
    switch (end) {
      case WatchEnd::kTimeout:
        backoff.Reset();
        break;
      case WatchEnd::kGone:
        stats_.gone.fetch_add(1, std::memory_order_relaxed);
        spdlog::info("resourceVersion {} is too old (410 Gone); relisting", resource_version_);
        need_list = true;
        break;
      case WatchEnd::kError: {
        stats_.reconnects.fetch_add(1, std::memory_order_relaxed);
        auto wait = backoff.Next();
        spdlog::info("reconnecting the watch in {} ms from resourceVersion {}", wait.count(),
                     resource_version_);
        stop_.WaitFor(wait, clock_);
        break;
      }
    }
  }
}

}  // namespace kv::kube
