#include "tmpl/event_value.h"

#include "event/encode.h"
#include "tmpl/go_format.h"

namespace kv::tmpl {
namespace {

using Fields = std::map<std::string, Value, std::less<>>;

Value Struct(Fields fields, std::function<std::string()> json = {}) {
  auto m = std::make_shared<MapData>();
  m->entries = std::move(fields);
  m->is_struct = true;
  m->json = std::move(json);
  return Value(std::shared_ptr<const MapData>(std::move(m)));
}

Value Owners(const std::vector<event::OwnerReference>& owners) {
  std::vector<Value> items;
  for (const auto& o : owners) {
    Fields f{{"APIVersion", Value(o.api_version)},
             {"Kind", Value(o.kind)},
             {"Name", Value(o.name)},
             {"UID", Value(o.uid)}};
    f["Controller"] = o.controller ? Value(*o.controller) : Value();
    f["BlockOwnerDeletion"] = o.block_owner_deletion ? Value(*o.block_owner_deletion) : Value();
    items.push_back(Struct(std::move(f)));
  }
  auto l = std::make_shared<ListData>();
  l->items = std::move(items);
  l->nil = owners.empty();
  return Value(std::shared_ptr<const ListData>(std::move(l)));
}

Value StringList(const std::vector<std::string>& v) {
  std::vector<Value> items(v.begin(), v.end());
  auto l = std::make_shared<ListData>();
  l->items = std::move(items);
  l->nil = v.empty();
  l->string_elem = true;
  return Value(std::shared_ptr<const ListData>(std::move(l)));
}

// firstTimestamp, else eventTime (the reference's rule).
Time ReferenceTime(const event::Event& ev) {
  Time t = Time::Parse(ev.first_timestamp, Time::Type::kGo);
  if (t.IsZero()) t = Time::Parse(ev.event_time, Time::Type::kGo);
  return t;
}

Value InvolvedObject(const event::InvolvedObject& io) {
  Fields f{{"Kind", Value(io.kind)},
           {"Namespace", Value(io.namespace_)},
           {"Name", Value(io.name)},
           {"UID", Value(io.uid)},
           {"APIVersion", Value(io.api_version)},
           {"ResourceVersion", Value(io.resource_version)},
           {"FieldPath", Value(io.field_path)},
           {"Labels", Value::FromStringMap(io.labels)},
           {"Annotations", Value::FromStringMap(io.annotations)},
           {"OwnerReferences", Owners(io.owner_references)},
           {"Deleted", Value(io.deleted)}};
  return Struct(std::move(f));
}

}  // namespace

Value EventToValue(const event::Event& ev) {
  return EventToValue(std::make_shared<const event::Event>(ev));
}

namespace {

// Print order of `{{ . }}`; every name EventField knows.
constexpr std::string_view kEventFields[] = {
    "Action",
    "Annotations",
    "ClusterName",
    "Count",
    "CreationTimestamp",
    "EventTime",
    "Finalizers",
    "FirstTimestamp",
    "GenerateName",
    "Generation",
    "GetTimestampISO8601",
    "GetTimestampMs",
    "IdempotencyKey",
    "InvolvedObject",
    "Labels",
    "LastTimestamp",
    "Message",
    "Name",
    "Namespace",
    "OwnerReferences",
    "Reason",
    "ReportingController",
    "ReportingInstance",
    "ResourceVersion",
    "SelfLink",
    "Source",
    "Type",
    "UID",
};

Value NoArgs(std::string_view name, Value v) {
  return Value::FromMethod([name, v](std::span<const Value> args) -> Result<Value> {
    if (!args.empty()) {
      return Fail(ErrorCode::kInvalidConfig,
                  "wrong number of args for " + std::string(name) + ": want 0");
    }
    return v;
  });
}

std::optional<Value> EventField(const event::Event& ev, std::string_view name) {
  const auto& m = ev.metadata;
  if (name == "Name") return Value(m.name);
  if (name == "GenerateName") return Value(m.generate_name);
  if (name == "Namespace") return Value(m.namespace_);
  if (name == "SelfLink") return Value(m.self_link);
  if (name == "UID") return Value(m.uid);
  if (name == "ResourceVersion") return Value(m.resource_version);
  if (name == "Generation") return Value(m.generation);
  if (name == "CreationTimestamp")
    return Value(Time::Parse(m.creation_timestamp, Time::Type::kMeta));
  if (name == "Labels") return Value::FromStringMap(m.labels);
  if (name == "Annotations") return Value::FromStringMap(m.annotations);
  if (name == "OwnerReferences") return Owners(m.owner_references);
  if (name == "Finalizers") return StringList(m.finalizers);
  if (name == "InvolvedObject") return InvolvedObject(ev.involved_object);
  if (name == "Reason") return Value(ev.reason);
  if (name == "Message") return Value(ev.message);
  if (name == "Source") {
    return Struct({{"Component", Value(ev.source.component)}, {"Host", Value(ev.source.host)}});
  }
  if (name == "FirstTimestamp") return Value(Time::Parse(ev.first_timestamp, Time::Type::kMeta));
  if (name == "LastTimestamp") return Value(Time::Parse(ev.last_timestamp, Time::Type::kMeta));
  if (name == "Count") return Value(int64_t{ev.count});
  if (name == "Type") return Value(ev.type);
  if (name == "EventTime") return Value(Time::Parse(ev.event_time, Time::Type::kMicro));
  if (name == "Action") return Value(ev.action);
  if (name == "ReportingController") return Value(ev.reporting_component);
  if (name == "ReportingInstance") return Value(ev.reporting_instance);
  if (name == "ClusterName") return Value(ev.cluster_name);
  if (name == "GetTimestampMs") {
    Time ts = ReferenceTime(ev);
    return NoArgs("GetTimestampMs", Value(ts.seconds * 1000 + ts.nanos / 1000000));
  }
  if (name == "GetTimestampISO8601") {
    std::string iso;
    AppendTimeFormat(&iso, ReferenceTime(ev), "2006-01-02T15:04:05.000Z");
    return NoArgs("GetTimestampISO8601", Value(iso));
  }
  if (name == "IdempotencyKey") return NoArgs("IdempotencyKey", Value(ev.IdempotencyKey()));
  return std::nullopt;
}

}  // namespace

Value EventToValue(event::EventPtr shared) {
  auto m = std::make_shared<MapData>();
  m->is_struct = true;
  m->json = [shared] { return event::EncodeJson(*shared); };
  m->field = [shared](std::string_view name) { return EventField(*shared, name); };
  m->field_names = kEventFields;
  m->made.reserve(std::size(kEventFields));  // pointers into it stay valid
  return Value(std::shared_ptr<const MapData>(std::move(m)));
}

}  // namespace kv::tmpl
