// The conformance suite's table: one entry per receiver kind of
// sinks::ReceiverKinds() that ships (has a parser). An entry says how to
// configure the kind against the scripted peer (peer.h) and which peer
// protocol answers it; a new kind is one more line in kinds.cc. A shipped
// kind without an entry fails ConformanceTable.EveryShippedKindHasAnEntry.
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "peer.h"

namespace kv::conformance {

// What the peer does with one event of a request.
enum class Fate { kOk, kRetry, kReject };

// How one peer (a service family) answers, as the service does.
struct Protocol {
  std::string_view name;
  // The events one request carries.
  size_t (*count)(const Recorded& request);
  // A 2xx-style answer settling the request's events as `fates` says (one
  // per event, in request order). For one-event-per-request peers this is
  // simply that request's answer (a rejecting or retrying status).
  Answer (*answer)(const Recorded& request, std::span<const Fate> fates);
  // An error answer for the whole request with HTTP `status`, in the
  // service's own words (AWS error codes, Elasticsearch error objects).
  Answer (*error)(int status);
  // The event payloads of a request, decoded (base64 record data), for
  // "the request carries the event".
  std::string (*payloads)(const Recorded& request);
  // The peer can answer "retry this one event" inside a 2xx answer (or per
  // request); "" = yes, else why not.
  std::string_view no_item_retry = {};
  // The same for "reject this one event, take the others".
  std::string_view no_item_reject = {};
};

// Where a local kind writes its events (for "one event is delivered").
enum class LocalOutput { kNone, kStdout, kFile };

struct KindEntry {
  std::string_view kind;  // the key of sinks::ReceiverKinds()
  // The kind's settings as a YAML flow map. Replaced: {peer} by the peer's
  // base URL, {peer_host} by its host:port, {dir} by a temporary folder.
  // Every secret in it contains "s3cr3t" (the suite checks reasons for it).
  std::string_view block;
  const Protocol* protocol = nullptr;  // null: a local kind, no peer double
  std::string_view no_peer = {};       // required when `protocol` is null: why
  // One more setting ("key: value") whose template fails for an event
  // without owner references; "" = the kind has no template.
  std::string_view bad_template = {};
  // Bytes of one event (as the kind counts them) above which it rejects
  // that event; 0 = no per-event limit.
  size_t event_limit = 0;
  // Why the block cannot bound a request's time (no timeout key); "" = it
  // sets timeoutSeconds: 1.
  std::string_view no_timeout = {};
  // The event's idempotency key (or the dedup id derived from it) is in the
  // request; null = the peer has no such field, and `no_key` says so.
  bool (*key_on_wire)(const Recorded& request, const event::Event& event) = nullptr;
  std::string_view no_key = {};
  LocalOutput output = LocalOutput::kNone;
  // The file a kFile kind writes ("{dir}/..."), and whether it must exist
  // before the sink is built (a pipe opens, never creates).
  std::string_view output_file = {};
  bool create_output_first = false;
  // The kind's own batch keys (as `block`, the same receiver otherwise)
  // set to 3 events per request, for "the kind's own batch keys change what
  // goes on the wire"; "" = the entry's style has no batch keys of its own
  // (its batches are its API's limits, or one event per request).
  std::string_view own_batch_block = {};
  // A second style of the same kind (another entry with the same `kind`):
  // its name in test names, e.g. "array" -> .../webhook_array.
  std::string_view variant = {};
};

std::span<const KindEntry> KindEntries();

// "kind" or "kind_variant": test names and ctest names.
inline std::string EntryName(const KindEntry& entry) {
  return std::string(entry.kind) + (entry.variant.empty() ? "" : "_" + std::string(entry.variant));
}
inline void PrintTo(const KindEntry& entry, std::ostream* os) { *os << EntryName(entry); }

// The kinds of sinks::ReceiverKinds() with a parser.
std::vector<std::string> ShippedKinds();

}  // namespace kv::conformance
