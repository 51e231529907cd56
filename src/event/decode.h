// Decoding Kubernetes JSON (core/v1 and events.k8s.io/v1 Events, watch
// frames, list pages, Status objects) into Event values, with simdjson.
//
// A Decoder owns a parser and its buffers; reuse one per thread. Not
// thread-safe. A malformed object yields kCorrupt with a short reason and
// never throws.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "util/result.h"

namespace kv::event {

enum class ApiGroup { kCore, kEventsV1 };

// A metav1.Status, as sent in a watch ERROR frame or an error response.
struct Status {
  int code = 0;
  std::string reason;
  std::string message;
};

struct WatchFrame {
  enum class Type { kAdded, kModified, kDeleted, kBookmark, kError };
  Type type = Type::kAdded;
  Event event;    // for kBookmark only metadata.resource_version is set
  Status status;  // for kError
};

struct ListPage {
  std::string resource_version;
  std::string continue_token;
  std::vector<Event> items;
  std::vector<std::string> item_errors;  // items that could not be decoded
};

class Decoder {
 public:
  explicit Decoder(ApiGroup group = ApiGroup::kCore, bool keep_raw = true)
      : group_(group), keep_raw_(keep_raw) {}

  Result<Event> DecodeEvent(std::string_view json);
  Result<WatchFrame> DecodeWatchFrame(std::string_view line);
  // Bad items do not fail the page: they are skipped and described in
  // item_errors so the caller can count and log them.
  Result<ListPage> DecodeList(std::string_view body);
  // Decodes the `metadata` of any object (a PartialObjectMetadata, a Pod,
  // ...). kCorrupt if `json` is not an object with a metadata map.
  Result<ObjectMeta> DecodeObjectMeta(std::string_view json);
  // Decodes a Status body (an API error answer); nullopt-like empty Status
  // if the body is not one.
  Status DecodeStatus(std::string_view body);

 private:
  ApiGroup group_;
  bool keep_raw_;
  simdjson::dom::parser parser_;
};

}  // namespace kv::event
