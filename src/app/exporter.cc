#include "app/exporter.h"

#include <spdlog/spdlog.h>

namespace kv::app {

Exporter::Exporter(const Config& cfg, std::shared_ptr<kube::Credentials> credentials,
                   std::shared_ptr<kube::RateLimiter> limiter, Clock& clock, Rng& rng,
                   delivery::Hub& hub, kube::Checkpointer& checkpointer, PipelineStats& pipeline)
    : clock_(clock), hub_(hub), checkpointer_(checkpointer), pipeline_(pipeline) {
  client_ = std::make_unique<kube::Client>(credentials, limiter, &stop_);
  // Involved-object lookups, on their own thread with their own Client.
  if (!cfg.omit_lookup) {
    kube::EnricherOptions eopts;
    eopts.cache_size = static_cast<size_t>(cfg.cache_size);
    eopts.deadline = cfg.lookup_timeout;
    enricher_ = std::make_unique<kube::Enricher>(
        eopts,
        kube::MakeApiFetcher(std::make_unique<kube::Client>(credentials, limiter, &stop_), clock,
                             std::chrono::milliseconds(5000)),
        clock);
  }
  kube::WatcherOptions wopts;
  wopts.api_group = cfg.events_api;
  wopts.namespace_ = cfg.namespace_;
  wopts.include_namespaces = cfg.include_namespaces;
  wopts.exclude_namespaces = cfg.exclude_namespaces;
  wopts.cluster_name = cfg.cluster_name;
  wopts.max_event_age = cfg.max_event_age;
  watcher_ = std::make_unique<kube::Watcher>(
      wopts, *client_, clock, rng, stop_,
      [this](event::Event ev, bool update, uint64_t seq) { Handle(std::move(ev), update, seq); },
      &checkpointer_);
}

Exporter::~Exporter() { Stop(); }

void Exporter::Handle(event::Event ev, bool update, uint64_t event_seq) {
  std::shared_ptr<const Routing> routing = routing_.load();
  if (update && !routing->emit_updates) {
    pipeline_.updates_skipped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (enricher_) enricher_->Enrich(ev);
  size_t n = routing->hub_index.size();
  if (!reached_ || reached_size_ != n) {
    reached_ = std::make_unique<route::ReceiverSet>(n);
    reached_size_ = n;
  }
  routing->tree->Evaluate(ev, reached_.get());
  targets_.clear();
  for (int i : reached_->hits()) {
    int h = routing->hub_index[static_cast<size_t>(i)];
    if (h >= 0) targets_.push_back(h);
  }
  if (targets_.empty()) {
    pipeline_.no_route.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  auto& counter = ev.type == "Normal"    ? pipeline_.emitted_normal
                  : ev.type == "Warning" ? pipeline_.emitted_warning
                                         : pipeline_.emitted_other;
  counter.fetch_add(1, std::memory_order_relaxed);
  auto shared = std::make_shared<const event::Event>(std::move(ev));
  if (!hub_.Stage(shared, targets_, event_seq)) {
    // Shutdown while a spool was full: not committed, comes again next time.
    checkpointer_.Abandon();
  }
}

Result<void> Exporter::Start(const kube::Checkpoint& state) {
  if (!state.resource_version.empty() || !state.emitted.empty()) {
    watcher_->Restore(state.resource_version, state.emitted);
  }
  if (auto r = watcher_->Start(); !r) return r;
  spdlog::info("watching events from resourceVersion {}", watcher_->resource_version());
  thread_ = std::thread([this] { watcher_->Run(); });
  return {};
}

void Exporter::Stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_.Stop();
  hub_.AbandonStaging();  // a watcher waiting for spool room must not hold up the stop
  if (thread_.joinable()) {
    thread_.join();
    if (auto r = checkpointer_.Snapshot(watcher_->resource_version(), watcher_->emitted()); !r) {
      spdlog::warn("cannot write the final checkpoint: {}", r.error().message);
    }
  }
  if (enricher_) enricher_->Stop();
}

}  // namespace kv::app
