// Sending a batch as a sequence of HTTP requests, each carrying some of the
// batch's events, and folding the answers into one SendOutcome:
//   - a request answered kDelivered or kReject settles its events so;
//   - the first request answered kRetry stops the sequence: its events and
//     every later one are kRetry (a peer that is down or throttling is not
//     sent the rest), with that answer's reason and Retry-After;
//   - events already settled by the caller (a template that cannot render:
//     kReject) are never sent.
// Every request is sent at most once per Send(); delivery/ retries.
//
// Pure apart from `transport`; the sink's worker thread calls it.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/client.h"
#include "sinks/sink.h"
#include "util/result.h"

namespace kv::sinks::chat {

struct PlannedRequest {
  http::Request request;
  std::vector<size_t> items;  // indices into the batch this request carries
  std::string what;           // "POST https://host/..." for reasons: no secrets
};

// Performs one request (http::Client::Do in production, a fake in tests).
using Transport = std::function<Result<http::Response>(const http::Request&)>;
// Classifies one answer; ClassifyHttp unless the peer has its own rules.
using Classifier =
    std::function<SendOutcome(const Result<http::Response>& response, std::string_view what)>;

// common/ClassifyHttp with its defaults, as a Classifier.
SendOutcome ClassifyHttpDefault(const Result<http::Response>& response, std::string_view what);

// `items` has one verdict per event of the batch, kReject for those the
// caller already gave up on (with `reason` saying why), kDelivered for the
// rest; `requests` carry the rest. Returns request = kDelivered with empty
// items when everything was delivered, else per-item verdicts.
SendOutcome SendPlanned(std::vector<PlannedRequest>& requests, std::vector<Verdict> items,
                        std::string reason, const Transport& transport, const Classifier& classify);

}  // namespace kv::sinks::chat
