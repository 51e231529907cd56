// `kubevents run`: wiring. Each part lives in its own file: the event's
// way in pipeline.h (driven by source.h's watcher), the receivers in
// receivers.h, reloads in reload.h, leader election in leadership.h,
// signals in signals.h, the data directory in data_dir.h, metrics in
// observability.h.
#include "app/run.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <optional>

#include "app/config.h"
#include "app/data_dir.h"
#include "app/leadership.h"
#include "app/observability.h"
#include "app/pipeline.h"
#include "app/receivers.h"
#include "app/redrive.h"
#include "app/reload.h"
#include "app/signals.h"
#include "app/source.h"
#include "app/version.h"
#include "delivery/disk_budget.h"
#include "delivery/hub.h"
#include "kube/checkpoint.h"
#include "kube/client_config.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "util/clock.h"
#include "util/env.h"
#include "util/log.h"
#include "util/rng.h"
#include "util/time.h"

namespace kv::app {

namespace {

// The config file, or the embedded defaults; logging set up from it.
std::optional<Config> LoadForRun(const RunOptions& options) {
  Config cfg;
  try {
    cfg = options.config_file.empty() ? Parse(kEmbeddedDefaultConfig, "<embedded defaults>")
                                      : Load(options.config_file);
  } catch (const config::Error& e) {
    PrintProblems(e.problems());
    std::fprintf(stderr, "kubevents: the configuration has errors; not starting\n");
    return std::nullopt;
  }
  if (auto r = log::Setup(cfg.log_level, cfg.log_format); !r) {
    std::fprintf(stderr, "%s: %s\n", cfg.file.c_str(), r.error().message.c_str());
    return std::nullopt;
  }
  for (const auto& w : cfg.warnings) spdlog::warn("{}", w.ToString());
  return cfg;
}

// On becoming leader (at once without leader election): resume from the
// checkpoint (the cluster's copy under leader election) and start watching.
// A first start skips listed events older than maxEventAge; the cutoff is
// recorded, so a later list without a resume point skips the same ones.
Result<void> StartExporting(const Config& cfg, Clock& clock, kube::Checkpointer& checkpointer,
                            ClusterCheckpoint* cluster, delivery::Hub& hub, Source& source) {
  kube::Checkpoint state;
  const bool local_state = checkpointer.had_state();
  if (local_state) state = checkpointer.TakeRecovered();
  int64_t first_start_skip_before = 0;
  if (cfg.max_event_age.count() > 0) {
    first_start_skip_before =
        timeutil::ToMicros(clock.WallNow()) -
        std::chrono::duration_cast<std::chrono::microseconds>(cfg.max_event_age).count();
  }
  if (cluster) {
    auto resumed = cluster->TakeOver(std::move(state), local_state, first_start_skip_before,
                                     checkpointer, hub);
    if (!resumed) return tl::unexpected(resumed.error());
    state = std::move(*resumed);
  } else if (!local_state) {
    state.skip_before_micros = first_start_skip_before;
    checkpointer.set_skip_before(state.skip_before_micros);
    // Durable before the first list, which a crash may interrupt.
    (void)checkpointer.Snapshot("", kube::EmittedSet());
  }
  return source.Start(state);
}

// What the main thread does until it is told to stop; returns the exit code.
int MainLoop(WakeQueue& wake, const RunOptions& options, Config& cfg, Clock& clock,
             Reloader& reloader, kube::Checkpointer& checkpointer, Leadership& leadership,
             delivery::Hub& hub, Source& source) {
  bool exporting = false;
  for (;;) {
    switch (wake.Pop()) {
      case Wake::kStartedLeading:
        if (exporting) break;
        if (auto r = StartExporting(cfg, clock, checkpointer, leadership.cluster_checkpoint(), hub,
                                    source);
            !r) {
          spdlog::error("{}", r.error().message);
          return 1;
        }
        exporting = true;
        break;
      case Wake::kReloadSignal:
      case Wake::kConfigChanged:
        if (options.config_file.empty()) {
          spdlog::info("no config file to reload (running on the embedded defaults)");
        } else {
          reloader.Reload(cfg);
        }
        break;
      case Wake::kTerminate:
        return 0;
    }
  }
}

// Metrics and readiness of everything running.
void ExportAll(server::Registry& registry, server::HttpServer& http, const Config& cfg,
               const PipelineStats& stats, const Source& source, const delivery::Hub& hub,
               const kube::Checkpointer& checkpointer, const Leadership& leadership, Clock& clock) {
  ExportProcess(registry, kVersion, cfg.events_api == event::ApiGroup::kCore ? "" : "events.k8s.io",
                source.watcher_stats(), stats);
  if (source.enricher_stats()) ExportEnricher(registry, *source.enricher_stats());
  AddReadinessChecks(http, source.watcher_stats(), hub, leadership.is_leader(),
                     leadership.enabled(), std::chrono::seconds(300), clock);
  ExportCheckpoint(registry, checkpointer, leadership.cluster_checkpoint(), clock);
  ExportStorage(registry, hub.storage());
  leadership.Export(registry);
}

// Logs why `run` cannot go on; the exit code for that.
int Stop(const std::string& why) {
  spdlog::error("{}", why);
  return 1;
}

// The same words and numbers as the metrics (docs/operations.md): emitted
// = new or updated events sent on to at least one receiver
// (events_emitted_total); not emitted, by events_filtered_total's reasons;
// updates = updates the watcher found, emitted or not (events_updates_total).
void LogTotals(const Source& source, const Receivers& receivers, const PipelineStats& p) {
  const auto& st = source.watcher_stats();
  const uint64_t emitted =
      p.emitted_normal.load() + p.emitted_warning.load() + p.emitted_other.load();
  spdlog::info(
      "stopped: {} events received, {} emitted (new or updated), not emitted: {} unchanged, {} "
      "too_old, {} namespace, {} no_route, {} update_not_emitted; {} updates found",
      st.received.load(), emitted, st.unchanged.load(), st.too_old.load(),
      st.filtered_namespace.load(), p.no_route.load(), p.updates_skipped.load(),
      st.emitted_updates.load());
  receivers.LogSummary();
  if (const auto* es = source.enricher_stats()) {
    spdlog::info(
        "lookups: {} cache hits, {} misses, {} shared, {} found, {} not found, {} forbidden, {} "
        "errors, {} timeouts, {} deferred, {} skipped",
        es->hits.load(), es->misses.load(), es->shared.load(), es->found.load(),
        es->not_found.load(), es->forbidden.load(), es->errors.load(), es->timeouts.load(),
        es->deferred.load(), es->skipped.load());
  }
}

}  // namespace

int Run(const RunOptions& options) {
  std::optional<Config> loaded = LoadForRun(options);
  if (!loaded) return 1;
  Config& cfg = *loaded;
  auto client_config = kube::ResolveClientConfig({options.kubeconfig, options.context});
  if (!client_config) return Stop(client_config.error().message);
  const std::filesystem::path data_dir = DataDir(options, cfg);
  if (auto lock = LockDataDir(data_dir); !lock) return Stop(lock.error().message);
  sigset_t signals = BlockSignals();  // before any thread starts
  curl_global_init(CURL_GLOBAL_DEFAULT);
  SystemClock clock;
  PosixEnv env;
  DefaultRng rng;
  PipelineStats stats;
  const auto grace = std::chrono::seconds(options.shutdown_grace_seconds);

  // Metrics and health first, so a probe can see a slow start.
  server::Registry registry({.prefix = cfg.metrics_name_prefix});
  server::HttpServer http({.address = options.metrics_address}, registry);
  if (!options.metrics_address.empty()) {
    if (auto r = http.Start(); !r) {
      return Stop("metrics listener " + options.metrics_address + ": " + r.error().message);
    }
    spdlog::info("serving /metrics, /healthz and /readyz on port {}", http.port());
  }
  auto checkpointer = OpenLocalCheckpoint(
      data_dir, cfg.delivery.fsync == delivery::FsyncPolicy::kAlways, env, clock);
  if (!checkpointer) return Stop(checkpointer.error().message);
  kube::Checkpointer& cp = **checkpointer;
  // Before anything is committed: a `kubevents redrive` that stopped half
  // way is settled by the committed seq (app/redrive.h).
  if (auto r = ResolveInterruptedRedrives(data_dir, cp.committed_event_seq(), env); !r) {
    return Stop("dead letters in " + data_dir.string() + ": " + r.error().message);
  }
  const std::string replica_id = ReplicaId(data_dir, rng);
  cp.set_writer(replica_id);

  // Receivers are built (connected) now, each with its spool and worker. A
  // standby runs them too: it delivers what it spooled while it led.
  delivery::Hub hub(data_dir, cfg.delivery.fsync, cfg.delivery.fsync_interval, env, rng, clock);
  Receivers receivers(hub, registry, clock);
  const uint64_t budget =
      cfg.data_dir_max_bytes ? cfg.data_dir_max_bytes : delivery::DefaultDiskBudget(data_dir);
  spdlog::info("data dir {}: disk budget {} bytes ({})", data_dir.string(), budget,
               cfg.data_dir_max_bytes ? "dataDirMaxBytes" : "90% of its filesystem");
  receivers.SetDiskBudget(budget);
  if (auto r = receivers.AddAll(cfg); !r) return Stop(r.error().message);
  auto credentials = std::make_shared<kube::Credentials>(*client_config, clock);
  Leadership leadership(cfg.leader_election, credentials, replica_id, clock, rng);
  // Under leader election a restarted replica keeps only the spooled
  // events the cluster's checkpoint covers.
  uint64_t recover_up_to = cp.committed_event_seq();
  if (auto* cc = leadership.cluster_checkpoint()) recover_up_to = cc->RecoverUpTo(recover_up_to);
  if (auto r = hub.Recover(recover_up_to); !r) return Stop(r.error().message);
  ReportRedrives(data_dir, hub, registry, env);
  hub.AddSyncTarget([&cp] { return cp.Sync(); });
  hub.Start();

  auto limiter = std::make_shared<kube::RateLimiter>(cfg.kube_qps, cfg.kube_burst, clock);
  Source source(cfg, credentials, limiter, clock, rng, hub, cp, stats);
  source.SetRouting(MakeRouting(cfg, hub));
  ExportAll(registry, http, cfg, stats, source, hub, cp, leadership, clock);

  WakeQueue wake;
  StartSignalThread(signals, wake);
  spdlog::info("kubevents starting{}{}: API server {} ({}), {} receivers, data in {}",
               leadership.enabled() ? " " : "", leadership.Describe(), client_config->server,
               client_config->origin, hub.size(), data_dir.string());
  leadership.Start([&wake] { wake.Push(Wake::kStartedLeading); },
                   [&wake] { wake.Push(Wake::kTerminate); });
  std::optional<ConfigPoller> poller;
  if (!options.config_file.empty()) {
    poller.emplace(options.config_file, std::chrono::seconds(2), clock,
                   [&wake] { wake.Push(Wake::kConfigChanged); });
  }
  Reloader reloader(options.config_file, receivers, hub, source, stats, grace);
  int exit_code = MainLoop(wake, options, cfg, clock, reloader, cp, leadership, hub, source);

  // Stop emitting and write the final checkpoint (to the cluster too),
  // then hand the lease over, then drain the spools.
  leadership.ShuttingDown();
  poller.reset();
  source.Stop();
  if (auto* cc = leadership.cluster_checkpoint()) cc->Flush();
  leadership.Stop();
  hub.Stop(grace);
  http.Stop();
  LogTotals(source, receivers, stats);
  curl_global_cleanup();
  return exit_code;
}

}  // namespace kv::app
