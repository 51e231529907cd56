// A coordination.k8s.io/v1 Lease as leader election reads and writes it:
// the spec fields client-go's leader election uses, the metadata a write
// must carry back (resourceVersion for the optimistic update, labels and
// annotations kept as they are), and its JSON both ways. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace kv::kube {

// A Lease's spec and the metadata a write must carry back.
struct LeaseRecord {
  std::string holder;                 // spec.holderIdentity ("" = released)
  int lease_duration_seconds = 0;     // spec.leaseDurationSeconds
  std::optional<int64_t> acquire_us;  // spec.acquireTime, micros since epoch
  std::optional<int64_t> renew_us;    // spec.renewTime
  int transitions = 0;                // spec.leaseTransitions
  std::string resource_version;       // metadata.resourceVersion
  std::string labels_json;            // metadata.labels as JSON, kept on writes
  std::string annotations_json;       // metadata.annotations as JSON

  // Whether the spec (not the metadata) is the same: a changed spec is a
  // new observation.
  bool SameSpec(const LeaseRecord& o) const;
};

// Parses a Lease object (GET answer). kCorrupt if it is not one.
Result<LeaseRecord> ParseLease(std::string_view json);
// A Lease object for POST (empty resource_version) or PUT.
std::string EncodeLease(const std::string& namespace_, const std::string& name,
                        const LeaseRecord& record);
// metav1.MicroTime: "2006-01-02T15:04:05.000000Z" (UTC).
std::string FormatMicroTime(int64_t micros_since_epoch);

}  // namespace kv::kube
