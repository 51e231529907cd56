#include "kube/lease.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "util/json_writer.h"
#include "util/time.h"

namespace kv::kube {

bool LeaseRecord::SameSpec(const LeaseRecord& o) const {
  return holder == o.holder && lease_duration_seconds == o.lease_duration_seconds &&
         acquire_us == o.acquire_us && renew_us == o.renew_us && transitions == o.transitions;
}

std::string FormatMicroTime(int64_t us) {
  int64_t secs = us / 1000000;
  int64_t frac = us % 1000000;
  if (frac < 0) {
    frac += 1000000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

Result<LeaseRecord> ParseLease(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return Fail(ErrorCode::kCorrupt, "Lease: not a JSON object");
  }
  std::string_view kind;
  if (root["kind"].get_string().get(kind) != simdjson::SUCCESS || kind != "Lease") {
    return Fail(ErrorCode::kCorrupt, "Lease: not a Lease object");
  }
  LeaseRecord r;
  simdjson::dom::element meta;
  if (root["metadata"].get(meta) == simdjson::SUCCESS) {
    std::string_view rv;
    if (meta["resourceVersion"].get_string().get(rv) == simdjson::SUCCESS) r.resource_version = rv;
    simdjson::dom::element e;
    if (meta["labels"].get(e) == simdjson::SUCCESS && e.is_object()) {
      r.labels_json = simdjson::minify(e);
    }
    if (meta["annotations"].get(e) == simdjson::SUCCESS && e.is_object()) {
      r.annotations_json = simdjson::minify(e);
    }
  }
  simdjson::dom::element spec;
  if (root["spec"].get(spec) != simdjson::SUCCESS || !spec.is_object()) return r;
  std::string_view s;
  if (spec["holderIdentity"].get_string().get(s) == simdjson::SUCCESS) r.holder = s;
  int64_t n = 0;
  if (spec["leaseDurationSeconds"].get_int64().get(n) == simdjson::SUCCESS) {
    r.lease_duration_seconds = static_cast<int>(std::clamp<int64_t>(n, 0, 1 << 30));
  }
  if (spec["leaseTransitions"].get_int64().get(n) == simdjson::SUCCESS) {
    r.transitions = static_cast<int>(std::clamp<int64_t>(n, 0, 1 << 30));
  }
  if (spec["acquireTime"].get_string().get(s) == simdjson::SUCCESS) {
    r.acquire_us = timeutil::ParseRfc3339Micros(s);
  }
  if (spec["renewTime"].get_string().get(s) == simdjson::SUCCESS) {
    r.renew_us = timeutil::ParseRfc3339Micros(s);
  }
  return r;
}

std::string EncodeLease(const std::string& namespace_, const std::string& name,
                        const LeaseRecord& r) {
  std::string out;
  json::Writer w(&out);
  w.BeginObject();
  w.Key("apiVersion");
  w.String("coordination.k8s.io/v1");
  w.Key("kind");
  w.String("Lease");
  w.Key("metadata");
  w.BeginObject();
  w.Key("name");
  w.String(name);
  w.Key("namespace");
  w.String(namespace_);
  if (!r.resource_version.empty()) {
    w.Key("resourceVersion");
    w.String(r.resource_version);
  }
  if (!r.labels_json.empty()) {
    w.Key("labels");
    w.Raw(r.labels_json);
  }
  if (!r.annotations_json.empty()) {
    w.Key("annotations");
    w.Raw(r.annotations_json);
  }
  w.EndObject();
  w.Key("spec");
  w.BeginObject();
  w.Key("holderIdentity");
  w.String(r.holder);
  w.Key("leaseDurationSeconds");
  w.Int(r.lease_duration_seconds);
  if (r.acquire_us) {
    w.Key("acquireTime");
    w.String(FormatMicroTime(*r.acquire_us));
  }
  if (r.renew_us) {
    w.Key("renewTime");
    w.String(FormatMicroTime(*r.renew_us));
  }
  w.Key("leaseTransitions");
  w.Int(r.transitions);
  w.EndObject();
  w.EndObject();
  return out;
}

}  // namespace kv::kube
