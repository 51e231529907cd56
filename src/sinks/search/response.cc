#include "sinks/search/response.h"

#include <simdjson.h>

#include <string>

#include "sinks/common/http_outcome.h"

namespace kv::sinks::search {

namespace {

// An item error's reason without the value preview OpenSearch and
// Elasticsearch append ("Preview of field's value: '...'"): that is event
// content, and reasons are logged.
std::string SafeReason(std::string_view reason) {
  size_t cut = reason.find("Preview of field's value");
  if (cut != std::string_view::npos) reason = reason.substr(0, cut);
  while (!reason.empty() && (reason.back() == ' ' || reason.back() == '.')) reason.remove_suffix(1);
  std::string out(reason.substr(0, 300));
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

struct Tally {
  size_t delivered = 0, retry = 0, reject = 0;
  std::string first_retry, first_reject;
};

std::string Summary(const Tally& t) {
  std::string s = "bulk: " + std::to_string(t.delivered) + " delivered";
  if (t.retry) s += ", " + std::to_string(t.retry) + " to retry (" + t.first_retry + ")";
  if (t.reject) s += ", " + std::to_string(t.reject) + " rejected (" + t.first_reject + ")";
  return s;
}

SendOutcome Malformed(std::string_view what, std::string_view why) {
  SendOutcome out;
  out.request = Verdict::kRetry;
  out.reason = std::string(what) + ": unexpected bulk answer: " + std::string(why);
  return out;
}

}  // namespace

Verdict ClassifyItemStatus(int64_t status) {
  if ((status >= 200 && status < 300) || status == 409) return Verdict::kDelivered;
  if (status == 408 || status == 429 || status >= 500) return Verdict::kRetry;
  return Verdict::kReject;
}

bool IsMappingConflict(std::string_view type, std::string_view reason) {
  if (type == "mapper_parsing_exception" || type == "document_parsing_exception") return true;
  if (type != "illegal_argument_exception") return false;
  for (std::string_view word : {"field", "mapper", "mapping"}) {
    if (reason.find(word) != std::string_view::npos) return true;
  }
  return false;
}

bool RejectsMappingType(const http::Response& response) {
  return response.status == 400 && response.body.find("[_type]") != std::string::npos;
}

SendOutcome ClassifyBulk(const Result<http::Response>& response, std::string_view what,
                         const BulkBody& body, std::vector<size_t>* mapping_conflicts) {
  if (mapping_conflicts) mapping_conflicts->clear();
  if (!response || response->status < 200 || response->status >= 300) {
    SendOutcome out = common::ClassifyHttp(response, what);
    if (response && response->status == 413) {
      out.reason += " (the batch is larger than the server accepts: lower the batch size)";
    }
    return out;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(response->body).get(root) != simdjson::SUCCESS) {
    return Malformed(what, "not JSON");
  }
  bool errors = true;
  if (root["errors"].get_bool().get(errors) != simdjson::SUCCESS) {
    return Malformed(what, "no \"errors\" field");
  }
  simdjson::dom::array items;
  if (root["items"].get_array().get(items) != simdjson::SUCCESS) {
    return Malformed(what, "no \"items\" array");
  }
  if (items.size() != body.sent.size()) {
    return Malformed(what, std::to_string(items.size()) + " items for " +
                               std::to_string(body.sent.size()) + " actions");
  }
  SendOutcome out;
  if (!errors && body.rejected == 0) return out;
  out.items = body.items;
  out.item_reasons = body.item_reasons;
  Tally tally;
  tally.reject = body.rejected;
  for (size_t i = 0; i < body.item_reasons.size(); ++i) {
    if (body.items[i] == Verdict::kReject) {
      tally.first_reject = body.item_reasons[i];
      break;
    }
  }
  size_t n = 0;
  for (simdjson::dom::element item : items) {
    size_t at = body.sent[n++];
    simdjson::dom::object wrapper;
    if (item.get_object().get(wrapper) != simdjson::SUCCESS || wrapper.begin() == wrapper.end()) {
      return Malformed(what, "an item is not an object");
    }
    simdjson::dom::element result = (*wrapper.begin()).value;
    int64_t status = 0;
    if (result["status"].get_int64().get(status) != simdjson::SUCCESS) {
      return Malformed(what, "an item has no status");
    }
    Verdict v = ClassifyItemStatus(status);
    out.items[at] = v;
    if (v == Verdict::kDelivered) {
      ++tally.delivered;
      continue;
    }
    std::string_view type, reason;
    simdjson::dom::element error;
    if (result["error"].get(error) == simdjson::SUCCESS) {
      if (error["type"].get_string().get(type) != simdjson::SUCCESS) type = {};
      if (error["reason"].get_string().get(reason) != simdjson::SUCCESS) reason = {};
    }
    std::string why = "HTTP " + std::to_string(status);
    if (!type.empty()) why += " " + std::string(type);
    if (!reason.empty()) why += ": " + SafeReason(reason);
    if (v == Verdict::kRetry) {
      if (tally.retry++ == 0) tally.first_retry = why;
    } else {
      if (tally.reject++ == 0) tally.first_reject = why;
      if (mapping_conflicts && IsMappingConflict(type, reason)) mapping_conflicts->push_back(at);
    }
    out.item_reasons[at] = std::move(why);
  }
  out.reason = std::string(what) + ": " + Summary(tally);
  return out;
}

}  // namespace kv::sinks::search
