// The Event value type: every field of a core/v1 Event (events.k8s.io/v1
// events are mapped onto the same names), the enrichment of its involved
// object, the cluster name, and the raw JSON it was decoded from.
//
// Timestamps are kept exactly as the API server wrote them (empty when the
// server sent null) so they re-encode byte for byte; `*_micros` hold the
// parsed value for comparisons (0 when absent).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kv::event {

// Go's encoding/json writes map keys sorted; std::map keeps them so.
using StringMap = std::map<std::string, std::string>;

struct ObjectReference {
  std::string kind;
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string api_version;
  std::string resource_version;
  std::string field_path;
};

struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  std::optional<bool> controller;
  std::optional<bool> block_owner_deletion;
};

struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_;
  std::string self_link;
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
  std::string creation_timestamp;  // RFC 3339, empty if null
  std::string deletion_timestamp;  // empty if absent
  std::optional<int64_t> deletion_grace_period_seconds;
  StringMap labels;
  StringMap annotations;
  std::vector<OwnerReference> owner_references;
  std::vector<std::string> finalizers;
  // managedFields is dropped on decode, as the reference exporter does.
};

struct EventSource {
  std::string component;
  std::string host;
};

struct EventSeries {
  int32_t count = 0;
  std::string last_observed_time;  // MicroTime
};

// The involved object as kubevents reports it: the reference plus what
// enrichment found out about the object itself.
struct InvolvedObject : ObjectReference {
  StringMap labels;
  StringMap annotations;
  std::vector<OwnerReference> owner_references;
  bool deleted = false;
};

struct Event {
  ObjectMeta metadata;
  InvolvedObject involved_object;
  std::string reason;
  std::string message;
  EventSource source;
  std::string first_timestamp;  // metav1.Time, empty if null
  std::string last_timestamp;   // metav1.Time, empty if null
  int32_t count = 0;
  std::string type;
  std::string event_time;  // metav1.MicroTime, empty if null
  std::optional<EventSeries> series;
  std::string action;
  std::optional<ObjectReference> related;
  std::string reporting_component;
  std::string reporting_instance;

  // Not part of the Kubernetes object.
  std::string cluster_name;
  std::string api_group;  // "" for core/v1, "events.k8s.io" for events.k8s.io/v1
  int64_t first_timestamp_micros = 0;
  int64_t last_timestamp_micros = 0;
  int64_t event_time_micros = 0;
  int64_t series_last_observed_micros = 0;
  std::string raw;  // the object's JSON as received

  // uid + "/" + resourceVersion: the same for every delivery of this
  // version of the event, so sinks can use it as a document or dedup id.
  std::string IdempotencyKey() const { return metadata.uid + "/" + metadata.resource_version; }

  // When the event last happened: lastTimestamp, else series'
  // lastObservedTime, else eventTime, else firstTimestamp (micros; 0 if
  // none is set).
  int64_t LastSeenMicros() const;
};

using EventPtr = std::shared_ptr<const Event>;

}  // namespace kv::event
