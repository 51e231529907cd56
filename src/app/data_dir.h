// The data directory of `kubevents run`: where spools, the checkpoint and
// dead letters live, the lock that keeps a second process out of it, and
// the replica id it gives the checkpoints it writes.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "app/config.h"
#include "app/run.h"
#include "kube/checkpoint.h"
#include "util/clock.h"
#include "util/env.h"
#include "util/result.h"
#include "util/rng.h"

namespace kv::app {

// --data-dir (or $KUBEVENTS_DATA_DIR), else the config's dataDir, else
// /var/lib/kubevents.
std::filesystem::path DataDir(const RunOptions& options, const Config& config);

// Creates `dir` if needed and holds an exclusive lock on `<dir>/lock` for
// the life of the process (returns its descriptor): two exporters sharing
// one spool would deliver each other's events twice. kIo naming the
// directory when it cannot be created or another process holds it.
Result<int> LockDataDir(const std::filesystem::path& dir);

// The local checkpoint in `dir` (checkpoint.json and checkpoint.journal),
// as `run` and `redrive` open it.
Result<std::unique_ptr<kube::Checkpointer>> OpenLocalCheckpoint(const std::filesystem::path& dir,
                                                                bool fsync_every_line, Env& env,
                                                                Clock& clock);

// A stable id for this data directory (`<dir>/replica-id`, written once),
// recorded in the checkpoints it writes.
std::string ReplicaId(const std::filesystem::path& dir, Rng& rng);

}  // namespace kv::app
