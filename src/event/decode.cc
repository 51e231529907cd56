#include "event/decode.h"

#include "util/time.h"

namespace kv::event {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

std::string Str(element e) {
  std::string_view sv;
  if (e.get_string().get(sv) == simdjson::SUCCESS) return std::string(sv);
  return {};
}

int64_t Int(element e) {
  int64_t v = 0;
  if (e.get_int64().get(v) == simdjson::SUCCESS) return v;
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS) return static_cast<int64_t>(d);
  return 0;
}

int64_t MicrosOf(const std::string& ts) {
  if (ts.empty()) return 0;
  return timeutil::ParseRfc3339Micros(ts).value_or(0);
}

void DecodeStringMap(element e, StringMap* out) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return;
  for (auto field : obj) out->emplace(std::string(field.key), Str(field.value));
}

void DecodeObjectReference(element e, ObjectReference* ref) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return;
  for (auto f : obj) {
    std::string_view k = f.key;
    if (k == "kind") {
      ref->kind = Str(f.value);
    } else if (k == "namespace") {
      ref->namespace_ = Str(f.value);
    } else if (k == "name") {
      ref->name = Str(f.value);
    } else if (k == "uid") {
      ref->uid = Str(f.value);
    } else if (k == "apiVersion") {
      ref->api_version = Str(f.value);
    } else if (k == "resourceVersion") {
      ref->resource_version = Str(f.value);
    } else if (k == "fieldPath") {
      ref->field_path = Str(f.value);
    }
  }
}

void DecodeOwnerReferences(element e, std::vector<OwnerReference>* out) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) return;
  for (element item : arr) {
    object obj;
    if (item.get_object().get(obj) != simdjson::SUCCESS) continue;
    OwnerReference ref;
    for (auto f : obj) {
      std::string_view k = f.key;
      if (k == "apiVersion") {
        ref.api_version = Str(f.value);
      } else if (k == "kind") {
        ref.kind = Str(f.value);
      } else if (k == "name") {
        ref.name = Str(f.value);
      } else if (k == "uid") {
        ref.uid = Str(f.value);
      } else if (k == "controller") {
        bool b;
        if (f.value.get_bool().get(b) == simdjson::SUCCESS) ref.controller = b;
      } else if (k == "blockOwnerDeletion") {
        bool b;
        if (f.value.get_bool().get(b) == simdjson::SUCCESS) ref.block_owner_deletion = b;
      }
    }
    out->push_back(std::move(ref));
  }
}

// kubevents's own output carries the enrichment inside involvedObject;
// reading it back lets `route-test` take an exported event as input.
void DecodeEnrichment(element e, InvolvedObject* obj) {
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return;
  for (auto f : o) {
    if (f.key == "labels") DecodeStringMap(f.value, &obj->labels);
    if (f.key == "annotations") DecodeStringMap(f.value, &obj->annotations);
    if (f.key == "ownerReferences") DecodeOwnerReferences(f.value, &obj->owner_references);
    if (f.key == "deleted") {
      bool b = false;
      if (f.value.get_bool().get(b) == simdjson::SUCCESS) obj->deleted = b;
    }
  }
}

void DecodeMeta(element e, ObjectMeta* m) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return;
  for (auto f : obj) {
    std::string_view k = f.key;
    if (k == "name") {
      m->name = Str(f.value);
    } else if (k == "generateName") {
      m->generate_name = Str(f.value);
    } else if (k == "namespace") {
      m->namespace_ = Str(f.value);
    } else if (k == "selfLink") {
      m->self_link = Str(f.value);
    } else if (k == "uid") {
      m->uid = Str(f.value);
    } else if (k == "resourceVersion") {
      m->resource_version = Str(f.value);
    } else if (k == "generation") {
      m->generation = Int(f.value);
    } else if (k == "creationTimestamp") {
      m->creation_timestamp = Str(f.value);
    } else if (k == "deletionTimestamp") {
      m->deletion_timestamp = Str(f.value);
    } else if (k == "deletionGracePeriodSeconds") {
      if (!f.value.is_null()) m->deletion_grace_period_seconds = Int(f.value);
    } else if (k == "labels") {
      DecodeStringMap(f.value, &m->labels);
    } else if (k == "annotations") {
      DecodeStringMap(f.value, &m->annotations);
    } else if (k == "ownerReferences") {
      DecodeOwnerReferences(f.value, &m->owner_references);
    } else if (k == "finalizers") {
      simdjson::dom::array arr;
      if (f.value.get_array().get(arr) == simdjson::SUCCESS) {
        for (element s : arr) m->finalizers.push_back(Str(s));
      }
    }
  }
}

