// aws_creds_tool: asks kubevents' AWS credential chain (or one source of
// it) for credentials and prints which source answered and the access key
// id, never the secret or the session token. For the integration tests.
//
//   aws_creds_tool [--source chain|environment|profile|web-identity|container|imds]
//                  [--profile NAME] [--region R] [--sts-endpoint URL]
//                  [--imds-endpoint URL] [--ecs-endpoint URL] [--imds-v1-fallback]
//                  [--assume-role ARN [--session-name S]]
//                  [--watch N [--interval-ms MS]] [--print-region]
//
// One JSON line per Get():
//   {"ok":true,"source":"imds","access_key_id":"ASIA…","has_session_token":true,
//    "expiration":"2026-01-01T00:00:00Z"}
//   {"ok":false,"code":"not found","message":"…"}
// --watch N calls Get() N times, MS (default 1000) apart, on the real clock.
// --print-region prints {"region":"…"} or {"region_error":"…"} first.
// Exit status: 0 if every Get() succeeded, 1 otherwise, 2 for bad usage.
#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include "aws/credentials.h"
#include "aws/providers.h"
#include "util/json_writer.h"
#include "util/log.h"
#include "util/time.h"

namespace {

int Usage(const std::string& why) {
  std::cerr << "aws_creds_tool: " << why << "\n";
  return 2;
}

std::string Line(const kv::Result<kv::aws::Credentials>& r) {
  std::string out;
  kv::json::Writer w(&out);
  w.BeginObject();
  w.Key("ok");
  w.Bool(r.has_value());
  if (r) {
    w.Key("source");
    w.String(r->source);
    w.Key("access_key_id");
    w.String(r->access_key_id);
    w.Key("has_session_token");
    w.Bool(!r->session_token.empty());
    w.Key("expiration");
    if (r->expiration) {
      w.String(kv::timeutil::FormatRfc3339(*r->expiration));
    } else {
      w.Null();
    }
  } else {
    w.Key("code");
    w.String(kv::ToString(r.error().code));
    w.Key("message");
    w.String(r.error().message);
  }
  w.EndObject();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  kv::aws::ChainOptions options;
  std::string source = "chain", assume_role, session_name;
  int watch = 1;
  int interval_ms = 1000;
  bool print_region = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
      return argv[++i];
    };
    try {
      if (arg == "--source")
        source = value();
      else if (arg == "--profile")
        options.profile = value();
      else if (arg == "--region")
        options.region = value();
      else if (arg == "--sts-endpoint")
        options.sts_endpoint = value();
      else if (arg == "--imds-endpoint")
        options.imds_endpoint = value();
      else if (arg == "--ecs-endpoint")
        options.ecs_endpoint = value();
      else if (arg == "--imds-v1-fallback")
        options.imds_v1_fallback = true;
      else if (arg == "--assume-role")
        assume_role = value();
      else if (arg == "--session-name")
        session_name = value();
      else if (arg == "--watch")
        watch = std::stoi(value());
      else if (arg == "--interval-ms")
        interval_ms = std::stoi(value());
      else if (arg == "--print-region")
        print_region = true;
      else
        return Usage("unknown argument " + arg);
    } catch (const std::exception& e) {
      return Usage(e.what());
    }
  }
  if (!kv::log::Setup("info", "text")) return Usage("cannot set up logging");  // to stderr
  kv::SystemClock clock;
  if (print_region) {
    kv::Result<std::string> region = kv::aws::DefaultRegion(options);
    std::string out;
    kv::json::Writer w(&out);
    w.BeginObject();
    w.Key(region ? "region" : "region_error");
    w.String(region ? *region : region.error().message);
    w.EndObject();
    std::cout << out << "\n" << std::flush;
  }
  auto provider = kv::aws::ProviderByName(source, options, clock);
  if (!provider) return Usage(provider.error().message);
  std::shared_ptr<kv::aws::CredentialProvider> p = *provider;
  if (!assume_role.empty()) {
    p = kv::aws::AssumeRole(p, assume_role, session_name, options, clock);
  }
  bool all_ok = true;
  for (int i = 0; i < watch; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    kv::Result<kv::aws::Credentials> r = p->Get();
    all_ok = all_ok && r.has_value();
    std::cout << Line(r) << "\n" << std::flush;
  }
  return all_ok ? 0 : 1;
}
