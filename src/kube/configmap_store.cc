#include "kube/configmap_store.h"

#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "util/base64.h"
#include "util/json_writer.h"

namespace kv::kube {

namespace {

// A decoded value larger than this is refused on Load (a corrupt or hostile
// object must not exhaust memory).
constexpr size_t kMaxValueBytes = 256u * 1024 * 1024;

Error HttpError(const std::string& what, const http::Response& resp) {
  std::string msg = what + ": " + DescribeFailure(resp);
  int st = static_cast<int>(resp.status);
  if (st == 401 || st == 403) return Error(ErrorCode::kUnauthorized, msg, st);
  if (st == 429 || st >= 500) return Error(ErrorCode::kUnavailable, msg, st);
  return Error(ErrorCode::kRejected, msg, st);
}

bool IsValidKey(const std::string& key) {
  if (key.empty() || key.size() > 253 || key == "." || key == "..") return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// Copies the string-valued entries of `obj` other than `skip`.
void CopyEntries(json::Writer& w, simdjson::dom::element obj, std::string_view skip) {
  simdjson::dom::object o;
  if (obj.get_object().get(o) != simdjson::SUCCESS) return;
  for (auto field : o) {
    std::string_view v;
    if (field.key == skip || field.value.get_string().get(v) != simdjson::SUCCESS) continue;
    w.Key(field.key);
    w.String(v);
  }
}

}  // namespace

bool IsValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

Result<std::string> Compress(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                     reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()),
                     Z_BEST_COMPRESSION);
  if (rc != Z_OK) return Fail(ErrorCode::kInternal, "zlib compress failed");
  out.resize(size);
  return out;
}

Result<std::string> Decompress(std::string_view data, size_t max_size) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit(&zs) != Z_OK) return Fail(ErrorCode::kInternal, "zlib init failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > max_size) {
      rc = Z_MEM_ERROR;
      break;
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      rc = Z_DATA_ERROR;  // truncated input
      break;
    }
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END)
    return Fail(ErrorCode::kCorrupt, "compressed value is corrupt or too big");
  return out;
}

ConfigMapStore::ConfigMapStore(ConfigMapStoreOptions options, Client& client)
    : options_(std::move(options)), client_(client) {}

std::string ConfigMapStore::Path(bool collection) const {
  std::string p = "/api/v1/namespaces/" + options_.namespace_ + "/configmaps";
  return collection ? p : p + "/" + options_.name;
}

Result<void> ConfigMapStore::Read() {
  if (!IsValidKey(options_.key)) {
    return Fail(ErrorCode::kInvalidConfig, "ConfigMap key '" + options_.key + "' is not valid");
  }
  auto resp = client_.Get(Path(false), options_.timeout);
  if (!resp) return tl::unexpected(resp.error());
  if (resp->status == 404) {
    exists_ = false;
    known_ = true;
    resource_version_.clear();
    object_json_.clear();
    return {};
  }
  if (resp->status != 200) return tl::unexpected(HttpError("get configmap", *resp));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view rv;
  if (parser.parse(resp->body).get(root) != simdjson::SUCCESS ||
      root["metadata"]["resourceVersion"].get_string().get(rv) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kCorrupt, "configmap: not a ConfigMap object");
  }
  resource_version_ = rv;
  object_json_ = std::move(resp->body);
  exists_ = true;
  known_ = true;
  return {};
}

Result<std::optional<std::string>> ConfigMapStore::Load() {
  if (auto r = Read(); !r) return tl::unexpected(r.error());
  if (!exists_) return std::optional<std::string>();
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(object_json_);  // valid: Read parsed it
  std::string_view v;
  if (root["data"][options_.key].get_string().get(v) == simdjson::SUCCESS) {
    return std::optional<std::string>(std::string(v));
  }
  if (root["binaryData"][options_.key].get_string().get(v) == simdjson::SUCCESS) {
    auto raw = base64::Decode(v);
    if (!raw) return Fail(ErrorCode::kCorrupt, "configmap: binaryData is not base64");
    auto value = Decompress(*raw, kMaxValueBytes);
    if (!value) return tl::unexpected(value.error());
    return std::optional<std::string>(std::move(*value));
  }
  return std::optional<std::string>();
}

