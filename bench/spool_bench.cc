// Spool throughput: append + publish on one thread, take + ack on another
// (as the watcher and a receiver's worker do), with the fsync policy given
// on the command line and a syncer thread for `interval`. Prints events/s
// and MB/s. Events are real-shaped (an Event with the fields and sizes of
// the recorded stream, ~1 KB encoded).
//
//   spool_bench [EVENTS] [interval|always|never] [BATCH]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "delivery/spool.h"

using namespace kv;

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  std::string policy = argc > 2 ? argv[2] : "interval";
  size_t batch = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 500;
  auto dir =
      std::filesystem::temp_directory_path() / ("kv-spool-bench-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);

  delivery::SpoolOptions o;
  o.dir = dir;
  o.fsync = policy == "always"  ? delivery::FsyncPolicy::kAlways
            : policy == "never" ? delivery::FsyncPolicy::kNever
                                : delivery::FsyncPolicy::kInterval;
  PosixEnv env;
  SystemClock clock;
  auto spool = delivery::Spool::Open(o, env, clock);
  if (!spool) {
    std::fprintf(stderr, "%s\n", spool.error().message.c_str());
    return 1;
  }
  delivery::Spool& s = **spool;

  auto ev = std::make_shared<event::Event>();
  ev->metadata.name = "web-7d4b9c8f6d-x2x9z.17a1b2c3d4e5f6a7";
  ev->metadata.namespace_ = "production";
  ev->metadata.uid = "0b6f3c52-5a2e-4c59-9d1e-6b9a2f0c1d3e";
  ev->metadata.resource_version = "123456789";
  ev->metadata.creation_timestamp = "2026-11-26T10:00:00Z";
  ev->involved_object.kind = "Pod";
  ev->involved_object.namespace_ = "production";
  ev->involved_object.name = "web-7d4b9c8f6d-x2x9z";
  ev->involved_object.uid = "5e0c7b0a-1c1e-4f0b-8b7a-3e2d1c0b9a87";
  ev->involved_object.api_version = "v1";
  ev->involved_object.resource_version = "98765";
  ev->involved_object.field_path = "spec.containers{web}";
  ev->involved_object.labels = {{"app", "web"}, {"pod-template-hash", "7d4b9c8f6d"}};
  ev->reason = "Pulled";
  ev->message =
      "Successfully pulled image \"registry.example.com/web:1.2.3\" in 1.234s (1.234s "
      "including waiting). Image size: 123456789 bytes.";
  ev->source.component = "kubelet";
  ev->source.host = "ip-10-0-1-23.eu-west-1.compute.internal";
  ev->first_timestamp = ev->last_timestamp = "2026-11-26T10:00:00Z";
  ev->count = 1;
  ev->type = "Normal";
  ev->cluster_name = "prod-eu";
  event::EventPtr shared = ev;

  std::atomic<bool> stop_sync{false};
  std::thread syncer([&] {
    while (!stop_sync && o.fsync == delivery::FsyncPolicy::kInterval) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      s.Sync();
    }
  });
  std::atomic<size_t> acked{0};
  auto t0 = std::chrono::steady_clock::now();
  std::thread reader([&] {
    while (acked < n) {
      auto got = s.Take(batch, 8 << 20, std::chrono::milliseconds(0),
                        std::chrono::steady_clock::now() + std::chrono::milliseconds(100));
      s.Ack();
      acked += got.size();
    }
  });
  for (size_t i = 0; i < n; ++i) {
    if (!s.Append(shared, i + 1)) return 1;
    if (o.fsync == delivery::FsyncPolicy::kAlways) s.Sync();
    s.Publish();
  }
  auto appended = std::chrono::steady_clock::now();
  reader.join();
  auto done = std::chrono::steady_clock::now();
  stop_sync = true;
  syncer.join();
  double secs = std::chrono::duration<double>(done - t0).count();
  double append_secs = std::chrono::duration<double>(appended - t0).count();
  uint64_t bytes = delivery::Spool::EncodePayload(*ev).size() + 24;
  std::printf(
      "spool fsync=%s: %zu events (%llu bytes each) appended+acked in %.3f s: %.0f events/s, "
      "%.1f MB/s (append side alone: %.0f events/s)\n",
      policy.c_str(), n, static_cast<unsigned long long>(bytes), secs, n / secs,
      n * bytes / secs / 1e6, n / append_secs);
  std::filesystem::remove_all(dir);
  return 0;
}
