// A `_bulk` answer -> SendOutcome, one verdict per event. Pure.
//
// Whole request (no per-item answer):
//   transport error, 408, 429, 5xx  kRetry (Retry-After kept)
//   401, 403                        kReject: bad credentials are not retried in a
//                                   loop; the batch is dead-lettered, reason says why
//   413                             kReject: the batch is larger than the server's
//                                   http.max_content_length; lower the batch size
//   other 4xx                       kReject
//   2xx with a body that is not a bulk answer, or a different number of
//   items than actions sent         kRetry (ids make a resend harmless)
// Per item (2xx with "errors": true):
//   2xx                             kDelivered
//   409 version conflict            kDelivered: with op_type create or external
//                                   versions it means "already there"
//   408, 429, 5xx                   kRetry (es_rejected_execution_exception, a shard
//                                   not available, a flood-stage block)
//   other 4xx                       kReject (mapping errors, bad documents, a
//                                   missing index with auto-create off)
// Items the encoder already rejected stay kReject.
//
// A rejected item whose error is a mapping conflict (IsMappingConflict) is
// also listed in `mapping_conflicts`, when given: the sink may send it again
// reshaped (sink.cc, README "Mapping conflicts").
#pragma once

#include <string_view>
#include <vector>

#include "http/client.h"
#include "sinks/search/encoder.h"
#include "sinks/sink.h"
#include "util/result.h"

namespace kv::sinks::search {

// `what` names the request for reasons ("POST http://host:9200/_bulk").
// `mapping_conflicts` (cleared first) gets the batch index of every item
// rejected with a mapping conflict.
SendOutcome ClassifyBulk(const Result<http::Response>& response, std::string_view what,
                         const BulkBody& body, std::vector<size_t>* mapping_conflicts = nullptr);

// True for an item error that says the document does not fit the index's
// mapping: mapper_parsing_exception, document_parsing_exception (newer
// engines), or illegal_argument_exception whose reason names a field, a
// mapper or a mapping (a type clash).
bool IsMappingConflict(std::string_view type, std::string_view reason);

// The verdict for one item's HTTP status.
Verdict ClassifyItemStatus(int64_t status);

// True when a whole-request 400 says the server does not take `_type` in
// bulk actions (Elasticsearch 8, OpenSearch 2): the sink then drops `type`.
bool RejectsMappingType(const http::Response& response);

}  // namespace kv::sinks::search
