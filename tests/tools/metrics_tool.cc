// metrics_tool: serves a server::Registry holding every kind of metric (with
// awkward label values) through server::HttpServer, for
// tests/integration/server/test_metrics_endpoint.py, which parses /metrics
// with the official Prometheus Python client.
//
//   metrics_tool [--address 127.0.0.1:0] [--prefix kubevents_] [--ready-file PATH]
//
// Prints "PORT <n>" once listening; /readyz is ready while PATH exists.
// Runs until SIGTERM/SIGINT, then prints "STOPPED".
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <filesystem>

#include "server/http_server.h"
#include "server/metrics.h"
#include "util/log.h"

int main(int argc, char** argv) {
  using namespace kv::server;
  std::string address = "127.0.0.1:0", prefix = "kubevents_", ready_file;
  CLI::App app{"metrics_tool"};
  app.add_option("--address", address);
  app.add_option("--prefix", prefix);
  app.add_option("--ready-file", ready_file);
  CLI11_PARSE(app, argc, argv);
  (void)kv::log::Setup("info", "text");

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  Registry reg({prefix, 100});
  Counter* events = *reg.AddCounter("events_total", "Events seen.\nA second line with \\.");
  events->Inc(1234567);
  Gauge* temp = *reg.AddGauge("temperature_celsius", "A negative fractional gauge.");
  temp->Set(-12.5);
  Gauge* big = *reg.AddGauge("big_bytes", "A large integer gauge.");
  big->Set(123456789012.0);
  CounterFamily* sent =
      *reg.AddCounterFamily("sent_total", "Events sent per receiver.", {"receiver", "kind"});
  sent->WithLabels({"opensearch", "opensearch"}).Inc(10);
  sent->WithLabels({"we\"ird\\name\nline", "file"}).Inc(3);
  HistogramFamily* lat = *reg.AddHistogramFamily("send_duration_seconds", "Send latency.",
                                                 {"receiver"}, {0.01, 0.1, 1, 10});
  for (double v : {0.005, 0.05, 0.05, 0.5, 5.0, 50.0}) lat->WithLabels({"opensearch"}).Observe(v);
  std::atomic<uint64_t> watched{42};
  (void)reg.AddCollector(
      {{"watcher_events_received_total", "Collected counter.", MetricType::kCounter, {}},
       {"watcher_lag_seconds", "Collected gauge.", MetricType::kGauge, {"source"}}},
      [&](Collection& out) {
        out.Add("watcher_events_received_total", static_cast<double>(watched.load()));
        out.Add("watcher_lag_seconds", {"core/v1"}, 0.25);
      });

  HttpServerOptions options;
  options.address = address;
  HttpServer server(options, reg);
  server.AddReadinessCheck("ready-file", [&] {
    bool ok = !ready_file.empty() && std::filesystem::exists(ready_file);
    return CheckResult{ok, ok ? "" : "waiting for " + ready_file};
  });
  if (auto r = server.Start(); !r) {
    std::fprintf(stderr, "%s\n", r.error().message.c_str());
    return 1;
  }
  std::printf("PORT %d\n", server.port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  server.Stop();
  std::printf("STOPPED\n");
  return 0;
}
