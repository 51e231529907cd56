// Runs a helper program to completion and captures its output: used for
// exec credential plugins and the AWS credential_process. The child gets
// the parent's environment plus `extra_env`, no stdin, no blocked signals
// and every signal at its default disposition (kubevents blocks signals in
// its threads and ignores SIGPIPE; a helper must not inherit either). It
// runs in a process group of its own, so what it starts goes with it: the
// whole group is killed if it outlives `timeout` or writes more than
// kMaxStdoutBytes / kMaxStderrBytes.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "util/result.h"

namespace kv::process {

// What one helper may write; more is an error, as no credential is that
// large, and reading on would let a broken helper fill memory.
inline constexpr size_t kMaxStdoutBytes = size_t{1} << 20;
inline constexpr size_t kMaxStderrBytes = size_t{64} << 10;

struct Output {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// argv[0] is looked up on PATH when it has no '/'. kIo if it cannot start,
// times out ("did not finish within") or writes too much ("output larger
// than"); a non-zero exit is a successful Output with exit_code set.
Result<Output> Run(const std::vector<std::string>& argv,
                   const std::vector<std::pair<std::string, std::string>>& extra_env,
                   std::chrono::milliseconds timeout);

}  // namespace kv::process
