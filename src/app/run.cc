#include "app/run.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "app/cluster_checkpoint.h"
#include "app/config.h"
#include "app/exporter.h"
#include "app/observability.h"
#include "app/reload.h"
#include "app/version.h"
#include "delivery/hub.h"
#include "kube/checkpoint.h"
#include "kube/client.h"
#include "kube/client_config.h"
#include "kube/configmap_store.h"
#include "kube/enricher.h"
#include "kube/leader_election.h"
#include "kube/watcher.h"
#include "route/tree.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/log.h"
#include "util/rng.h"
#include "util/stop.h"

namespace kv::app {

namespace {

void PrintProblems(const std::vector<config::Problem>& problems) {
  for (const auto& p : problems) std::fprintf(stderr, "%s\n", p.ToString().c_str());
}

// Blocks SIGTERM/SIGINT/SIGHUP in every thread (call before starting any)
// so that one thread can take them with sigwait.
sigset_t BlockSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a closed pipe receiver is an error, not a death
  return set;
}

}  // namespace

int CheckConfig(const std::string& file) {
  try {
    Config cfg = Load(file);
    PrintProblems(cfg.warnings);
    std::printf("%s: OK (%zu receivers)\n", file.c_str(), cfg.receivers.size());
    return 0;
  } catch (const config::Error& e) {
    PrintProblems(e.problems());
    return 1;
  }
}

int RouteTest(const std::string& config_file, const std::string& event_file) {
  Config cfg;
  try {
    cfg = Load(config_file);
  } catch (const config::Error& e) {
    PrintProblems(e.problems());
    return 1;
  }
  auto text = files::Read(event_file);
  if (!text) {
    std::fprintf(stderr, "%s\n", text.error().message.c_str());
    return 1;
  }
  event::Decoder decoder(cfg.events_api);
  auto ev = decoder.DecodeEvent(*text);
  if (!ev) {
    std::fprintf(stderr, "%s: %s\n", event_file.c_str(), ev.error().message.c_str());
    return 1;
  }
  std::vector<std::string> names;
  for (const auto& r : cfg.receivers) names.push_back(r.name);
  for (const auto& line : cfg.route->Explain(*ev, names)) std::printf("%s\n", line.c_str());
  return 0;
}

namespace {

// Where spools, the checkpoint and dead letters live: --data-dir (or
// $KUBEVENTS_DATA_DIR), else the config's dataDir, else /var/lib/kubevents.
std::filesystem::path DataDir(const RunOptions& options, const Config& cfg) {
  if (!options.data_dir.empty()) return options.data_dir;
  if (!cfg.data_dir.empty()) return cfg.data_dir;
  return "/var/lib/kubevents";
}

// Holds an exclusive lock on `<dir>/lock` for the life of the process: two
// exporters sharing one spool would deliver each other's events twice.
Result<int> LockDataDir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Fail(ErrorCode::kIo, "cannot create data directory " + dir.string() + ": " +
                                    ec.message() + " (set --data-dir or dataDir)");
  }
  std::string path = (dir / "lock").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(ErrorCode::kIo, "cannot open " + path + ": " + std::strerror(errno) +
                                    " (set --data-dir or dataDir)");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Fail(ErrorCode::kIo,
                "data directory " + dir.string() + " is in use by another kubevents process");
  }
  return fd;
}

void LogReceiverSummary(const delivery::Hub& hub) {
  for (size_t i = 0; i < hub.size(); ++i) {
    const auto& ws = hub.worker_stats(i);
    const auto& ss = hub.spool(i).stats();
    spdlog::info(
        "receiver {}: {} delivered, {} retried, {} dead-lettered, {} dropped, {} still spooled",
        hub.name(i), ws.delivered.load(), ws.retried.load(), ws.dead_lettered.load(),
        ss.dropped.load(), ss.pending_events.load());
  }
}

}  // namespace

namespace {

// What the main thread waits for.
enum class Wake { kTerminate, kReloadSignal, kConfigChanged, kStartedLeading };

class WakeQueue {
 public:
  void Push(Wake w) {
    {
      std::lock_guard lock(mu_);
      q_.push_back(w);
    }
    cv_.notify_one();
  }
  Wake Pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !q_.empty(); });
    Wake w = q_.front();
    q_.pop_front();
    return w;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Wake> q_;
};

