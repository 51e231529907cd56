// Where the AWS code reads environment variables from. The chain reads
// them through a Getenv so tests can give each case its own environment
// without touching the process's.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

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

// The endpoint URL the AWS SDKs take from the environment for the service
// `service_id` (its SDK service id: "SQS", "CloudWatch Logs"):
// AWS_ENDPOINT_URL_<ID> (the id upper-cased, spaces to underscores:
// AWS_ENDPOINT_URL_CLOUDWATCH_LOGS), else AWS_ENDPOINT_URL; "" when neither
// is set or AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. An endpoint in the
// receiver's own config wins over both (the caller's rule).
std::string ConfiguredEndpointUrl(const Getenv& getenv, std::string_view service_id);

}  // namespace kv::aws