void DecodeSeries(element e, Event* ev) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return;
  EventSeries s;
  for (auto f : obj) {
    std::string_view k = f.key;
    if (k == "count") {
      s.count = static_cast<int32_t>(Int(f.value));
    } else if (k == "lastObservedTime") {
      s.last_observed_time = Str(f.value);
    }
  }
  ev->series_last_observed_micros = MicrosOf(s.last_observed_time);
  ev->series = std::move(s);
}

// core/v1 field names.
void DecodeCoreField(std::string_view k, element v, Event* ev) {
  if (k == "metadata") {
    DecodeMeta(v, &ev->metadata);
  } else if (k == "involvedObject") {
    DecodeObjectReference(v, &ev->involved_object);
    DecodeEnrichment(v, &ev->involved_object);
  } else if (k == "reason") {
    ev->reason = Str(v);
  } else if (k == "message") {
    ev->message = Str(v);
  } else if (k == "source") {
    object obj;
    if (v.get_object().get(obj) == simdjson::SUCCESS) {
      for (auto f : obj) {
        if (f.key == "component") ev->source.component = Str(f.value);
        if (f.key == "host") ev->source.host = Str(f.value);
      }
    }
  } else if (k == "firstTimestamp") {
    ev->first_timestamp = Str(v);
  } else if (k == "lastTimestamp") {
    ev->last_timestamp = Str(v);
  } else if (k == "count") {
    ev->count = static_cast<int32_t>(Int(v));
  } else if (k == "type") {
    ev->type = Str(v);
  } else if (k == "eventTime") {
    ev->event_time = Str(v);
  } else if (k == "series") {
    DecodeSeries(v, ev);
  } else if (k == "action") {
    ev->action = Str(v);
  } else if (k == "related") {
    if (!v.is_null()) {
      ObjectReference r;
      DecodeObjectReference(v, &r);
      ev->related = std::move(r);
    }
  } else if (k == "reportingComponent") {
    ev->reporting_component = Str(v);
  } else if (k == "reportingInstance") {
    ev->reporting_instance = Str(v);
  } else if (k == "clusterName") {
    // kubevents's own output (a spooled record, route-test input).
    ev->cluster_name = Str(v);
  }
}

// events.k8s.io/v1 names, mapped onto the core/v1 model the way the API
// server itself converts between the two.
void DecodeEventsV1Field(std::string_view k, element v, Event* ev) {
  if (k == "regarding") {
    DecodeObjectReference(v, &ev->involved_object);
  } else if (k == "note") {
    ev->message = Str(v);
  } else if (k == "deprecatedSource") {
    DecodeCoreField("source", v, ev);
  } else if (k == "deprecatedFirstTimestamp") {
    ev->first_timestamp = Str(v);
  } else if (k == "deprecatedLastTimestamp") {
    ev->last_timestamp = Str(v);
  } else if (k == "deprecatedCount") {
    ev->count = static_cast<int32_t>(Int(v));
  } else if (k == "reportingController") {
    ev->reporting_component = Str(v);
  } else if (k == "involvedObject" || k == "message" || k == "source" || k == "firstTimestamp" ||
             k == "lastTimestamp" || k == "count" || k == "reportingComponent") {
    // core/v1 spellings do not exist in events.k8s.io/v1; ignore them.
  } else {
    DecodeCoreField(k, v, ev);
  }
}

Result<void> DecodeEventElement(element e, ApiGroup group, Event* ev) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kCorrupt, "event is not a JSON object");
  }
  for (auto f : obj) {
    if (group == ApiGroup::kCore) {
      DecodeCoreField(f.key, f.value, ev);
    } else {
      DecodeEventsV1Field(f.key, f.value, ev);
    }
  }
  if (ev->metadata.uid.empty()) {
    return Fail(ErrorCode::kCorrupt, "event has no metadata.uid");
  }
  ev->api_group = group == ApiGroup::kCore ? "" : "events.k8s.io";
  ev->first_timestamp_micros = MicrosOf(ev->first_timestamp);
  ev->last_timestamp_micros = MicrosOf(ev->last_timestamp);
  ev->event_time_micros = MicrosOf(ev->event_time);
  if (group == ApiGroup::kEventsV1 && ev->series && ev->count == 0) {
    ev->count = ev->series->count;
  }
  return {};
}

}  // namespace

