// A batch of events -> the NDJSON body of one `_bulk` request: per event an
// action line ({"index":{...}} or {"create":{...}} with _index, _id and,
// for `documentId: event`, external versioning) and the document (the
// event in the reference's JSON shape, or its rendered `layout`). Pure.
//
// Document ids (`DocumentIdFor`):
//   eventVersion  "<uid>_<resourceVersion>": a UUID has no '_', a
//                 resourceVersion is an etcd revision, so the pair is
//                 unambiguous, needs no escaping in URLs and stays far below
//                 the 512-byte _id limit.
//   event         "<uid>" (the reference's useEventID). With op_type index
//                 the action carries version=<resourceVersion> and
//                 version_type=external_gte, so an older version delivered
//                 late is refused (409, counted as delivered) instead of
//                 overwriting a newer one.
//   auto          no _id.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "event/event.h"
#include "sinks/search/config.h"
#include "sinks/sink.h"

namespace kv::sinks::search {

// How documents are changed to get past a mapping conflict on their labels
// or annotations (the sink's second and third tries; README "Mapping
// conflicts"). The `_id` and index stay the same.
enum class Reshape {
  kNone,        // as configured
  kDeDot,       // label and annotation keys de-dotted ('.' -> '_'), as with deDot: true
  kMapsAsText,  // de-dotted, and every `labels` or `annotations` object replaced by
                // `labelsText` / `annotationsText`: that object's JSON as one string
};

struct BulkBody {
  std::string ndjson;                     // the request body, every line ending in '\n'
  std::vector<size_t> sent;               // for each action in order, its index in the batch
  std::vector<Verdict> items;             // per batch event: kReject if it could not be encoded
  std::vector<std::string> item_reasons;  // parallel to items; why, for rejects
  size_t rejected = 0;
};

// The `_id` for `ev`, or "" for none (auto, or an event without uid).
std::string DocumentIdFor(const event::Event& ev, DocumentId mode);

// Encodes `batch` into `out` (cleared first). `with_type` adds the legacy
// `_type` of config.type. `now` is the processing time (indexFormat,
// @timestamp fallback). An event whose layout fails to render is left out
// and marked kReject; every other event gets one action. `reshape` changes
// every document of the batch (see Reshape).
void EncodeBulk(std::span<const event::EventPtr> batch, const SearchConfig& config, bool with_type,
                std::chrono::system_clock::time_point now, BulkBody* out,
                Reshape reshape = Reshape::kNone);

// `document` (a JSON object) with every member named `labels` or
// `annotations` whose value is an object, at any depth, replaced by
// `labelsText` / `annotationsText` holding that object's JSON text. Other
// members are kept in order; a document that is not JSON is returned as is.
std::string MapsAsText(std::string_view document);

// The document lines of `body`, one per action in order.
std::vector<std::string_view> BulkDocuments(const BulkBody& body);

// "2024-05-01T10:00:00.123Z" (UTC, milliseconds): the @timestamp added to
// documents sent with op_type create (data streams require one).
std::string FormatTimestamp(int64_t unix_micros);

}  // namespace kv::sinks::search