// The receiver index of each route receiver name, in `hub`.
std::shared_ptr<const Routing> MakeRouting(const Config& cfg, const delivery::Hub& hub) {
  auto r = std::make_shared<Routing>();
  r->tree = cfg.route;
  r->emit_updates = cfg.emit_updates;
  for (const auto& rc : cfg.receivers) r->hub_index.push_back(hub.Find(rc.name));
  return r;
}

// A stable id for this data directory (written once), recorded in the
// checkpoints it writes.
std::string ReplicaId(const std::filesystem::path& dir, Rng& rng) {
  auto path = dir / "replica-id";
  if (auto text = files::Read(path); text && !text->empty()) return *text;
  static const char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) id += kHex[static_cast<int>(rng.Uniform() * 16) & 15];
  (void)files::WriteAtomic(path, id);
  return id;
}

}  // namespace

int Run(const RunOptions& options) {
  Config cfg;
  try {
    cfg = options.config_file.empty() ? Parse(kEmbeddedDefaultConfig, "<embedded defaults>")
                                      : Load(options.config_file);
  } catch (const config::Error& e) {
    PrintProblems(e.problems());
    std::fprintf(stderr, "kubevents: the configuration has errors; not starting\n");
    return 1;
  }
  if (auto r = log::Setup(cfg.log_level, cfg.log_format); !r) {
    std::fprintf(stderr, "%s: %s\n", cfg.file.c_str(), r.error().message.c_str());
    return 1;
  }
  for (const auto& w : cfg.warnings) spdlog::warn("{}", w.ToString());

  auto client_config = kube::ResolveClientConfig({options.kubeconfig, options.context});
  if (!client_config) {
    spdlog::error("{}", client_config.error().message);
    return 1;
  }
  std::filesystem::path data_dir = DataDir(options, cfg);
  auto lock_fd = LockDataDir(data_dir);
  if (!lock_fd) {
    spdlog::error("{}", lock_fd.error().message);
    return 1;
  }
  sigset_t signals = BlockSignals();
  curl_global_init(CURL_GLOBAL_DEFAULT);

  SystemClock clock;
  DefaultRng rng;
  PipelineStats pipeline;
  const bool leader_election = cfg.leader_election.enabled;
  std::atomic<bool> is_leader{!leader_election};

  // Metrics and health first, so a probe can see a slow start.
  server::Registry registry({.prefix = cfg.metrics_name_prefix});
  server::HttpServer http({.address = options.metrics_address}, registry);
  if (!options.metrics_address.empty()) {
    if (auto r = http.Start(); !r) {
      spdlog::error("metrics listener {}: {}", options.metrics_address, r.error().message);
      return 1;
    }
    spdlog::info("serving /metrics, /healthz and /readyz on port {}", http.port());
  }

  // The watcher's durable state: what was emitted, and where to resume.
  kube::CheckpointerOptions copts;
  copts.journal = data_dir / "checkpoint.journal";
  copts.fsync_every_line = cfg.delivery.fsync == delivery::FsyncPolicy::kAlways;
  auto checkpointer = kube::Checkpointer::Open(
      std::make_unique<kube::FileCheckpointStore>(data_dir / "checkpoint.json"), copts, clock);
  if (!checkpointer) {
    spdlog::error("checkpoint in {}: {}", data_dir.string(), checkpointer.error().message);
    return 1;
  }
  std::string replica_id = ReplicaId(data_dir, rng);
  (*checkpointer)->set_writer(replica_id);

  // Receivers: built (connected) now, each with its spool and worker. A
  // standby runs them too: it delivers what it spooled while it led.
  delivery::Hub hub(data_dir, cfg.delivery.fsync, cfg.delivery.fsync_interval, rng, clock);
  ReceiverHistograms histograms = RegisterReceiverHistograms(registry);
  std::vector<server::Histogram*> batch_hist, latency_hist;
  std::mutex hist_mu;  // guards the two vectors (grown by reloads)
  hub.SetSendObserver([&](size_t i, size_t events, std::chrono::nanoseconds took) {
    server::Histogram* b = nullptr;
    server::Histogram* l = nullptr;
    {
      std::lock_guard lock(hist_mu);
      if (i < batch_hist.size()) b = batch_hist[i], l = latency_hist[i];
    }
    if (b) b->Observe(static_cast<double>(events));
    if (l) l->Observe(std::chrono::duration<double>(took).count());
  });
  auto export_receiver = [&](size_t i) {
    ExportReceiver(registry, hub, i);
    std::lock_guard lock(hist_mu);
    while (batch_hist.size() <= i) batch_hist.push_back(nullptr), latency_hist.push_back(nullptr);
    if (histograms.batch_size) batch_hist[i] = &histograms.batch_size->WithLabels({hub.name(i)});
    if (histograms.send_seconds) {
      latency_hist[i] = &histograms.send_seconds->WithLabels({hub.name(i)});
    }
  };
  for (const auto& rc : cfg.receivers) {
    sinks::SinkContext ctx{rc.name, &clock};
    auto sink = rc.build(ctx);
    if (!sink) {
      spdlog::error("receiver {}: {}", rc.name, sink.error().message);
      return 1;
    }
    if (auto r = hub.Add(rc.name, std::move(*sink), rc.delivery); !r) {
      spdlog::error("receiver {}: {}", rc.name, r.error().message);
      return 1;
    }
    export_receiver(hub.size() - 1);
  }
  auto credentials = std::make_shared<kube::Credentials>(*client_config, clock);
  // Under leader election the checkpoint lives in the cluster too, and a
  // restarted replica keeps only the spooled events it covers.
  kube::LeaderElectionOptions lopts;
  std::unique_ptr<ClusterCheckpoint> cluster_checkpoint;
  uint64_t recover_up_to = (*checkpointer)->committed_event_seq();
  if (leader_election) {
    lopts.name =
        cfg.leader_election.id.empty() ? kube::kDefaultLeaderElectionId : cfg.leader_election.id;
    const char* pod_ns = std::getenv("POD_NAMESPACE");
    lopts.namespace_ = pod_ns && *pod_ns ? pod_ns : kube::DefaultLeaseNamespace();
    cluster_checkpoint =
        std::make_unique<ClusterCheckpoint>(credentials, lopts.namespace_, lopts.name, replica_id);
    recover_up_to = cluster_checkpoint->RecoverUpTo(recover_up_to);
  }
  if (auto r = hub.Recover(recover_up_to); !r) {
    spdlog::error("{}", r.error().message);
    return 1;
  }
  (*checkpointer)->SetCommitHooks([&hub] { hub.BeforeCommit(); }, [&hub] { hub.AfterCommit(); });
  hub.AddSyncTarget([cp = checkpointer->get()] { cp->Sync(); });
  hub.Start();

  auto limiter = std::make_shared<kube::RateLimiter>(cfg.kube_qps, cfg.kube_burst, clock);
  Exporter exporter(cfg, credentials, limiter, clock, rng, hub, **checkpointer, pipeline);
  exporter.SetRouting(MakeRouting(cfg, hub));
  ExportProcess(registry, kVersion, cfg.events_api == event::ApiGroup::kCore ? "" : "events.k8s.io",
                exporter.watcher_stats(), pipeline);
  if (exporter.enricher_stats()) ExportEnricher(registry, *exporter.enricher_stats());
  AddReadinessChecks(http, exporter.watcher_stats(), hub, is_leader, leader_election,
                     std::chrono::seconds(300));
  registry.AddCollector({{"checkpoint_last_commit_timestamp_seconds",
                          "Wall time of the last durable watch position.",
                          server::MetricType::kGauge,
                          {}}},
                        [cp = checkpointer->get()](server::Collection& c) {
                          if (cp->last_commit_micros() > 0) {
                            c.Add("checkpoint_last_commit_timestamp_seconds",
                                  static_cast<double>(cp->last_commit_micros()) / 1e6);
                          }
                        });
  if (cluster_checkpoint) {
    registry.AddCollector(
        {{"checkpoint_cluster_saved_timestamp_seconds",
          "Wall time of the last checkpoint saved in the cluster (leader only); receivers see "
          "events only once such a save covers them.",
          server::MetricType::kGauge,
          {}},
         {"checkpoint_cluster_save_failures_total",
          "Checkpoint saves in the cluster that failed (events wait meanwhile).",
          server::MetricType::kCounter,
          {}}},
        [cc = cluster_checkpoint.get()](server::Collection& c) {
          if (cc->last_saved_micros() > 0) {
            c.Add("checkpoint_cluster_saved_timestamp_seconds",
                  static_cast<double>(cc->last_saved_micros()) / 1e6);
          }
          c.Add("checkpoint_cluster_save_failures_total", static_cast<double>(cc->failed_saves()));
        });
  }

  WakeQueue wake;
  std::atomic<bool> shutting_down{false};
  std::thread signal_thread([&] {
    for (;;) {
      int sig = 0;
      sigwait(&signals, &sig);
      if (sig == SIGHUP) {
        wake.Push(Wake::kReloadSignal);
        continue;
      }
      spdlog::info("signal {}: shutting down", sig);
      wake.Push(Wake::kTerminate);
      return;
    }
  });
  signal_thread.detach();  // blocked in sigwait until the process ends

  // Leader election: a standby waits here without watching.
  StopSignal elector_stop;
  std::unique_ptr<kube::Client> elector_client;
  std::unique_ptr<kube::LeaderElector> elector;
  std::thread elector_thread;
  if (leader_election) {
    lopts.identity = kube::MakeIdentity(rng);
    lopts.lease_duration = cfg.leader_election.lease_duration;
    lopts.renew_deadline = cfg.leader_election.renew_deadline;
    lopts.retry_period = cfg.leader_election.retry_period;
    elector_client = std::make_unique<kube::Client>(credentials, nullptr, nullptr);
    kube::LeaderCallbacks cb;
    cb.on_started_leading = [&] {
      is_leader.store(true);
      wake.Push(Wake::kStartedLeading);
    };
    cb.on_stopped_leading = [&] {
      is_leader.store(false);
      if (shutting_down.load()) return;
      // Another replica may lead already: stop emitting at once. Everything
      // this process spooled is durable; it is delivered after the restart.
      spdlog::error("lost the leader lease {}/{}; exiting so no two replicas emit",
                    lopts.namespace_, lopts.name);
      spdlog::shutdown();
      std::_Exit(3);
    };
    cb.on_new_leader = [](const std::string& id) { spdlog::info("leader is now {}", id); };
    elector =
        std::make_unique<kube::LeaderElector>(lopts, *elector_client, clock, rng, elector_stop, cb);
    ExportLeader(registry, is_leader, &elector->stats());
    spdlog::info(
        "kubevents starting as {} for lease {}/{}: API server {} ({}), {} receivers, data in {}",
        lopts.identity, lopts.namespace_, lopts.name, client_config->server, client_config->origin,
        hub.size(), data_dir.string());
    elector_thread = std::thread([&] {
      if (auto r = elector->Run(); !r) {
        spdlog::error("leader election: {}", r.error().message);
        wake.Push(Wake::kTerminate);
      }
    });
  } else {
    ExportLeader(registry, is_leader, nullptr);
    spdlog::info("kubevents starting: API server {} ({}), {} receivers, data in {}",
                 client_config->server, client_config->origin, hub.size(), data_dir.string());
    wake.Push(Wake::kStartedLeading);
  }

  // Config changes: polled (a mounted ConfigMap changes by a symlink swap,
  // which inotify on the file would miss) and on SIGHUP.
  StopSignal poll_stop;
  std::thread poller;
  if (!options.config_file.empty()) {
    poller = std::thread([&] {
      FileChangeDetector detector(options.config_file);
      while (!poll_stop.WaitFor(std::chrono::seconds(2))) {
        if (detector.Changed()) wake.Push(Wake::kConfigChanged);
      }
    });
  }

  int exit_code = 0;
  bool exporting = false;
  for (bool running = true; running;) {
    switch (wake.Pop()) {
      case Wake::kStartedLeading: {
        if (exporting) break;
        kube::Checkpoint state;
        if ((*checkpointer)->had_state()) state = (*checkpointer)->TakeRecovered();
        if (cluster_checkpoint) {
          auto resumed = cluster_checkpoint->TakeOver(std::move(state), **checkpointer, hub);
          if (!resumed) {
            spdlog::error("{}", resumed.error().message);
            exit_code = 1;
            running = false;
            break;
          }
          state = std::move(*resumed);
        }
        if (auto r = exporter.Start(state); !r) {
          spdlog::error("{}", r.error().message);
          exit_code = 1;
          running = false;
          break;
        }
        exporting = true;
        break;
      }
      case Wake::kReloadSignal:
      case Wake::kConfigChanged: {
        if (options.config_file.empty()) {
          spdlog::info("no config file to reload (running on the embedded defaults)");
          break;
        }
        Config next;
        try {
          next = Load(options.config_file);
        } catch (const config::Error& e) {
          pipeline.reload_failures.fetch_add(1);
          for (const auto& p : e.problems()) spdlog::error("{}", p.ToString());
          spdlog::error("config reload rejected: {} has errors; the running config stays",
                        options.config_file);
          break;
        }
        for (const auto& key : SettingsNeedingRestart(cfg, next)) {
          spdlog::warn("config reload: {} changed; it takes effect after a restart", key);
        }
        // Build every new or changed receiver first: if one fails, nothing changes.
        std::vector<std::pair<size_t, std::unique_ptr<sinks::Sink>>> built;
        bool ok = true;
        for (size_t i = 0; i < next.receivers.size() && ok; ++i) {
          const auto& rc = next.receivers[i];
          const ReceiverConfig* old = nullptr;
          for (const auto& o : cfg.receivers) {
            if (o.name == rc.name) old = &o;
          }
          if (old && old->fingerprint == rc.fingerprint && hub.Find(rc.name) >= 0 &&
              !hub.retired(static_cast<size_t>(hub.Find(rc.name)))) {
            continue;
          }
          sinks::SinkContext ctx{rc.name, &clock};
          auto sink = rc.build(ctx);
          if (!sink) {
            spdlog::error("config reload rejected: receiver {}: {}", rc.name, sink.error().message);
            ok = false;
            break;
          }
          built.emplace_back(i, std::move(*sink));
        }
        if (!ok) {
          pipeline.reload_failures.fetch_add(1);
          break;
        }
        auto grace = std::chrono::seconds(options.shutdown_grace_seconds);
        for (auto& [i, sink] : built) {
          const auto& rc = next.receivers[i];
          int at = hub.Find(rc.name);
          if (at >= 0) {
            hub.Replace(static_cast<size_t>(at), std::move(sink), rc.delivery, grace);
            spdlog::info("config reload: receiver {} updated", rc.name);
          } else if (auto r = hub.Add(rc.name, std::move(sink), rc.delivery); r) {
            export_receiver(hub.size() - 1);
            spdlog::info("config reload: receiver {} added", rc.name);
          } else {
            spdlog::error("config reload: receiver {}: {}", rc.name, r.error().message);
          }
        }
        for (size_t i = 0; i < hub.size(); ++i) {
          bool kept = false;
          for (const auto& rc : next.receivers) kept |= rc.name == hub.name(i);
          if (!kept && !hub.retired(i)) {
            hub.Retire(i, grace);
            spdlog::info("config reload: receiver {} removed", hub.name(i));
          }
        }
        exporter.SetRouting(MakeRouting(next, hub));
        for (const auto& w : next.warnings) spdlog::warn("{}", w.ToString());
        cfg = std::move(next);
        pipeline.reloads.fetch_add(1);
        spdlog::info("config reloaded from {}: {} receivers", options.config_file,
                     cfg.receivers.size());
        break;
      }
      case Wake::kTerminate:
        running = false;
        break;
    }
  }

  shutting_down.store(true);
  poll_stop.Stop();
  if (poller.joinable()) poller.join();
  // Stop emitting and write the final checkpoint (to the cluster too),
  // then hand the lease over, then drain the spools.
  exporter.Stop();
  if (cluster_checkpoint) cluster_checkpoint->Flush();
  if (elector) {
    elector_stop.Stop();
    if (elector_thread.joinable()) elector_thread.join();
  }
  hub.Stop(std::chrono::seconds(options.shutdown_grace_seconds));
  http.Stop();
  const auto& st = exporter.watcher_stats();
  spdlog::info("stopped: {} events received, {} emitted, {} updates, {} repeats skipped",
               st.received.load(), st.emitted_new.load(), st.emitted_updates.load(),
               st.unchanged.load());
  LogReceiverSummary(hub);
  if (const auto* es = exporter.enricher_stats()) {
    spdlog::info(
        "lookups: {} cache hits, {} misses, {} shared, {} found, {} not found, {} forbidden, {} "
        "errors, {} timeouts, {} skipped",
        es->hits.load(), es->misses.load(), es->shared.load(), es->found.load(),
        es->not_found.load(), es->forbidden.load(), es->errors.load(), es->timeouts.load(),
        es->skipped.load());
  }
  curl_global_cleanup();
  return exit_code;
}

}  // namespace kv::app
