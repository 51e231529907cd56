// The offline commands: `check-config` and `route-test` connect to nothing.
#include <cstdio>

#include "app/config.h"
#include "app/run.h"
#include "event/decode.h"
#include "util/files.h"

namespace kv::app {

void PrintProblems(const std::vector<config::Problem>& problems) {
  for (const auto& p : problems) std::fprintf(stderr, "%s\n", p.ToString().c_str());
}

int CheckConfig(const std::string& file, bool strict_env) {
  try {
    Config cfg = Load(file, {.unset_env_is_warning = !strict_env});
    PrintProblems(cfg.warnings);
    PrintProblems(cfg.advice);
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

}  // namespace kv::app