// The value as stored: itself when small plain text (readable with
// kubectl), else zlib-compressed for binaryData. kRejected when even that
// exceeds what a ConfigMap may hold.
Result<ConfigMapStore::StoredValue> ConfigMapStore::Encode(const std::string& value) const {
  StoredValue out;
  out.plain = value.size() <= kPlainLimitBytes && IsValidUtf8(value);
  if (out.plain) {
    out.bytes = value;
  } else {
    auto z = Compress(value);
    if (!z) return tl::unexpected(z.error());
    out.bytes = std::move(*z);
  }
  if (out.bytes.size() > kMaxStoredBytes) {
    return Fail(ErrorCode::kRejected, "configmap " + options_.name + ": value of " +
                                          std::to_string(value.size()) +
                                          " bytes is too large even compressed (" +
                                          std::to_string(out.bytes.size()) + " bytes)");
  }
  return out;
}

std::string ConfigMapStore::ObjectWith(const StoredValue& value) const {
  simdjson::dom::parser parser;
  simdjson::dom::element old;
  if (exists_) old = parser.parse(object_json_);
  std::string body;
  json::Writer w(&body);
  w.BeginObject();
  w.Key("apiVersion");
  w.String("v1");
  w.Key("kind");
  w.String("ConfigMap");
  w.Key("metadata");
  w.BeginObject();
  w.Key("name");
  w.String(options_.name);
  w.Key("namespace");
  w.String(options_.namespace_);
  if (exists_) {
    w.Key("resourceVersion");
    w.String(resource_version_);
    for (const char* k : {"labels", "annotations"}) {
      simdjson::dom::element e;
      if (old["metadata"][k].get(e) == simdjson::SUCCESS && e.is_object()) {
        w.Key(k);
        w.Raw(simdjson::minify(e));
      }
    }
  }
  w.EndObject();
  // Other keys of both maps are kept; ours goes in the one that fits it.
  for (const bool binary : {false, true}) {
    const char* map = binary ? "binaryData" : "data";
    w.Key(map);
    w.BeginObject();
    if (simdjson::dom::element e; exists_ && old[map].get(e) == simdjson::SUCCESS) {
      CopyEntries(w, e, options_.key);
    }
    if (value.plain != binary) {
      w.Key(options_.key);
      w.String(binary ? base64::Encode(value.bytes) : value.bytes);
    }
    w.EndObject();
  }
  w.EndObject();
  return body;
}

Result<void> ConfigMapStore::Save(const std::string& value) {
  if (!known_) {
    if (auto r = Read(); !r) return r;
  }
  auto stored = Encode(value);
  if (!stored) return tl::unexpected(stored.error());
  std::string body = ObjectWith(*stored);
  auto resp = exists_ ? client_.Send("PUT", Path(false), body, options_.timeout)
                      : client_.Send("POST", Path(true), body, options_.timeout);
  if (!resp) return tl::unexpected(resp.error());
  if (resp->status == 409 || (exists_ && resp->status == 404)) {
    known_ = false;  // read again before the next write
    return tl::unexpected(Error(ErrorCode::kRejected,
                                "configmap " + options_.namespace_ + "/" + options_.name +
                                    " changed since it was read (conflict)",
                                409));
  }
  if (resp->status != 200 && resp->status != 201) {
    return tl::unexpected(HttpError("write configmap", *resp));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view rv;
  if (parser.parse(resp->body).get(root) != simdjson::SUCCESS ||
      root["metadata"]["resourceVersion"].get_string().get(rv) != simdjson::SUCCESS) {
    known_ = false;
    return {};  // written; the next Save reads the version again
  }
  resource_version_ = rv;
  object_json_ = std::move(resp->body);
  exists_ = true;
  known_ = true;
  return {};
}

}  // namespace kv::kube
