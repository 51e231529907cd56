// Events per second through the kinesis receiver to moto (not AWS): the
// sink's own Send path (encode, split, sign, HTTP, parse) with batches of
// 500, one worker thread as in kubevents. moto's speed dominates; the
// figure says what one receiver sustains against a slow local peer, not
// against AWS. Usage: kinesis_moto_bench MOTO_URL STREAM EVENTS
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "sinks/aws/client.h"
#include "sinks/aws/kinesis/sink.h"

namespace {

class StaticCredentials final : public kv::aws::CredentialProvider {
 public:
  kv::Result<kv::aws::Credentials> Get() override {
    kv::aws::Credentials c;
    c.access_key_id = "testing";
    c.secret_access_key = "testing";
    return c;
  }
};

kv::event::EventPtr SampleEvent(int i) {
  auto ev = std::make_shared<kv::event::Event>();
  ev->metadata.name = "bench." + std::to_string(i);
  ev->metadata.namespace_ = "default";
  ev->metadata.uid = "uid-" + std::to_string(i);
  ev->metadata.resource_version = std::to_string(i + 1);
  ev->involved_object.kind = "Pod";
  ev->involved_object.namespace_ = "default";
  ev->involved_object.name = "web-" + std::to_string(i % 50);
  ev->reason = "Pulled";
  ev->type = "Normal";
  ev->message = "Successfully pulled image \"nginx:1.25\"";
  ev->last_timestamp = "2024-05-01T10:00:00Z";
  return ev;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s MOTO_URL STREAM EVENTS\n", argv[0]);
    return 2;
  }
  kv::SystemClock clock;
  kv::sinks::aws::kinesis::KinesisConfig config;
  config.stream_name = argv[2];
  int total = std::atoi(argv[3]);
  auto client = std::make_unique<kv::sinks::aws::Client>(
      argv[1], kv::aws::SignOptions{"us-east-1", "kinesis", false, false},
      std::make_shared<StaticCredentials>(), clock);
  auto sink = kv::sinks::aws::kinesis::Make(config, std::move(client));
  std::vector<kv::event::EventPtr> events;
  for (int i = 0; i < total; ++i) events.push_back(SampleEvent(i));
  auto start = std::chrono::steady_clock::now();
  int delivered = 0, requests = 0;
  for (size_t at = 0; at < events.size(); at += 500) {
    size_t n = std::min<size_t>(500, events.size() - at);
    std::span<const kv::event::EventPtr> batch(events.data() + at, n);
    for (int attempt = 0; attempt < 100; ++attempt) {
      ++requests;
      auto out = sink->Send(batch);
      if (out.request == kv::sinks::Verdict::kDelivered && out.items.empty()) {
        delivered += static_cast<int>(n);
        break;
      }
      std::fprintf(stderr, "batch not delivered: %s\n", out.reason.c_str());
      if (out.request == kv::sinks::Verdict::kReject) return 1;
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("kinesis via moto: %d events in %d requests, %.2f s, %.0f events/s\n", delivered,
              requests, secs, delivered / secs);
  return delivered == total ? 0 : 1;
}
