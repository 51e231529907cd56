#include "app/run.h"

#include <curl/curl.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "app/config.h"
#include "delivery/worker.h"
#include "kube/client.h"
#include "kube/client_config.h"
#include "kube/enricher.h"
#include "kube/watcher.h"
#include "route/tree.h"
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
  sigset_t signals = BlockSignals();
  curl_global_init(CURL_GLOBAL_DEFAULT);

  SystemClock clock;
  DefaultRng rng;
  StopSignal stop;

  // Receivers: built (connected) now, each with its worker thread.
  std::vector<std::unique_ptr<delivery::Worker>> workers;
  for (const auto& rc : cfg.receivers) {
    sinks::SinkContext ctx{rc.name, &clock};
    auto sink = rc.build(ctx);
    if (!sink) {
      spdlog::error("receiver {}: {}", rc.name, sink.error().message);
      return 1;
    }
    workers.push_back(std::make_unique<delivery::Worker>(rc.name, std::move(*sink),
                                                         delivery::WorkerOptions{}, rng));
  }
  for (auto& w : workers) w->Start();

  auto credentials = std::make_shared<kube::Credentials>(*client_config, clock);
  auto limiter = std::make_shared<kube::RateLimiter>(cfg.kube_qps, cfg.kube_burst, clock);
  kube::Client client(credentials, limiter, &stop);

  // Involved-object lookups, on their own thread with their own Client.
  std::unique_ptr<kube::Enricher> enricher;
  if (!cfg.omit_lookup) {
    kube::EnricherOptions eopts;
    eopts.cache_size = static_cast<size_t>(cfg.cache_size);
    eopts.deadline = cfg.lookup_timeout;
    enricher = std::make_unique<kube::Enricher>(
        eopts,
        kube::MakeApiFetcher(std::make_unique<kube::Client>(credentials, limiter, &stop), clock,
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

  std::shared_ptr<const route::Tree> tree = cfg.route;
  route::ReceiverSet reached(workers.size());
  kube::Watcher watcher(wopts, client, clock, rng, stop, [&](event::Event ev, bool update) {
    if (update && !cfg.emit_updates) return;
    if (enricher) enricher->Enrich(ev);
    tree->Evaluate(ev, &reached);
    if (reached.hits().empty()) return;
    auto shared = std::make_shared<const event::Event>(std::move(ev));
    for (int i : reached.hits()) workers[static_cast<size_t>(i)]->Enqueue(shared);
  });

  spdlog::info("kubevents starting: API server {} ({}), {} receivers", client_config->server,
               client_config->origin, workers.size());
  if (auto r = watcher.Start(); !r) {
    spdlog::error("{}", r.error().message);
    for (auto& w : workers) w->Stop(std::chrono::seconds(0));
    return 1;
  }
  spdlog::info("watching events from resourceVersion {}", watcher.resource_version());

  std::thread watch_thread([&] { watcher.Run(); });

  // Wait for a signal (or for the watcher to die, which it does not).
  for (;;) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: config reload is not implemented yet; ignoring");
      continue;
    }
    spdlog::info("signal {}: shutting down", sig);
    break;
  }
  stop.Stop();
  watch_thread.join();
  if (enricher) enricher->Stop();
  for (auto& w : workers) w->Stop(std::chrono::seconds(options.shutdown_grace_seconds));
  const auto& st = watcher.stats();
  spdlog::info("stopped: {} events received, {} emitted, {} updates, {} repeats skipped",
               st.received.load(), st.emitted_new.load(), st.emitted_updates.load(),
               st.unchanged.load());
  if (enricher) {
    const auto& es = enricher->stats();
    spdlog::info(
        "lookups: {} cache hits, {} misses, {} shared, {} found, {} not found, {} forbidden, {} "
        "errors, {} timeouts, {} skipped",
        es.hits.load(), es.misses.load(), es.shared.load(), es.found.load(), es.not_found.load(),
        es.forbidden.load(), es.errors.load(), es.timeouts.load(), es.skipped.load());
  }
  curl_global_cleanup();
  return 0;
}

}  // namespace kv::app
