// Runs a helper program to completion and captures its output: used for
// exec credential plugins (and later credential_process). The child gets
// the parent's environment plus `extra_env`, no stdin, and is killed if it
// outlives `timeout`.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "util/result.h"

namespace kv::process {

struct Output {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// argv[0] is looked up on PATH when it has no '/'. kIo if it cannot start
// or times out; a non-zero exit is a successful Output with exit_code set.
Result<Output> Run(const std::vector<std::string>& argv,
                   const std::vector<std::pair<std::string, std::string>>& extra_env,
                   std::chrono::milliseconds timeout);

}  // namespace kv::process
