// The watcher's hot path on a recorded stream, on one core: decode each
// watch frame (simdjson), decide new/update/repeat, evaluate a route,
// encode the reference JSON and append it to a file. Prints events/s and
// peak RSS. Input: bench/record_stream.py's output.
//
// usage: decode_write_bench STREAM.ndjson [OUT_FILE]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "config/node.h"
#include "event/decode.h"
#include "event/encode.h"
#include "kube/emitted_set.h"
#include "route/tree.h"
#include "sinks/file/rotating_writer.h"
#include "util/clock.h"

namespace {
// Current resident set size in MiB, from /proc/self/status.
double CurrentRssMiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s STREAM.ndjson [OUT_FILE]\n", argv[0]);
    return 2;
  }
  std::vector<std::string> lines;
  {
    std::ifstream in(argv[1]);
    std::string line;
    while (std::getline(in, line)) lines.push_back(std::move(line));
  }
  size_t bytes = 0;
  for (const auto& l : lines) bytes += l.size() + 1;
  std::string out_path = argc > 2 ? argv[2] : "/tmp/kubevents-bench-out.jsonl";
  std::remove(out_path.c_str());

  auto diag = std::make_shared<kv::config::Diagnostics>();
  // A typical route: drop noise, send warnings to one receiver, the rest to another.
  auto route = kv::route::Tree::Parse(kv::config::ParseYaml(R"(
drop: [{namespace: "^kube-system$"}]
routes:
  - match: [{type: Warning, receiver: out}]
  - match: [{receiver: out}]
)",
                                                            "bench", diag),
                                      {"out"});
  kv::SystemClock clock;
  kv::sinks::file::RotatingWriter writer(out_path, {.max_bytes = 0}, clock);
  kv::event::Decoder decoder;
  kv::kube::EmittedSet emitted;
  kv::route::ReceiverSet reached(1);
  std::string batch;
  size_t written = 0;
  size_t errors = 0;

  double rss_before = CurrentRssMiB();
  auto start = std::chrono::steady_clock::now();
  for (const auto& line : lines) {
    auto frame = decoder.DecodeWatchFrame(line);
    if (!frame) {
      ++errors;
      continue;
    }
    if (emitted.Observe(frame->event) == kv::kube::Novelty::kUnchanged) continue;
    route.Evaluate(frame->event, &reached);
    if (reached.hits().empty()) continue;
    kv::event::EncodeJson(frame->event, {}, &batch);
    batch.push_back('\n');
    ++written;
    if (batch.size() > (256u << 10)) {
      (void)writer.Write(batch);
      batch.clear();
    }
  }
  (void)writer.Write(batch);
  writer.Close();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("events:        %zu (%zu written, %zu undecodable)\n", lines.size(), written, errors);
  std::printf("input:         %.1f MiB\n", static_cast<double>(bytes) / (1 << 20));
  std::printf("time:          %.3f s on one thread\n", secs);
  std::printf("throughput:    %.0f events/s, %.1f MiB/s\n",
              static_cast<double>(lines.size()) / secs,
              static_cast<double>(bytes) / (1 << 20) / secs);
  double peak = static_cast<double>(ru.ru_maxrss) / 1024;
  std::printf(
      "peak RSS:      %.1f MiB, of which %.1f MiB is the input held in memory before the "
      "run;\n               the pipeline itself added %.1f MiB\n",
      peak, rss_before, peak - rss_before);
  return 0;
}
