// Drives one search receiver (opensearch or elasticsearch) the way the
// delivery worker does, so the integration tests can check its per-item
// verdicts against a real server:
//
//   search_sink_tool CONFIG.yaml EVENTS.jsonl [ROUNDS [BATCH]]
//
// CONFIG.yaml holds one receiver block (name + kind). EVENTS.jsonl holds
// one core/v1 Event JSON per line. The whole batch is sent once; then, for
// up to ROUNDS-1 more rounds (default 1: no resend), only the events the
// sink answered kRetry are sent again after 300 ms. Each round prints one
// JSON line: {"round":N,"sent":K,"request":"...","items":[...],
// "item_reasons":[...],"reason":"..."}. Exit 0 after the last round, 2 on
// a config or input problem (printed to stderr).
//
// With BATCH > 0 (bench/search/run.sh), the events are sent in batches of
// BATCH, each with its rounds, and only one summary line is printed:
// {"events":N,"seconds":S,"delivered":D,"rejected":R,"requests":Q}. With
// $SEARCH_SINK_TOOL_DUMP set to a folder, nothing is sent: each batch's
// bulk body is written there as NNNNN.ndjson (the loader's input).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "config/node.h"
#include "event/decode.h"
#include "sinks/common/aws_access.h"
#include "sinks/registry.h"
#include "sinks/search/config.h"
#include "sinks/search/encoder.h"
#include "util/files.h"
#include "util/json_writer.h"
#include "util/log.h"

namespace {

const char* Name(kv::sinks::Verdict v) {
  switch (v) {
    case kv::sinks::Verdict::kDelivered:
      return "delivered";
    case kv::sinks::Verdict::kRetry:
      return "retry";
    case kv::sinks::Verdict::kReject:
      return "reject";
  }
  return "?";
}

void Print(int round, size_t sent, const kv::sinks::SendOutcome& out) {
  std::string line;
  kv::json::Writer w(&line);
  w.BeginObject();
  w.Key("round");
  w.Int(round);
  w.Key("sent");
  w.Int(static_cast<int64_t>(sent));
  w.Key("request");
  w.String(Name(out.request));
  w.Key("items");
  w.BeginArray();
  for (auto v : out.items) w.String(Name(v));
  w.EndArray();
  w.Key("item_reasons");
  w.BeginArray();
  for (const auto& r : out.item_reasons) w.String(r);
  w.EndArray();
  w.Key("reason");
  w.String(out.reason);
  w.EndObject();
  std::cout << line << std::endl;
}

struct Totals {
  size_t delivered = 0, rejected = 0, requests = 0;
  void Add(const Totals& o) {
    delivered += o.delivered;
    rejected += o.rejected;
    requests += o.requests;
  }
};

// Sends `batch`, then up to rounds-1 times what was answered kRetry.
Totals SendWithRounds(kv::sinks::Sink& sink, std::vector<kv::event::EventPtr> batch, int rounds,
                      bool print) {
  Totals t;
  for (int round = 1; round <= rounds && !batch.empty(); ++round) {
    if (round > 1) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    kv::sinks::SendOutcome out = sink.Send(batch);
    ++t.requests;
    if (print) Print(round, batch.size(), out);
    std::vector<kv::event::EventPtr> again;
    if (out.request == kv::sinks::Verdict::kRetry) {
      again = batch;
    } else if (out.request == kv::sinks::Verdict::kReject) {
      t.rejected += batch.size();
    } else {
      for (size_t i = 0; i < batch.size(); ++i) {
        auto v = i < out.items.size() ? out.items[i] : kv::sinks::Verdict::kDelivered;
        if (v == kv::sinks::Verdict::kRetry) again.push_back(batch[i]);
        if (v == kv::sinks::Verdict::kReject) ++t.rejected;
        if (v == kv::sinks::Verdict::kDelivered) ++t.delivered;
      }
    }
    batch.swap(again);
  }
  return t;
}

// Writes each batch's bulk body, encoded as the receiver would, to `dir`.
int Dump(const kv::config::Node& root, const std::vector<kv::event::EventPtr>& batch,
         size_t batch_size, const std::string& dir) {
  auto diag = std::make_shared<kv::config::Diagnostics>();
  kv::config::Node body(root.Child("opensearch").yaml(), "dump", "opensearch", diag);
  kv::sinks::search::SearchConfig config =
      kv::sinks::search::ParseSearchConfig(body, kv::sinks::search::Engine::kOpenSearch, {});
  kv::sinks::search::BulkBody bulk;
  int file = 0;
  for (size_t at = 0; at < batch.size(); at += batch_size) {
    size_t n = std::min(batch_size, batch.size() - at);
    std::span<const kv::event::EventPtr> part(batch.data() + at, n);
    kv::sinks::search::EncodeBulk(part, config, false, std::chrono::system_clock::now(), &bulk);
    char name[32];
    std::snprintf(name, sizeof name, "/%05d.ndjson", file++);
    std::ofstream(dir + name, std::ios::binary) << bulk.ndjson;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: search_sink_tool CONFIG.yaml EVENTS.jsonl [ROUNDS]\n";
    return 2;
  }
  int rounds = argc > 3 ? std::atoi(argv[3]) : 1;
  // Logs to stderr: stdout carries only the outcome lines.
  (void)kv::log::Setup("info", "text");
  auto text = kv::files::Read(argv[1]);
  if (!text) {
    std::cerr << text.error().message << "\n";
    return 2;
  }
  auto diag = std::make_shared<kv::config::Diagnostics>();
  kv::config::Node root = kv::config::ParseYaml(*text, argv[1], diag);
  kv::sinks::Builder builder = kv::sinks::ParseReceiver(root);
  for (const auto& p : diag->problems()) std::cerr << p.ToString() << "\n";
  if (diag->HasErrors() || !builder) return 2;

  std::vector<kv::event::EventPtr> batch;
  std::ifstream in(argv[2]);
  kv::event::Decoder decoder;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto ev = decoder.DecodeEvent(line);
    if (!ev) {
      std::cerr << "bad event: " << ev.error().message << "\n";
      return 2;
    }
    batch.push_back(std::make_shared<const kv::event::Event>(std::move(*ev)));
  }
  kv::SystemClock clock;
  kv::sinks::common::AwsAccessPool aws(clock);
  auto sink = builder(kv::sinks::SinkContext{root.String("name"), &clock, &aws});
  if (!sink) {
    std::cerr << sink.error().message << "\n";
    return 2;
  }
  size_t batch_size = argc > 4 ? static_cast<size_t>(std::atol(argv[4])) : 0;
  if (batch_size == 0) {
    SendWithRounds(**sink, batch, rounds, true);
    (*sink)->Close();
    return 0;
  }
  if (const char* dump = std::getenv("SEARCH_SINK_TOOL_DUMP")) {
    return Dump(root, batch, batch_size, dump);
  }
  Totals totals;
  auto start = std::chrono::steady_clock::now();
  for (size_t at = 0; at < batch.size(); at += batch_size) {
    size_t n = std::min(batch_size, batch.size() - at);
    std::vector<kv::event::EventPtr> part(batch.begin() + at, batch.begin() + at + n);
    totals.Add(SendWithRounds(**sink, part, rounds, false));
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "{\"events\":%zu,\"seconds\":%.3f,\"delivered\":%zu,\"rejected\":%zu,\"requests\":%zu}\n",
      batch.size(), seconds, totals.delivered, totals.rejected, totals.requests);
  (*sink)->Close();
  return 0;
}
