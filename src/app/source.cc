#include "app/source.h"

#include <spdlog/spdlog.h>

namespace kv::app {

namespace {

std::unique_ptr<kube::Enricher> MakeEnricher(const Config& cfg,
                                             std::shared_ptr<kube::Credentials> credentials,
                                             std::shared_ptr<kube::RateLimiter> limiter,
                                             Clock& clock, StopSignal& stop) {
  if (cfg.omit_lookup) return nullptr;
  kube::EnricherOptions options;
  options.cache_size = static_cast<size_t>(cfg.cache_size);
  options.deadline = cfg.lookup_timeout;
  // Lookups run on the enricher's own thread, with their own Client.
  auto fetcher = kube::MakeApiFetcher(std::make_unique<kube::Client>(credentials, limiter, &stop),
                                      clock, std::chrono::milliseconds(5000));
  return std::make_unique<kube::Enricher>(options, std::move(fetcher), clock);
}

kube::WatcherOptions WatcherOptionsOf(const Config& cfg) {
  kube::WatcherOptions options;
  options.api_group = cfg.events_api;
  options.namespace_ = cfg.namespace_;
  options.include_namespaces = cfg.include_namespaces;
  options.exclude_namespaces = cfg.exclude_namespaces;
  options.cluster_name = cfg.cluster_name;
  options.max_event_age = cfg.max_event_age;
  return options;
}

}  // namespace

Source::Source(const Config& cfg, std::shared_ptr<kube::Credentials> credentials,
               std::shared_ptr<kube::RateLimiter> limiter, Clock& clock, Rng& rng,
               delivery::Hub& hub, kube::Checkpointer& checkpointer, PipelineStats& stats)
    : hub_(hub),
      checkpointer_(checkpointer),
      // The watch's own bucket (same kubeQPS/kubeBurst): its list pages and
      // watch requests never queue behind the lookups' reservations.
      client_(std::make_unique<kube::Client>(
          credentials, std::make_shared<kube::RateLimiter>(cfg.kube_qps, cfg.kube_burst, clock),
          &stop_)),
      enricher_(MakeEnricher(cfg, credentials, limiter, clock, stop_)),
      pipeline_(enricher_.get(), hub, checkpointer, stats, clock),
      watcher_(std::make_unique<kube::Watcher>(WatcherOptionsOf(cfg), *client_, clock, rng, stop_,
                                               pipeline_)) {
  pipeline_.SetListing(&watcher_->stats().listing);
}

Source::~Source() { Stop(); }

Result<void> Source::Start(const kube::Checkpoint& state) {
  watcher_->Restore(state.resource_version, state.emitted, state.skip_before_micros);
  if (auto r = watcher_->Start(); !r) return r;
  spdlog::info("watching events from resourceVersion {}", watcher_->resource_version());
  thread_ = std::thread([this] { watcher_->Run(); });
  return {};
}

void Source::Stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_.Stop();
  hub_.AbandonStaging();  // a watcher waiting for spool room must not hold up the stop
  if (thread_.joinable()) {
    thread_.join();
    if (auto r = pipeline_.Compact(watcher_->resource_version(), watcher_->emitted()); !r) {
      spdlog::warn("cannot write the final checkpoint: {}", r.error().message);
    }
  }
  if (enricher_) enricher_->Stop();
}

}  // namespace kv::app
