// API discovery for lookups: maps an involved object's (apiVersion, kind)
// to the REST resource that serves it (plural name, namespaced or not),
// from the API server's resource lists (GET /api/v1, /apis/GROUP/VERSION).
//
// Each group version is fetched the first time one of its kinds is asked
// for, then kept. A known group version is re-read at most every
// `refresh_interval`; an unknown kind (a CRD installed since, a group
// version that did not exist) re-reads its group version at most every
// `miss_refetch_interval`, so a stream of events about an unknown kind
// costs one request per interval, not one per event. A failed fetch keeps
// what was known before.
//
// Threading: not thread-safe; the enricher's lookup thread owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "http/client.h"
#include "util/clock.h"
#include "util/result.h"

namespace kv::kube {

struct ResourceInfo {
  std::string group_version;  // "v1", "apps/v1"
  std::string plural;         // "pods", "deployments"
  bool namespaced = true;
};

// GET `path` (e.g. "/apis/apps/v1") from the API server. Any HTTP status is
// a Response; an error is a transport or credentials failure.
using DiscoveryFetch = std::function<Result<http::Response>(const std::string& path)>;

struct DiscoveryOptions {
  std::chrono::seconds refresh_interval{300};
  std::chrono::seconds miss_refetch_interval{30};
};

class Discovery {
 public:
  // `clock` must outlive the Discovery.
  Discovery(DiscoveryOptions options, DiscoveryFetch fetch, Clock& clock);

  // The resource serving `kind` in `api_version` ("" is read as "v1").
  // kRejected when the kind is unknown (its group version does not exist or
  // does not serve it) or `api_version` is malformed; kUnavailable /
  // kUnauthorized when the resource list could not be read and nothing was
  // known before.
  Result<ResourceInfo> Resolve(const std::string& api_version, const std::string& kind);

  // Resource lists requested so far (for tests and metrics).
  uint64_t fetches() const { return fetches_; }

 private:
  struct GroupVersion {
    std::map<std::string, ResourceInfo> by_kind;
    bool loaded = false;  // a resource list (or a 404) was read at least once
    std::chrono::steady_clock::time_point attempted{};
  };
  Result<void> Fetch(const std::string& group_version, GroupVersion* gv);

  // Constant after construction.
  const DiscoveryOptions options_;
  const DiscoveryFetch fetch_;
  Clock& clock_;

  // Owned by the calling thread.
  std::map<std::string, GroupVersion> group_versions_;
  uint64_t fetches_ = 0;
};

// Reads the top-level resources (not subresources) of an APIResourceList
// body for group version `gv`, keyed by kind. kCorrupt if it is not one.
Result<std::map<std::string, ResourceInfo>> ParseResourceList(const std::string& gv,
                                                              std::string_view body);

// The path of one object of `resource`: /api/v1/namespaces/NS/pods/NAME, or
// /apis/G/V/PLURAL/NAME for a cluster-scoped kind. `ns` and `name` are
// percent-encoded (they come from events, which anyone may write).
std::string ObjectPath(const ResourceInfo& resource, const std::string& ns,
                       const std::string& name);

}  // namespace kv::kube
