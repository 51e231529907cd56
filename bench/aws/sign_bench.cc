// What signing costs per AWS request (SigV4: canonical request, SHA-256 of
// the body, HMAC chain with the cached key), and what encoding a full
// PutRecords request costs, for the body sizes the AWS receivers send.
// Google Benchmark; run through bench/aws/run.sh.
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "aws/sigv4.h"
#include "event/event.h"
#include "sinks/aws/kinesis/encoder.h"
#include "sinks/aws/kinesis/request.h"

namespace {

kv::aws::Credentials Creds() {
  kv::aws::Credentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  c.session_token = std::string(400, 't');  // IRSA/IMDS tokens are long
  return c;
}

kv::event::EventPtr SampleEvent(int i) {
  auto ev = std::make_shared<kv::event::Event>();
  ev->metadata.name = "web-0.17a" + std::to_string(i);
  ev->metadata.namespace_ = "default";
  ev->metadata.uid = "6b1c0c0e-0000-4000-8000-" + std::to_string(100000000000 + i);
  ev->metadata.resource_version = std::to_string(1000 + i);
  ev->involved_object.kind = "Pod";
  ev->involved_object.namespace_ = "default";
  ev->involved_object.name = "web-" + std::to_string(i % 50);
  ev->involved_object.uid = "obj-" + std::to_string(i % 50);
  ev->reason = "Pulled";
  ev->type = "Normal";
  ev->message = "Successfully pulled image \"nginx:1.25\" in 1.2s (1.2s including waiting)";
  ev->source.component = "kubelet";
  ev->first_timestamp = ev->last_timestamp = "2024-05-01T10:00:00Z";
  ev->count = 1;
  return ev;
}

void BM_SignRequest(benchmark::State& state) {
  kv::aws::Signer signer({"eu-west-1", "kinesis", false, false});
  auto creds = Creds();
  std::string body(static_cast<size_t>(state.range(0)), 'x');
  auto now = std::chrono::system_clock::now();
  for (auto _ : state) {
    kv::http::Request req;
    req.method = "POST";
    req.url = "https://kinesis.eu-west-1.amazonaws.com/";
    req.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                   {"X-Amz-Target", "Kinesis_20131202.PutRecords"}};
    req.body = body;
    signer.Sign(req, creds, now);
    benchmark::DoNotOptimize(req.headers);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_SignRequest)->Arg(1 << 10)->Arg(256 << 10)->Arg(5 << 20);

void BM_EncodePutRecords500(benchmark::State& state) {
  kv::sinks::aws::kinesis::KinesisConfig config;
  config.stream_name = "events";
  std::vector<kv::event::EventPtr> events;
  for (int i = 0; i < 500; ++i) events.push_back(SampleEvent(i));
  size_t bytes = 0;
  for (auto _ : state) {
    std::vector<kv::sinks::aws::kinesis::Record> records;
    records.reserve(events.size());
    for (const auto& ev : events) records.push_back(*kv::sinks::aws::kinesis::Encode(ev, config));
    std::string body = kv::sinks::aws::kinesis::EncodePutRecords(config.stream_name, records);
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.counters["body_bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 500);
}
BENCHMARK(BM_EncodePutRecords500);

}  // namespace

BENCHMARK_MAIN();
