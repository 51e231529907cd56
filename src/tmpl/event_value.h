// An Event as templates see it: the Go field names of the reference
// exporter's EnhancedEvent (corev1.Event with ObjectMeta's fields promoted,
// so `.Name` works; ClusterName; InvolvedObject with Labels, Annotations,
// OwnerReferences and Deleted) and its methods GetTimestampMs,
// GetTimestampISO8601, plus kubevents's IdempotencyKey.
//
// Times are metav1.Time/MicroTime values (print as Go's time.Time.String,
// encode as RFC 3339 or null); `.FirstTimestamp.Time` is the time.Time
// that sprig's date functions accept. Not exposed: Series and Related.
// UID is a plain string here (Go's types.UID is not assignable to a
// string parameter, so `sha256sum .UID` fails in the reference).
#pragma once

#include "event/event.h"
#include "tmpl/value.h"

namespace kv::tmpl {

// The Value shares `ev` (for `toJson .`, encoded only if asked for).
Value EventToValue(event::EventPtr ev);

// Copies `ev` first; for callers that do not hold an EventPtr.
Value EventToValue(const event::Event& ev);

}  // namespace kv::tmpl
