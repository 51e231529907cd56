// lease_tool: drives kube::LeaderElector and kube::ConfigMapStore against a
// real API server for tests/integration/kube/test_leader_election.py.
//
//   lease_tool elect --kubeconfig K --namespace NS --name N --identity ID
//                    [--lease-ms 15000] [--renew-ms 10000] [--retry-ms 2000] [--no-release]
//     Runs an elector until SIGTERM/SIGINT. Prints one line per fact, with
//     the Unix time in ms first: "<ms> STARTED <id>", "<ms> LEADING <id>",
//     "<ms> NEW_LEADER <holder>", "<ms> STOPPED <id>", "<ms> EXIT <id>".
//   lease_tool cm-save --kubeconfig K --namespace NS --name N --key KEY --file F
//     Saves the content of F. Exit 0, 4 on a conflict, 1 on another error.
//   lease_tool cm-load ... --key KEY [--file F]
//     Prints (or writes to F) the value. Exit 0, 3 when absent, 1 on error.
//   lease_tool cm-race ... --key KEY
//     Two stores with their own clients load, then both save: prints
//     "A <result>" and "B <result>" (ok or conflict), then B loads and saves
//     again and prints "B-retry <result>", then "FINAL <value>".
#include <curl/curl.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "kube/client.h"
#include "kube/client_config.h"
#include "kube/configmap_store.h"
#include "kube/credentials.h"
#include "kube/leader_election.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/rng.h"
#include "util/stop.h"

namespace {

using namespace kv;

void Say(const std::string& what, const std::string& who) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  std::printf("%lld %s %s\n", static_cast<long long>(ms), what.c_str(), who.c_str());
  std::fflush(stdout);
}

struct Common {
  std::string kubeconfig;
  std::string namespace_ = "default";
  std::string name;
};

std::unique_ptr<kube::Client> MakeClient(const Common& c, SystemClock& clock) {
  auto cfg = kube::ResolveClientConfig({c.kubeconfig, ""});
  if (!cfg) {
    std::fprintf(stderr, "kubeconfig: %s\n", cfg.error().message.c_str());
    std::exit(1);
  }
  auto creds = std::make_shared<kube::Credentials>(*cfg, clock);
  return std::make_unique<kube::Client>(creds, nullptr, nullptr);
}

int Elect(const Common& c, const std::string& identity, int lease_ms, int renew_ms, int retry_ms,
          bool no_release) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  SystemClock clock;
  DefaultRng rng;
  StopSignal stop;
  auto client = MakeClient(c, clock);
  std::thread signals([&] {
    int sig = 0;
    sigwait(&set, &sig);
    stop.Stop();
  });
  kube::LeaderElectionOptions o;
  o.namespace_ = c.namespace_;
  o.name = c.name;
  o.identity = identity;
  o.lease_duration = std::chrono::milliseconds(lease_ms);
  o.renew_deadline = std::chrono::milliseconds(renew_ms);
  o.retry_period = std::chrono::milliseconds(retry_ms);
  o.release_on_stop = !no_release;
  kube::LeaderCallbacks cb;
  cb.on_started_leading = [&] { Say("LEADING", identity); };
  cb.on_stopped_leading = [&] { Say("STOPPED", identity); };
  cb.on_new_leader = [](const std::string& holder) { Say("NEW_LEADER", holder); };
  kube::LeaderElector elector(o, *client, clock, rng, stop, cb);
  Say("STARTED", identity);
  auto r = elector.Run();
  Say("EXIT", identity);
  if (!stop.Stopped()) pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().message.c_str());
    return 1;
  }
  return 0;
}

int Result(const kv::Result<void>& r) {
  if (r) return 0;
  std::fprintf(stderr, "%s\n", r.error().message.c_str());
  return r.error().http_status == 409 ? 4 : 1;
}

std::string Describe(const kv::Result<void>& r) {
  if (r) return "ok";
  return r.error().http_status == 409 ? "conflict" : "error: " + r.error().message;
}

int ConfigMap(const std::string& cmd, const Common& c, const std::string& key,
              const std::string& file) {
  SystemClock clock;
  auto client = MakeClient(c, clock);
  kube::ConfigMapStoreOptions o{c.namespace_, c.name, key};
  kube::ConfigMapStore store(o, *client);
  if (cmd == "cm-save") {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return Result(store.Save(ss.str()));
  }
  if (cmd == "cm-load") {
    auto v = store.Load();
    if (!v) {
      std::fprintf(stderr, "%s\n", v.error().message.c_str());
      return 1;
    }
    if (!*v) return 3;
    if (file.empty()) {
      std::fwrite((*v)->data(), 1, (*v)->size(), stdout);
    } else {
      std::ofstream(file, std::ios::binary) << **v;
    }
    return 0;
  }
  // cm-race
  auto client_b = MakeClient(c, clock);
  kube::ConfigMapStore b(o, *client_b);
  if (!store.Load() || !b.Load()) return 1;
  std::printf("A %s\n", Describe(store.Save("written by A")).c_str());
  std::printf("B %s\n", Describe(b.Save("written by B")).c_str());
  auto seen = b.Load();
  if (!seen || !*seen) return 1;
  std::printf("B-saw %s\n", (*seen)->c_str());
  std::printf("B-retry %s\n", Describe(b.Save("written by B")).c_str());
  auto final_value = store.Load();
  if (!final_value || !*final_value) return 1;
  std::printf("FINAL %s\n", (*final_value)->c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)kv::log::Setup("info", "text");  // stderr: stdout carries the tool's answers
  CLI::App app{"lease_tool: leader election and ConfigMap store against an API server"};
  app.require_subcommand(1);
  Common c;
  std::string identity, key, file;
  int lease_ms = 15000, renew_ms = 10000, retry_ms = 2000;
  bool no_release = false;
  auto add_common = [&](CLI::App* s) {
    s->add_option("--kubeconfig", c.kubeconfig)->required();
    s->add_option("--namespace", c.namespace_);
    s->add_option("--name", c.name)->required();
  };
  auto* elect = app.add_subcommand("elect");
  add_common(elect);
  elect->add_option("--identity", identity)->required();
  elect->add_option("--lease-ms", lease_ms);
  elect->add_option("--renew-ms", renew_ms);
  elect->add_option("--retry-ms", retry_ms);
  elect->add_flag("--no-release", no_release);
  std::vector<CLI::App*> cms;
  for (const char* name : {"cm-save", "cm-load", "cm-race"}) {
    auto* s = app.add_subcommand(name);
    add_common(s);
    s->add_option("--key", key)->required();
    s->add_option("--file", file);
    cms.push_back(s);
  }
  CLI11_PARSE(app, argc, argv);
  if (elect->parsed()) return Elect(c, identity, lease_ms, renew_ms, retry_ms, no_release);
  for (auto* s : cms) {
    if (s->parsed()) return ConfigMap(s->get_name(), c, key, file);
  }
  return 2;
}
