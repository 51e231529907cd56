// The `_bulk` answer of OpenSearch / Elasticsearch (or of a proxy in front
// of them): every answer yields verdicts, never a crash. Properties: per-
// item verdicts, when given, cover the whole batch, and events the encoder
// had already rejected stay rejected.
//
// Input: an answer as fuzz_response.h reads it, with the harness headers
// x-fuzz-actions (actions sent; default: as many as the body has
// "status" keys) and x-fuzz-rejected (events the encoder rejected, which
// sit between the sent ones; default 0).
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "fuzz_response.h"
#include "sinks/search/response.h"

namespace {

size_t CountStatusKeys(const kv::Result<kv::http::Response>& r) {
  if (!r) return 1;
  size_t n = 0;
  for (size_t at = r->body.find("\"status\""); at != std::string::npos;
       at = r->body.find("\"status\"", at + 1)) {
    ++n;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using kv::sinks::Verdict;
  auto response =
      kv::fuzz::ResponseFromInput(std::string_view(reinterpret_cast<const char*>(data), size));
  size_t actions = kv::fuzz::TakeFuzzCount(&response, "actions", CountStatusKeys(response), 1000);
  size_t rejected = kv::fuzz::TakeFuzzCount(&response, "rejected", 0, 1000);

  kv::sinks::search::BulkBody body;
  size_t total = actions + rejected;
  for (size_t i = 0, sent = 0, rej = 0; i < total; ++i) {
    bool reject = rej < rejected && (sent == actions || i % 2 == 1);
    if (reject) {
      body.items.push_back(Verdict::kReject);
      body.item_reasons.push_back("layout failed to render");
      ++rej;
    } else {
      body.sent.push_back(i);
      body.items.push_back(Verdict::kDelivered);
      body.item_reasons.emplace_back();
      body.ndjson += "{\"index\":{\"_index\":\"kube-events\"}}\n{}\n";
      ++sent;
    }
  }
  body.rejected = rejected;

  auto out = kv::sinks::search::ClassifyBulk(response, "POST http://fuzz:9200/_bulk", body);
  FUZZ_CHECK(out.items.empty() || out.items.size() == total);
  FUZZ_CHECK(out.item_reasons.empty() || out.item_reasons.size() == out.items.size());
  if (!out.items.empty()) {
    for (size_t i = 0; i < total; ++i) {
      if (body.items[i] == Verdict::kReject) FUZZ_CHECK(out.items[i] == Verdict::kReject);
    }
  }
  if (response) (void)kv::sinks::search::RejectsMappingType(*response);
  return 0;
}
