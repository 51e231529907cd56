#include "sinks/search/encoder.h"

#include <simdjson.h>

#include <charconv>
#include <cstdio>
#include <ctime>

#include "sinks/common/document.h"
#include "util/json_writer.h"

namespace kv::sinks::search {

namespace {

// The event's document (common/document.h); a layout must render a JSON
// object, since the bulk API indexes objects only.
Result<void> AppendSearchDocument(const event::EventPtr& ev, const common::LineFormat& format,
                                  std::string* out) {
  size_t start = out->size();
  if (auto r = common::AppendDocument(ev, format, out); !r) return r;
  if (format.layout && (out->size() == start || (*out)[start] != '{')) {
    out->resize(start);
    return Fail(ErrorCode::kRejected,
                "layout: layout must render a JSON object for a search document");
  }
  return {};
}

void WriteMapsAsText(simdjson::dom::element e, json::Writer& w) {
  simdjson::dom::object obj;
  simdjson::dom::array arr;
  if (e.get_object().get(obj) == simdjson::SUCCESS) {
    w.BeginObject();
    for (auto [key, value] : obj) {
      if ((key == "labels" || key == "annotations") && value.is_object()) {
        w.Key(std::string(key) + "Text");
        w.String(simdjson::minify(value));
        continue;
      }
      w.Key(key);
      WriteMapsAsText(value, w);
    }
    w.EndObject();
  } else if (e.get_array().get(arr) == simdjson::SUCCESS) {
    w.BeginArray();
    for (auto value : arr) WriteMapsAsText(value, w);
    w.EndArray();
  } else {
    w.Raw(simdjson::minify(e));
  }
}

std::optional<uint64_t> ParseVersion(std::string_view rv) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(rv.data(), rv.data() + rv.size(), v);
  if (ec != std::errc() || end != rv.data() + rv.size() || rv.empty()) return std::nullopt;
  return v;
}

void AppendAction(const event::Event& ev, const SearchConfig& config, bool with_type,
                  const std::string& index, std::string* out) {
  json::Writer w(out);
  w.BeginObject();
  w.Key(config.op_type == OpType::kCreate ? "create" : "index");
  w.BeginObject();
  w.Key("_index");
  w.String(index);
  if (with_type && !config.type.empty()) {
    w.Key("_type");
    w.String(config.type);
  }
  std::string id = DocumentIdFor(ev, config.document_id);
  if (!id.empty()) {
    w.Key("_id");
    w.String(id);
  }
  if (config.document_id == DocumentId::kEvent && config.op_type == OpType::kIndex) {
    if (auto version = ParseVersion(ev.metadata.resource_version)) {
      w.Key("version");
      w.Raw(std::to_string(*version));
      w.Key("version_type");
      w.String("external_gte");
    }
  }
  if (!config.pipeline.empty()) {
    w.Key("pipeline");
    w.String(config.pipeline);
  }
  w.EndObject();
  w.EndObject();
  out->push_back('\n');
}

}  // namespace

std::string DocumentIdFor(const event::Event& ev, DocumentId mode) {
  if (ev.metadata.uid.empty()) return {};
  switch (mode) {
    case DocumentId::kAuto:
      return {};
    case DocumentId::kEvent:
      return ev.metadata.uid;
    case DocumentId::kEventVersion:
      return ev.metadata.uid + "_" + ev.metadata.resource_version;
  }
  return {};
}

std::string MapsAsText(std::string_view document) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(document.data(), document.size()).get(root) != simdjson::SUCCESS) {
    return std::string(document);
  }
  std::string out;
  out.reserve(document.size() + 64);
  json::Writer w(&out);
  WriteMapsAsText(root, w);
  return out;
}

std::vector<std::string_view> BulkDocuments(const BulkBody& body) {
  std::vector<std::string_view> docs;
  std::string_view rest = body.ndjson;
  bool action = true;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!action) docs.push_back(line);
    action = !action;
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  return docs;
}

std::string FormatTimestamp(int64_t unix_micros) {
  int64_t secs = unix_micros / 1000000;
  int64_t micros = unix_micros % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --secs;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[128];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(micros / 1000));
  return buf;
}

void EncodeBulk(std::span<const event::EventPtr> batch, const SearchConfig& config, bool with_type,
                std::chrono::system_clock::time_point now, BulkBody* out, Reshape reshape) {
  out->ndjson.clear();
  out->sent.clear();
  out->items.assign(batch.size(), Verdict::kDelivered);
  out->item_reasons.assign(batch.size(), std::string());
  out->rejected = 0;
  const int64_t now_micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  // One index name per batch unless it depends on each event's time.
  const bool per_event_index = config.index_format && config.index_format->has_layout() &&
                               config.index_time == IndexTime::kEvent;
  std::string batch_index = config.index_format ? config.index_format->Format(now) : config.index;
  common::LineFormat reshaped;
  const common::LineFormat* format = &config.format;
  if (reshape != Reshape::kNone && !config.format.encode.dedot) {
    reshaped = config.format;
    reshaped.encode.dedot = true;
    format = &reshaped;
  }
  std::string document;
  for (size_t i = 0; i < batch.size(); ++i) {
    const event::Event& ev = *batch[i];
    document.clear();
    if (auto r = AppendSearchDocument(batch[i], *format, &document); !r) {
      out->items[i] = Verdict::kReject;
      out->item_reasons[i] = r.error().message;
      ++out->rejected;
      continue;
    }
    if (reshape == Reshape::kMapsAsText) document = MapsAsText(document);
    int64_t seen = ev.LastSeenMicros();
    if (config.op_type == OpType::kCreate && !config.format.layout) {
      // Data streams need @timestamp; the reference shape has none.
      document.pop_back();  // the closing '}'
      document += ",\"@timestamp\":\"" + FormatTimestamp(seen != 0 ? seen : now_micros) + "\"}";
    }
    if (per_event_index) {
      auto when =
          seen != 0 ? std::chrono::system_clock::time_point(std::chrono::microseconds(seen)) : now;
      AppendAction(ev, config, with_type, config.index_format->Format(when), &out->ndjson);
    } else {
      AppendAction(ev, config, with_type, batch_index, &out->ndjson);
    }
    out->ndjson += document;
    out->ndjson.push_back('\n');
    out->sent.push_back(i);
  }
}

}  // namespace kv::sinks::search
