// The default JSON form of an Event: the reference exporter's shape (a
// core/v1 Event without managedFields, plus clusterName and the enriched
// involvedObject), field for field and in Go's order, so existing index
// mappings, dashboards and consumers keep working.
#pragma once

#include <string>

#include "event/event.h"

namespace kv::event {

struct EncodeOptions {
  // Replace '.' with '_' in label and annotation keys (the reference's
  // deDot, for Elasticsearch-style stores that read dots as paths).
  bool dedot = false;
};

// Appends the JSON object (no trailing newline) to `out`.
void EncodeJson(const Event& ev, const EncodeOptions& options, std::string* out);

inline std::string EncodeJson(const Event& ev, const EncodeOptions& options = {}) {
  std::string out;
  EncodeJson(ev, options, &out);
  return out;
}

}  // namespace kv::event
