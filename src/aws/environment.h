// Where the AWS code reads environment variables from. The chain reads
// them through a Getenv so tests can give each case its own environment
// without touching the process's.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace kv::aws {

// Value of variable `name`, nullopt if unset. Must be thread-safe.
using Getenv = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv). Thread-safe as long as nothing calls
// setenv concurrently, which kubevents never does after start-up.
Getenv ProcessEnvironment();

// `getenv(name)` when set and non-empty, else "". A null `getenv` reads the
// process environment.
std::string EnvValue(const Getenv& getenv, const std::string& name);

// True for "true"/"1"/"yes" in any case.
bool EnvTrue(const Getenv& getenv, const std::string& name);

}  // namespace kv::aws
