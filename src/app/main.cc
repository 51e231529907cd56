// kubevents: a Kubernetes event exporter. See README.md.
#include <CLI/CLI.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "app/redrive.h"
#include "app/run.h"
#include "app/version.h"

namespace {

// The reference exporter is started as `kubernetes-event-exporter
// -conf=/data/config.yaml`, with no subcommand; manifests that say so keep
// working: `-conf=F` / `-conf F` / `--conf F` become `run --config F`.
std::vector<std::string> TranslateReferenceArgs(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    for (const char* flag : {"-conf", "--conf"}) {
      std::string f = flag;
      if (a == f && i + 1 < args.size()) {
        args[i] = "--config";
      } else if (a.rfind(f + "=", 0) == 0) {
        args[i] = "--config=" + a.substr(f.size() + 1);
      } else {
        continue;
      }
      bool has_command = false;
      for (size_t j = 1; j < args.size(); ++j) {
        if (args[j] == "run" || args[j] == "check-config") has_command = true;
      }
      if (!has_command) args.insert(args.begin() + 1, "run");
      return args;
    }
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args = TranslateReferenceArgs(argc, argv);
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());

  CLI::App app{"kubevents: export Kubernetes events to where they last"};
  app.require_subcommand(1);
  kv::app::RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "watch events and deliver them to the receivers");
  run_cmd->add_option("-c,--config", run.config_file, "config file (default: embedded defaults)");
  run_cmd->add_option("--kubeconfig", run.kubeconfig, "kubeconfig file");
  run_cmd->add_option("--context", run.context, "kubeconfig context");
  run_cmd
      ->add_option("--shutdown-grace", run.shutdown_grace_seconds,
                   "seconds to deliver queued events after SIGTERM")
      ->default_val(10);
  run_cmd
      ->add_option("--data-dir", run.data_dir,
                   "spools, checkpoint and dead letters (default: config dataDir, else "
                   "/var/lib/kubevents)")
      ->envname("KUBEVENTS_DATA_DIR");
  run_cmd
      ->add_option("--metrics-address", run.metrics_address,
                   "listen address of /metrics, /healthz and /readyz (\"\" turns it off)")
      ->default_val(":2112");
  std::string check_file;
  auto* check_cmd = app.add_subcommand("check-config", "validate a config file and exit");
  check_cmd->add_option("file", check_file, "config file")->required();
  bool strict_env = false;
  check_cmd->add_flag("--strict-env", strict_env,
                      "a ${VAR} not set in this shell is an error (default: a warning, as it "
                      "may be set at run time)");
  std::string route_config, route_event;
  auto* route_cmd = app.add_subcommand("route-test", "show which receivers an event reaches");
  route_cmd->add_option("-c,--config", route_config, "config file")->required();
  route_cmd->add_option("-e,--event", route_event, "event JSON file")->required();
  kv::app::RedriveCommand redrive;
  auto* redrive_cmd = app.add_subcommand(
      "redrive", "queue a receiver's dead letters again for the next run (offline)");
  redrive_cmd->add_option("-r,--receiver", redrive.receiver, "the receiver's name")->required();
  redrive_cmd->add_option("--since", redrive.since,
                          "only events dead-lettered since this RFC 3339 time or duration "
                          "(90m, 2h, 7d) ago");
  redrive_cmd->add_flag("--dry-run", redrive.dry_run, "print what would be queued; change nothing");
  redrive_cmd->add_option("-c,--config", redrive.config_file,
                          "config file (default: embedded defaults)");
  redrive_cmd
      ->add_option("--data-dir", redrive.data_dir,
                   "data directory (default: config dataDir, else /var/lib/kubevents)")
      ->envname("KUBEVENTS_DATA_DIR");
  auto* version_cmd = app.add_subcommand("version", "print the version");

  try {
    app.parse(static_cast<int>(cargs.size()), cargs.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*version_cmd) {
    std::printf("kubevents %s\n", kv::app::kVersion);
    return 0;
  }
  if (*check_cmd) return kv::app::CheckConfig(check_file, strict_env);
  if (*route_cmd) return kv::app::RouteTest(route_config, route_event);
  if (*redrive_cmd) return kv::app::RunRedrive(redrive);
  return kv::app::Run(run);
}
