// Routing and layout rendering on one core: 100k recorded events (decoded
// beforehand, not timed) through a realistic 10-route tree, and each event
// that reaches a receiver rendered through that receiver's layout. Prints
// events/s. Input: bench/record_stream.py's output.
//
// usage: route_layout_bench STREAM.ndjson
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "config/node.h"
#include "event/decode.h"
#include "route/tree.h"
#include "tmpl/event_value.h"
#include "tmpl/layout.h"

namespace {

constexpr const char* kRoutes = R"(
drop:
  - namespace: "^kube-system$"
  - reason: "^(Pulling|Pulled)$"
routes:
  - match: [{type: Warning, receiver: alerts}]
  - match: [{reason: "FailedScheduling|BackOff|OOMKilling", receiver: oncall}]
  - match: [{kind: "Deployment|ReplicaSet", receiver: deploys}]
  - match: [{namespace: "^bench-", receiver: archive}]
  - drop: [{type: Normal}]
    match: [{kind: Pod, receiver: pods}]
  - match: [{labels: {app: "^app[0-9]$"}, receiver: apps}]
  - match: [{message: "(?i)error|fail", receiver: errors}]
  - match: [{minCount: 5, receiver: noisy}]
  - match: [{component: "scheduler", receiver: sched}]
  - match: [{apiVersion: "^apps/", receiver: archive}]
)";

constexpr const char* kLayout = R"(
cluster: "{{ .ClusterName }}"
what: "{{ .Reason }} {{ .InvolvedObject.Kind }}/{{ .InvolvedObject.Name }}"
message: "{{ .Message }}"
namespace: "{{ .Namespace }}"
time: "{{ .GetTimestampISO8601 }}"
level: '{{ if eq .Type "Warning" }}warn{{ else }}info{{ end }}'
count: "{{ .Count }}"
key: "{{ .IdempotencyKey }}"
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s STREAM.ndjson\n", argv[0]);
    return 2;
  }
  std::vector<kv::event::EventPtr> events;
  {
    std::ifstream in(argv[1]);
    std::string line;
    kv::event::Decoder decoder(kv::event::ApiGroup::kCore, /*keep_raw=*/false);
    while (std::getline(in, line)) {
      if (auto f = decoder.DecodeWatchFrame(line)) {
        f->event.cluster_name = "bench";
        events.push_back(std::make_shared<const kv::event::Event>(std::move(f->event)));
      }
    }
  }
  std::vector<std::string> receivers{"alerts", "oncall", "deploys", "archive", "pods",
                                     "apps",   "errors", "noisy",   "sched"};
  auto diag = std::make_shared<kv::config::Diagnostics>();
  auto tree = kv::route::Tree::Parse(kv::config::ParseYaml(kRoutes, "bench", diag), receivers);
  // KUBEVENTS_BENCH_LAYOUT replaces the layout (YAML), to compare layouts.
  const char* custom = std::getenv("KUBEVENTS_BENCH_LAYOUT");
  auto layout = kv::tmpl::Layout::Parse(YAML::Load(custom != nullptr ? custom : kLayout));
  if (diag->HasErrors() || !layout) {
    std::fprintf(stderr, "bad bench config\n");
    return 1;
  }
  kv::route::ReceiverSet reached(receivers.size());
  size_t deliveries = 0;
  size_t bytes = 0;
  size_t errors = 0;
  auto start = std::chrono::steady_clock::now();
  for (const auto& ev : events) {
    tree.Evaluate(*ev, &reached);
    if (reached.hits().empty()) continue;
    // One render per event: every receiver here shares the layout.
    auto json = layout->Render(kv::tmpl::EventToValue(ev));
    if (!json) {
      ++errors;
      continue;
    }
    bytes += json->size();
    deliveries += reached.hits().size();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // The two parts alone, to see where the time goes.
  auto t0 = std::chrono::steady_clock::now();
  size_t hits = 0;
  for (const auto& ev : events) {
    tree.Evaluate(*ev, &reached);
    hits += reached.hits().size();
  }
  auto t1 = std::chrono::steady_clock::now();
  for (const auto& ev : events) bytes += layout->Render(kv::tmpl::EventToValue(ev))->size();
  auto t2 = std::chrono::steady_clock::now();
  auto per_event_ns = [&](auto a, auto b) {
    return std::chrono::duration<double, std::nano>(b - a).count() /
           static_cast<double>(events.size());
  };
  std::printf("events:        %zu (%zu deliveries to 9 receivers, %zu render errors)\n",
              events.size(), deliveries, errors);
  std::printf("rendered:      %.1f MiB of JSON\n", static_cast<double>(bytes) / (1 << 20));
  std::printf("time:          %.3f s on one thread\n", secs);
  std::printf("throughput:    %.0f events/s (route + layout)\n",
              static_cast<double>(events.size()) / secs);
  std::printf("per event:     route %.0f ns, layout %.0f ns (%zu route hits)\n",
              per_event_ns(t0, t1), per_event_ns(t1, t2), hits);
  return 0;
}
