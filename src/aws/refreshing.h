// A credential cache in front of a fetch (STS, IMDS, the container agent,
// credential_process). Thread-safe: one fetch at a time, under a mutex;
// callers that arrive meanwhile wait for its answer.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>

#include "aws/credentials.h"
#include "util/clock.h"

namespace kv::aws {

struct RefreshPolicy {
  // Fetch anew this long before the cached credentials expire, so no
  // request goes out with credentials about to lapse.
  std::chrono::seconds refresh_ahead{300};
  // Credentials this close to their expiry count as expired: a request
  // signed with them could arrive too late.
  std::chrono::seconds expiry_margin{30};
  // After a fetch, the next early refresh waits at least this long (a
  // failing or short-lived source is not asked on every request). Does not
  // delay a fetch when nothing usable is cached.
  std::chrono::seconds retry_interval{5};
};

class RefreshingProvider final : public CredentialProvider {
 public:
  // `fetch` returns fresh credentials or why not (its error codes pass
  // through). Called only from Get(), one call at a time.
  using Fetch = std::function<Result<Credentials>()>;

  RefreshingProvider(Fetch fetch, Clock& clock, RefreshPolicy policy = {});  // clock outlives it

  // The cached credentials while they are good; otherwise fetches. A fetch
  // that fails while the cached credentials are still usable (not within
  // expiry_margin of expiring) returns those: a failed early refresh never
  // fails a request.
  Result<Credentials> Get() override;

 private:
  // Constant after construction.
  const Fetch fetch_;
  Clock& clock_;
  const RefreshPolicy policy_;

  // Guarded by mu_.
  std::mutex mu_;
  std::optional<Credentials> cached_;
  std::optional<std::chrono::steady_clock::time_point> next_attempt_;
};

}  // namespace kv::aws
