#include "event/encode.h"

#include "util/json_writer.h"

namespace kv::event {

namespace {

void StringField(json::Writer& w, std::string_view key, const std::string& v) {
  if (v.empty()) return;  // `omitempty`
  w.Key(key);
  w.String(v);
}

// A metav1.Time/MicroTime: always written, null when unset.
void TimeField(json::Writer& w, std::string_view key, const std::string& v) {
  w.Key(key);
  if (v.empty()) {
    w.Null();
  } else {
    w.String(v);
  }
}

void Map(json::Writer& w, std::string_view key, const StringMap& m, bool dedot) {
  if (m.empty()) return;
  w.Key(key);
  w.BeginObject();
  if (!dedot) {
    for (const auto& [k, v] : m) {
      w.Key(k);
      w.String(v);
    }
  } else {
    StringMap renamed;
    for (const auto& [k, v] : m) {
      std::string nk = k;
      for (char& c : nk) {
        if (c == '.') c = '_';
      }
      renamed[nk] = v;
    }
    for (const auto& [k, v] : renamed) {
      w.Key(k);
      w.String(v);
    }
  }
  w.EndObject();
}

void ReferenceFields(json::Writer& w, const ObjectReference& r) {
  StringField(w, "kind", r.kind);
  StringField(w, "namespace", r.namespace_);
  StringField(w, "name", r.name);
  StringField(w, "uid", r.uid);
  StringField(w, "apiVersion", r.api_version);
  StringField(w, "resourceVersion", r.resource_version);
  StringField(w, "fieldPath", r.field_path);
}

void Owners(json::Writer& w, const std::vector<OwnerReference>& owners) {
  if (owners.empty()) return;
  w.Key("ownerReferences");
  w.BeginArray();
  for (const auto& o : owners) {
    w.BeginObject();
    w.Key("apiVersion");
    w.String(o.api_version);
    w.Key("kind");
    w.String(o.kind);
    w.Key("name");
    w.String(o.name);
    w.Key("uid");
    w.String(o.uid);
    if (o.controller) {
      w.Key("controller");
      w.Bool(*o.controller);
    }
    if (o.block_owner_deletion) {
      w.Key("blockOwnerDeletion");
      w.Bool(*o.block_owner_deletion);
    }
    w.EndObject();
  }
  w.EndArray();
}

void Meta(json::Writer& w, const ObjectMeta& m, bool dedot) {
  w.Key("metadata");
  w.BeginObject();
  StringField(w, "name", m.name);
  StringField(w, "generateName", m.generate_name);
  StringField(w, "namespace", m.namespace_);
  StringField(w, "selfLink", m.self_link);
  StringField(w, "uid", m.uid);
  StringField(w, "resourceVersion", m.resource_version);
  if (m.generation != 0) {
    w.Key("generation");
    w.Int(m.generation);
  }
  TimeField(w, "creationTimestamp", m.creation_timestamp);
  StringField(w, "deletionTimestamp", m.deletion_timestamp);
  if (m.deletion_grace_period_seconds) {
    w.Key("deletionGracePeriodSeconds");
    w.Int(*m.deletion_grace_period_seconds);
  }
  Map(w, "labels", m.labels, dedot);
  Map(w, "annotations", m.annotations, dedot);
  Owners(w, m.owner_references);
  if (!m.finalizers.empty()) {
    w.Key("finalizers");
    w.BeginArray();
    for (const auto& f : m.finalizers) w.String(f);
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

void EncodeJson(const Event& ev, const EncodeOptions& options, std::string* out) {
  json::Writer w(out);
  w.BeginObject();
  Meta(w, ev.metadata, options.dedot);
  StringField(w, "reason", ev.reason);
  StringField(w, "message", ev.message);
  w.Key("source");
  w.BeginObject();
  StringField(w, "component", ev.source.component);
  StringField(w, "host", ev.source.host);
  w.EndObject();
  TimeField(w, "firstTimestamp", ev.first_timestamp);
  TimeField(w, "lastTimestamp", ev.last_timestamp);
  if (ev.count != 0) {
    w.Key("count");
    w.Int(ev.count);
  }
  StringField(w, "type", ev.type);
  TimeField(w, "eventTime", ev.event_time);
  if (ev.series) {
    w.Key("series");
    w.BeginObject();
    if (ev.series->count != 0) {
      w.Key("count");
      w.Int(ev.series->count);
    }
    TimeField(w, "lastObservedTime", ev.series->last_observed_time);
    w.EndObject();
  }
  StringField(w, "action", ev.action);
  if (ev.related) {
    w.Key("related");
    w.BeginObject();
    ReferenceFields(w, *ev.related);
    w.EndObject();
  }
  w.Key("reportingComponent");
  w.String(ev.reporting_component);
  w.Key("reportingInstance");
  w.String(ev.reporting_instance);
  w.Key("clusterName");
  w.String(ev.cluster_name);
  w.Key("involvedObject");
  w.BeginObject();
  ReferenceFields(w, ev.involved_object);
  Map(w, "labels", ev.involved_object.labels, options.dedot);
  Map(w, "annotations", ev.involved_object.annotations, options.dedot);
  Owners(w, ev.involved_object.owner_references);
  w.Key("deleted");
  w.Bool(ev.involved_object.deleted);
  w.EndObject();
  w.EndObject();
}

}  // namespace kv::event
