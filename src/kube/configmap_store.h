// One value kept under one key of a ConfigMap, read and written with
// optimistic concurrency: the cluster-side home of the watch checkpoint
// when several replicas run under leader election (the new leader resumes
// from what the old one saved).
//
// Storage: a value up to kPlainLimitBytes that is valid UTF-8 goes to
// `data[key]` as is (readable with kubectl); a larger one goes zlib-
// compressed to `binaryData[key]`. Either way the other field is removed,
// and every other key and the object's labels and annotations are kept.
// A ConfigMap holds at most 1 MiB, so Save refuses a value whose stored form
// exceeds kMaxStoredBytes (kRejected); a checkpoint of ~100k recent event
// keys compresses well below that.
//
// Concurrency: Save writes over the resourceVersion this store last read or
// wrote (Load or Save); if the ConfigMap changed since (another writer), the
// API server answers 409 and Save fails with kRejected, http_status 409,
// without writing: Load again and decide. Before any Load, Save reads the
// current version itself. Not thread-safe (one Client).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "kube/client.h"
#include "util/result.h"

namespace kv::kube {

struct ConfigMapStoreOptions {
  std::string namespace_;
  std::string name;  // the ConfigMap
  std::string key;   // [-._a-zA-Z0-9]+, as Kubernetes requires for data keys
  std::chrono::milliseconds timeout{10000};  // per request
};

class ConfigMapStore {
 public:
  static constexpr size_t kPlainLimitBytes = 64 * 1024;
  static constexpr size_t kMaxStoredBytes = 900 * 1024;  // under the 1 MiB object limit

  // `client` must outlive the store.
  ConfigMapStore(ConfigMapStoreOptions options, Client& client);

  // The stored value; nullopt when the ConfigMap or the key is absent.
  // kUnavailable (transport, 5xx), kUnauthorized (401/403), kRejected
  // (other 4xx), kCorrupt (undecodable content).
  Result<std::optional<std::string>> Load();

  // Stores `value` (creating the ConfigMap if absent). Errors as Load, plus
  // kRejected for a value too large and for a conflict (http_status 409).
  Result<void> Save(const std::string& value);

 private:
  struct StoredValue {
    bool plain = true;  // under data (else compressed, under binaryData)
    std::string bytes;
  };
  Result<void> Read();  // GETs the object into object_json_/resource_version_
  Result<StoredValue> Encode(const std::string& value) const;
  // The object to write: the one read (labels, annotations, other keys
  // kept) with `value` under our key.
  std::string ObjectWith(const StoredValue& value) const;
  std::string Path(bool collection) const;

  // Constant after construction.
  const ConfigMapStoreOptions options_;
  Client& client_;

  // The object as last read or written.
  bool exists_ = false;
  bool known_ = false;  // read at least once
  std::string resource_version_;
  std::string object_json_;
};

// Encodings, exposed for tests.
// zlib (RFC 1950) compression and its inverse; kCorrupt on bad input or
// when the result would exceed `max_size`.
Result<std::string> Compress(std::string_view data);
Result<std::string> Decompress(std::string_view data, size_t max_size);
bool IsValidUtf8(std::string_view s);

}  // namespace kv::kube