Result<Event> Decoder::DecodeEvent(std::string_view json) {
  element root;
  if (auto err = parser_.parse(json.data(), json.size()).get(root); err) {
    return Fail(ErrorCode::kCorrupt, std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  Event ev;
  if (auto r = DecodeEventElement(root, group_, &ev); !r) return tl::unexpected(r.error());
  if (keep_raw_) ev.raw.assign(json.data(), json.size());
  return ev;
}

Result<ObjectMeta> Decoder::DecodeObjectMeta(std::string_view json) {
  element root;
  if (auto err = parser_.parse(json.data(), json.size()).get(root); err) {
    return Fail(ErrorCode::kCorrupt, std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  element meta;
  if (root["metadata"].get(meta) != simdjson::SUCCESS || !meta.is_object()) {
    return Fail(ErrorCode::kCorrupt, "the object has no metadata");
  }
  ObjectMeta m;
  DecodeMeta(meta, &m);
  return m;
}

Status Decoder::DecodeStatus(std::string_view body) {
  Status st;
  element root;
  if (parser_.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) return st;
  object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) return st;
  for (auto f : obj) {
    if (f.key == "code") st.code = static_cast<int>(Int(f.value));
    if (f.key == "reason") st.reason = Str(f.value);
    if (f.key == "message") st.message = Str(f.value);
  }
  return st;
}

Result<WatchFrame> Decoder::DecodeWatchFrame(std::string_view line) {
  element root;
  if (auto err = parser_.parse(line.data(), line.size()).get(root); err) {
    return Fail(ErrorCode::kCorrupt,
                std::string("invalid watch frame: ") + simdjson::error_message(err));
  }
  std::string_view type;
  element object_el;
  if (root["type"].get_string().get(type) != simdjson::SUCCESS ||
      root["object"].get(object_el) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kCorrupt, "watch frame lacks type or object");
  }
  WatchFrame frame;
  if (type == "ADDED") {
    frame.type = WatchFrame::Type::kAdded;
  } else if (type == "MODIFIED") {
    frame.type = WatchFrame::Type::kModified;
  } else if (type == "DELETED") {
    frame.type = WatchFrame::Type::kDeleted;
  } else if (type == "BOOKMARK") {
    frame.type = WatchFrame::Type::kBookmark;
    std::string_view rv;
    if (object_el["metadata"]["resourceVersion"].get_string().get(rv) == simdjson::SUCCESS) {
      frame.event.metadata.resource_version = std::string(rv);
    }
    return frame;
  } else if (type == "ERROR") {
    frame.type = WatchFrame::Type::kError;
    object obj;
    if (object_el.get_object().get(obj) == simdjson::SUCCESS) {
      for (auto f : obj) {
        if (f.key == "code") frame.status.code = static_cast<int>(Int(f.value));
        if (f.key == "reason") frame.status.reason = Str(f.value);
        if (f.key == "message") frame.status.message = Str(f.value);
      }
    }
    return frame;
  } else {
    return Fail(ErrorCode::kCorrupt, "unknown watch frame type '" + std::string(type) + "'");
  }
  if (auto r = DecodeEventElement(object_el, group_, &frame.event); !r) {
    return tl::unexpected(r.error());
  }
  if (keep_raw_) frame.event.raw = simdjson::minify(object_el);
  return frame;
}

Result<ListPage> Decoder::DecodeList(std::string_view body) {
  element root;
  if (auto err = parser_.parse(body.data(), body.size()).get(root); err) {
    return Fail(ErrorCode::kCorrupt, std::string("invalid list: ") + simdjson::error_message(err));
  }
  ListPage page;
  element meta;
  if (root["metadata"].get(meta) == simdjson::SUCCESS) {
    std::string_view sv;
    if (meta["resourceVersion"].get_string().get(sv) == simdjson::SUCCESS) {
      page.resource_version = std::string(sv);
    }
    if (meta["continue"].get_string().get(sv) == simdjson::SUCCESS) {
      page.continue_token = std::string(sv);
    }
  }
  simdjson::dom::array items;
  if (root["items"].get_array().get(items) != simdjson::SUCCESS) {
    // An empty list may come with "items": null.
    return page;
  }
  page.items.reserve(items.size());
  for (element item : items) {
    Event ev;
    if (auto r = DecodeEventElement(item, group_, &ev); !r) {
      page.item_errors.push_back(r.error().message);
      continue;
    }
    if (keep_raw_) ev.raw = simdjson::minify(item);
    page.items.push_back(std::move(ev));
  }
  return page;
}

}  // namespace kv::event
