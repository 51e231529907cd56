#include "tmpl/event_value.h"

#include <cstdio>
#include <ctime>

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
// Uses the times the decoder already parsed; a timestamp it could not parse
// (0 micros with text present) is parsed here the slow way.
Time ReferenceTime(const event::Event& ev) {
  auto from = [](const std::string& text, int64_t micros) {
    if (micros != 0) {
      Time t;
      t.seconds = micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
      t.nanos = static_cast<int32_t>((micros - t.seconds * 1000000) * 1000);
      return t;
    }
    return Time::Parse(text, Time::Type::kGo);
  };
  Time t = from(ev.first_timestamp, ev.first_timestamp_micros);
  if (t.IsZero()) t = from(ev.event_time, ev.event_time_micros);
  return t;
}

// The involved object, made field by field as templates read it; `owner`
// keeps the event (and so `io`) alive.
constexpr std::string_view kInvolvedFields[] = {
    "APIVersion", "Annotations", "Deleted",         "FieldPath",       "Kind", "Labels",
    "Name",       "Namespace",   "OwnerReferences", "ResourceVersion", "UID"};

std::optional<Value> InvolvedField(const event::InvolvedObject& io, std::string_view name) {
  if (name == "Kind") return Value(io.kind);
  if (name == "Namespace") return Value(io.namespace_);
  if (name == "Name") return Value(io.name);
  if (name == "UID") return Value(io.uid);
  if (name == "APIVersion") return Value(io.api_version);
  if (name == "ResourceVersion") return Value(io.resource_version);
  if (name == "FieldPath") return Value(io.field_path);
  if (name == "Labels") return Value::FromStringMap(io.labels);
  if (name == "Annotations") return Value::FromStringMap(io.annotations);
  if (name == "OwnerReferences") return Owners(io.owner_references);
  if (name == "Deleted") return Value(io.deleted);
  return std::nullopt;
}

Value InvolvedObject(const event::EventPtr& owner) {
  auto m = std::make_shared<MapData>();
  m->is_struct = true;
  m->field = [owner](std::string_view name) { return InvolvedField(owner->involved_object, name); };
  m->field_names = kInvolvedFields;
  m->made.reserve(std::size(kInvolvedFields));
  return Value(std::shared_ptr<const MapData>(std::move(m)));
}

// time.Time.Format(t, "2006-01-02T15:04:05.000Z") without the general
// layout interpreter: this one runs for most layouts on every event.
std::string Iso8601Millis(const Time& t) {
  constexpr int64_t kYear1970 = 0;
  constexpr int64_t kYear10000 = 253402300800;
  if (t.seconds < kYear1970 || t.seconds >= kYear10000) {
    std::string out;
    AppendTimeFormat(&out, t, "2006-01-02T15:04:05.000Z");
    return out;
  }
  std::time_t secs = static_cast<std::time_t>(t.seconds);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string out(24, '0');  // 2006-01-02T15:04:05.000Z
  auto put = [&out](size_t at, int value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10)
      out[at + static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  put(0, tm.tm_year + 1900, 4);
  out[4] = '-';
  put(5, tm.tm_mon + 1, 2);
  out[7] = '-';
  put(8, tm.tm_mday, 2);
  out[10] = 'T';
  put(11, tm.tm_hour, 2);
  out[13] = ':';
  put(14, tm.tm_min, 2);
  out[16] = ':';
  put(17, tm.tm_sec, 2);
  out[19] = '.';
  put(20, (t.nanos / 1000000) % 1000, 3);
  out[23] = 'Z';
  return out;
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

// A zero-argument method of the event. It keeps only the event pointer
// (small enough for std::function's inline buffer: no allocation) and
// computes its result when called.
Value NoArgs(std::string_view name, const event::EventPtr& ev,
             Value (*compute)(const event::Event&)) {
  return Value::FromMethod([name, ev, compute](std::span<const Value> args) -> Result<Value> {
    if (!args.empty()) {
      return Fail(ErrorCode::kInvalidConfig,
                  "wrong number of args for " + std::string(name) + ": want 0");
    }
    return compute(*ev);
  });
}

Value TimestampMs(const event::Event& ev) {
  Time ts = ReferenceTime(ev);
  return Value(ts.seconds * 1000 + ts.nanos / 1000000);
}
Value TimestampIso(const event::Event& ev) { return Value(Iso8601Millis(ReferenceTime(ev))); }
Value IdempotencyKey(const event::Event& ev) { return Value(ev.IdempotencyKey()); }

std::optional<Value> EventField(const event::EventPtr& shared, std::string_view name) {
  const event::Event& ev = *shared;
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
  if (name == "InvolvedObject") return InvolvedObject(shared);
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
  if (name == "GetTimestampMs") return NoArgs("GetTimestampMs", shared, &TimestampMs);
  if (name == "GetTimestampISO8601") return NoArgs("GetTimestampISO8601", shared, &TimestampIso);
  if (name == "IdempotencyKey") return NoArgs("IdempotencyKey", shared, &IdempotencyKey);
  return std::nullopt;
}

}  // namespace

Value EventToValue(event::EventPtr shared) {
  auto m = std::make_shared<MapData>();
  m->is_struct = true;
  m->json = [shared] { return event::EncodeJson(*shared); };
  m->field = [shared](std::string_view name) { return EventField(shared, name); };
  m->field_names = kEventFields;
  m->made.reserve(std::size(kEventFields));  // pointers into it stay valid
  return Value(std::shared_ptr<const MapData>(std::move(m)));
}

}  // namespace kv::tmpl
