#include "app/observability.h"

#include <spdlog/spdlog.h>

#include "util/time.h"

namespace kv::app {

namespace {

using server::MetricType;

void Check(const Result<void>& r, const char* what) {
  if (!r) spdlog::error("metrics: cannot register {}: {}", what, r.error().message);
}

server::AtomicMetric C(std::string name, std::string help, const std::atomic<uint64_t>& v) {
  return {std::move(name), std::move(help), MetricType::kCounter, &v};
}
server::AtomicMetric G(std::string name, std::string help, const std::atomic<uint64_t>& v) {
  return {std::move(name), std::move(help), MetricType::kGauge, &v};
}

}  // namespace

void ExportProcess(server::Registry& registry, const std::string& version,
                   const std::string& api_group, const kube::WatcherStats& w,
                   const PipelineStats& p) {
  Check(registry.AddCollector(
            {{"build_info", "Build information; always 1.", MetricType::kGauge, {"version"}}},
            [version](server::Collection& c) { c.Add("build_info", {version}, 1); }),
        "build_info");
  Check(server::ExportAtomics(
            registry, {"api_group"}, {api_group.empty() ? "core" : api_group},
            {C("events_received_total", "Events read from the API server (lists and watches).",
               w.received),
             C("events_decode_errors_total",
               "Watch frames or list items that could not be decoded.", w.decode_errors),
             C("watch_oversized_lines_total",
               "Watch connections dropped for a line over the 16 MiB cap.", w.oversized_lines)}),
        "watcher");
  Check(server::ExportAtomics(
            registry, {}, {},
            {C("watch_lists_total", "LIST requests of all events (first start and relists).",
               w.lists),
             C("watch_requests_total", "WATCH requests started.", w.watches),
             C("watch_reconnects_total", "Watches that ended with an error and were reconnected.",
               w.reconnects),
             C("watch_gone_total", "410 Gone answers (resourceVersion too old).", w.gone),
             C("watch_stale_resume_total",
               "Resume points found expired before a watch (the API server quirk).",
               w.expired_on_resume)}),
        "watch");
  Check(
      registry.AddCollector(
          {{"watch_connected", "1 while the API server answers the watch.", MetricType::kGauge, {}},
           {"events_emitted_total",
            "Events emitted: new or updated events sent on to at least one receiver, by type.",
            MetricType::kCounter,
            {"type"}},
           {"events_filtered_total",
            "Events not emitted, by reason.",
            MetricType::kCounter,
            {"reason"}},
           {"events_updates_total",
            "Updates (changed count, series or last time) the watcher found, emitted or not.",
            MetricType::kCounter,
            {}},
           {"events_updates_suppressed_total",
            "Updates a receiver's update policy (new, throttled) kept from it, one per receiver.",
            MetricType::kCounter,
            {}},
           {"config_reloads_total", "Config reloads by result.", MetricType::kCounter, {"result"}}},
          [&w, &p](server::Collection& c) {
            c.Add("watch_connected", w.connected.load() ? 1 : 0);
            c.Add("events_emitted_total", {"Normal"}, static_cast<double>(p.emitted_normal));
            c.Add("events_emitted_total", {"Warning"}, static_cast<double>(p.emitted_warning));
            c.Add("events_emitted_total", {"other"}, static_cast<double>(p.emitted_other));
            c.Add("events_filtered_total", {"namespace"},
                  static_cast<double>(w.filtered_namespace));
            c.Add("events_filtered_total", {"unchanged"}, static_cast<double>(w.unchanged));
            c.Add("events_filtered_total", {"too_old"}, static_cast<double>(w.too_old));
            c.Add("events_filtered_total", {"no_route"}, static_cast<double>(p.no_route));
            c.Add("events_filtered_total", {"update_not_emitted"},
                  static_cast<double>(p.updates_skipped));
            c.Add("events_updates_total", static_cast<double>(w.emitted_updates));
            c.Add("events_updates_suppressed_total", static_cast<double>(p.updates_suppressed));
            c.Add("config_reloads_total", {"success"}, static_cast<double>(p.reloads));
            c.Add("config_reloads_total", {"failure"}, static_cast<double>(p.reload_failures));
          }),
      "pipeline");
}

void ExportEnricher(server::Registry& registry, const kube::EnricherStats& e) {
  Check(
      server::ExportAtomics(
          registry, {}, {},
          {C("lookup_cache_hits_total", "Involved-object lookups answered from the cache.", e.hits),
           C("lookup_cache_misses_total", "Involved-object lookups sent to the API server.",
             e.misses),
           C("lookup_found_total", "Lookups that found the object.", e.found),
           C("lookup_not_found_total", "Lookups that found the object deleted.", e.not_found),
           C("lookup_forbidden_total", "Lookups refused by RBAC (403).", e.forbidden),
           C("lookup_errors_total", "Lookups that failed otherwise.", e.errors),
           C("lookup_timeouts_total", "Events that went on before their lookup finished.",
             e.timeouts),
           C("lookup_deferred_total",
             "Listed events that went on without waiting for their lookup (it fills the cache "
             "for the events after them).",
             e.deferred),
           C("lookup_skipped_total",
             "Events not looked up: their kind was refused (403) lately, or the lookup queue was "
             "full.",
             e.skipped)}),
      "lookups");
}

void ExportLeader(server::Registry& registry, const std::atomic<bool>& is_leader,
                  const kube::LeaderElectionStats* stats) {
  Check(registry.AddCollector(
            {{"leader", "1 while this replica leads (or runs alone).", MetricType::kGauge, {}}},
            [&is_leader](server::Collection& c) { c.Add("leader", is_leader.load() ? 1 : 0); }),
        "leader");
  if (stats) {
    Check(
        server::ExportAtomics(
            registry, {}, {},
            {C("leader_acquisitions_total", "Times this replica became the leader.",
               stats->acquisitions),
             C("leader_losses_total", "Times this replica lost the lease unasked.", stats->losses),
             C("leader_errors_total", "Failed lease requests.", stats->errors)}),
        "leader election");
  }
}

ReceiverHistograms RegisterReceiverHistograms(server::Registry& registry) {
  ReceiverHistograms h;
  auto bs =
      registry.AddHistogramFamily("receiver_batch_size", "Events per request sent.", {"receiver"},
                                  {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000});
  if (bs) h.batch_size = *bs;
  auto lat = registry.AddHistogramFamily("receiver_send_duration_seconds",
                                         "Time a request to the receiver took.", {"receiver"});
  if (lat) h.send_seconds = *lat;
  return h;
}

server::CounterFamily* RegisterReshapedCounter(server::Registry& registry) {
  auto family = registry.AddCounterFamily(
      "receiver_documents_reshaped_total",
      "Documents the receiver's peer took only after their labels and annotations were reshaped "
      "(keys de-dotted, or the maps as text) for a mapping conflict.",
      {"receiver"});
  return family ? *family : nullptr;
}

void ExportReceiver(server::Registry& registry, const delivery::Hub& hub, size_t i) {
  const auto& ws = hub.worker_stats(i);
  const auto& ss = hub.spool(i).stats();
  Check(
      server::ExportAtomics(
          registry, {"receiver"}, {hub.name(i)},
          {C("receiver_delivered_total", "Events the receiver's peer accepted.", ws.delivered),
           C("receiver_failed_sends_total", "Requests that did not deliver everything.",
             ws.failed_sends),
           C("receiver_retried_total", "Events sent again after a retryable failure.", ws.retried),
           C("receiver_dead_lettered_total", "Events written to the dead-letter file.",
             ws.dead_lettered),
           C("receiver_dead_letters_dropped_total",
             "Dead-letter lines dropped when the file rotated past its cap.",
             hub.dead_letter(i).dropped_counter()),
           C("receiver_dropped_total", "Events dropped by overflow: drop-oldest.", ss.dropped),
           C("receiver_spooled_total", "Events appended to the receiver's spool.", ss.appended),
           G("receiver_spool_events", "Undelivered events in the spool.", ss.pending_events),
           G("receiver_spool_bytes", "Undelivered bytes in the spool.", ss.pending_bytes)}),
      "receiver");
}

server::CheckResult WatchReadiness(const kube::WatcherStats& watcher, bool leading) {
  if (!leading) return {true, "standby: not watching"};
  if (watcher.connected.load()) return {true, "connected"};
  // A list that has had a page is progress; one still waiting for its
  // first may be waiting on a dead server (a relist after an outage).
  if (watcher.listing.load() && watcher.list_pages.load() == 0) {
    return {false, "listing events: waiting for the first page"};
  }
  if (watcher.listing.load()) {
    return {true, "listing events: " + std::to_string(watcher.list_pages.load()) + " pages, " +
                      std::to_string(watcher.list_events.load()) + " events read, " +
                      std::to_string(watcher.list_handled.load()) + " handled"};
  }
  return {false, "API server not answering"};
}

void AddReadinessChecks(server::HttpServer& http, const kube::WatcherStats& watcher,
                        const delivery::Hub& hub, const std::atomic<bool>& is_leader,
                        bool leader_election, std::chrono::seconds stuck_after, Clock& clock) {
  http.AddReadinessCheck("leader", [&is_leader, leader_election] {
    if (!leader_election) return server::CheckResult{true, "leader election off"};
    return server::CheckResult{true, is_leader.load() ? "leading" : "standby"};
  });
  http.AddReadinessCheck(
      "watch", [&watcher, &is_leader] { return WatchReadiness(watcher, is_leader.load()); });
  http.AddReadinessCheck("storage", [&hub] {
    const auto& storage = hub.storage();
    if (!storage.failing()) return server::CheckResult{true, "data dir writable"};
    return server::CheckResult{false, "data dir cannot be written: " + storage.reason()};
  });
  http.AddReadinessCheck("receivers", [&hub, stuck_after, &clock] {
    int64_t now = timeutil::ToMicros(clock.WallNow());
    int64_t limit = std::chrono::duration_cast<std::chrono::microseconds>(stuck_after).count();
    for (size_t i = 0; i < hub.size(); ++i) {
      int64_t since = hub.worker_stats(i).stuck_since_micros.load();
      if (since > 0 && now - since > limit) {
        return server::CheckResult{false, "receiver " + hub.name(i) + " failing for " +
                                              std::to_string((now - since) / 1000000) + "s"};
      }
    }
    return server::CheckResult{true, std::to_string(hub.size()) + " delivering"};
  });
}

void ExportStorage(server::Registry& registry, const delivery::StorageHealth& storage) {
  Check(registry.AddCollector(
            {{"storage_failing",
              "1 while the data dir cannot be written (disk full or failing): the watcher "
              "pauses.",
              MetricType::kGauge,
              {}},
             {"storage_errors_total",
              "Failed writes, syncs, renames and removals in the data dir.",
              MetricType::kCounter,
              {}}},
            [&storage](server::Collection& c) {
              c.Add("storage_failing", storage.failing() ? 1 : 0);
              c.Add("storage_errors_total", static_cast<double>(storage.errors()));
            }),
        "storage");
}

void ExportCheckpoint(server::Registry& registry, const kube::Checkpointer& checkpointer,
                      const ClusterCheckpoint* cluster, Clock& clock) {
  registry.AddCollector({{"checkpoint_last_commit_timestamp_seconds",
                          "Wall time of the last durable watch position.",
                          server::MetricType::kGauge,
                          {}},
                         {"checkpoint_age_seconds",
                          "Seconds since the watch position was last committed durably.",
                          server::MetricType::kGauge,
                          {}}},
                        [cp = &checkpointer, &clock](server::Collection& c) {
                          int64_t last = cp->last_commit_micros();
                          if (last <= 0) return;
                          c.Add("checkpoint_last_commit_timestamp_seconds",
                                static_cast<double>(last) / 1e6);
                          int64_t now = timeutil::ToMicros(clock.WallNow());
                          c.Add("checkpoint_age_seconds", static_cast<double>(now - last) / 1e6);
                        });
  if (!cluster) return;
  registry.AddCollector(
      {{"checkpoint_cluster_saved_timestamp_seconds",
        "Wall time of the last checkpoint saved in the cluster (leader only); receivers see "
        "events only once such a save covers them.",
        server::MetricType::kGauge,
        {}},
       {"checkpoint_cluster_save_failures_total",
        "Checkpoint saves in the cluster that failed (events wait meanwhile, unless the save "
        "was refused for good: RBAC, too large).",
        server::MetricType::kCounter,
        {}},
       {"checkpoint_cluster_bytes",
        "Size of the last checkpoint written to the cluster (JSON, before compression).",
        server::MetricType::kGauge,
        {}},
       {"checkpoint_degraded_handovers_total",
        "Take-overs that found no usable cluster checkpoint although another replica had led, "
        "and re-sent events rather than skip them.",
        server::MetricType::kCounter,
        {}}},
      [cluster](server::Collection& c) {
        if (cluster->last_saved_micros() > 0) {
          c.Add("checkpoint_cluster_saved_timestamp_seconds",
                static_cast<double>(cluster->last_saved_micros()) / 1e6);
          c.Add("checkpoint_cluster_bytes", static_cast<double>(cluster->saved_bytes()));
        }
        c.Add("checkpoint_degraded_handovers_total",
              static_cast<double>(cluster->degraded_handovers()));
        c.Add("checkpoint_cluster_save_failures_total",
              static_cast<double>(cluster->failed_saves()));
      });
}

}  // namespace kv::app
