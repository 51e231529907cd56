#include "kube/enricher.h"

#include <spdlog/spdlog.h>

#include "event/decode.h"
#include "kube/discovery.h"

namespace kv::kube {

namespace {

using Outcome = Lookup::Outcome;

// Metadata only; a server that cannot answer so sends the whole object.
constexpr const char* kAcceptMetadata =
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
constexpr auto kErrorWarningInterval = std::chrono::minutes(1);

std::string CacheKey(const event::ObjectReference& ref) {
  if (!ref.uid.empty()) return "uid/" + ref.uid;
  return "ref/" + ref.api_version + "/" + ref.kind + "/" + ref.namespace_ + "/" + ref.name;
}

std::string KindKey(const event::ObjectReference& ref) {
  return ref.kind + "." + (ref.api_version.empty() ? "v1" : ref.api_version);
}

}  // namespace

Enricher::Enricher(EnricherOptions options, MetadataFetcher fetcher, Clock& clock)
    : options_(options), fetcher_(std::move(fetcher)), clock_(clock), thread_([this] { Loop(); }) {}

Enricher::~Enricher() { Stop(); }

void Enricher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Enricher::Enrich(event::Event& ev, bool wait) {
  event::ObjectReference ref = ev.involved_object;
  if (ref.kind.empty() || ref.name.empty()) return;
  if (ref.namespace_.empty()) ref.namespace_ = ev.metadata.namespace_;  // namespaced kinds only
  const std::string key = CacheKey(ref);

  std::unique_lock lock(mu_);
  auto now = clock_.SteadyNow();
  if (const Entry* e = FindLocked(key, now)) {
    ++stats_.hits;
    Apply(*e, &ev.involved_object);
    return;
  }
  std::shared_ptr<Pending> pending;
  if (auto it = pending_.find(key); it != pending_.end()) {
    pending = it->second;
    ++stats_.shared;
  } else {
    auto forbidden = forbidden_until_.find(KindKey(ref));
    if (stopping_ || (forbidden != forbidden_until_.end() && now < forbidden->second) ||
        queue_.size() >= options_.max_queued) {
      ++stats_.skipped;
      return;
    }
    pending = std::make_shared<Pending>();
    pending->ref = ref;
    pending_.emplace(key, pending);
    queue_.push_back(key);
    ++stats_.misses;
    cv_.notify_all();
  }
  if (!wait) {
    ++stats_.deferred;
    return;
  }
  clock_.WaitFor(lock, cv_, options_.deadline, [&] { return pending->done || stopping_; });
  if (!pending->done) {
    ++stats_.timeouts;
    return;
  }
  if (pending->have_entry) Apply(pending->entry, &ev.involved_object);
}

bool Enricher::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return pending_.empty(); });
}

void Enricher::Loop() {
  for (;;) {
    std::string key;
    std::shared_ptr<Pending> pending;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        pending_.clear();
        queue_.clear();
        cv_.notify_all();
        return;
      }
      key = queue_.front();
      queue_.pop_front();
      pending = pending_[key];
    }
    Lookup lookup = fetcher_(pending->ref);
    {
      std::lock_guard lock(mu_);
      Entry entry = Complete(pending->ref, std::move(lookup));
      if (entry.outcome != Outcome::kForbidden) {
        pending->entry = entry;
        pending->have_entry = true;
        StoreLocked(key, std::move(entry));
      }
      pending->done = true;
      pending_.erase(key);
    }
    cv_.notify_all();
  }
}

// Turns a lookup into a cache entry; counts and logs it. Called with mu_ held.
Enricher::Entry Enricher::Complete(const event::ObjectReference& ref, Lookup lookup) {
  auto now = clock_.SteadyNow();
  Entry entry;
  entry.outcome = lookup.outcome;
  entry.expires = now + options_.ttl;
  switch (lookup.outcome) {
    case Outcome::kFound:
      if (!ref.uid.empty() && !lookup.meta.uid.empty() && lookup.meta.uid != ref.uid) {
        entry.outcome = Outcome::kNotFound;  // the name now belongs to another object
        entry.deleted = true;
        ++stats_.not_found;
        break;
      }
      entry.labels = std::move(lookup.meta.labels);
      entry.annotations = std::move(lookup.meta.annotations);
      entry.owner_references = std::move(lookup.meta.owner_references);
      ++stats_.found;
      break;
    case Outcome::kNotFound:
      entry.deleted = true;
      ++stats_.not_found;
      break;
    case Outcome::kForbidden:
      ++stats_.forbidden;
      forbidden_until_[KindKey(ref)] = now + options_.forbidden_retry;
      if (warned_kinds_.insert(KindKey(ref)).second) {
        spdlog::warn(
            "lookups of kind {} ({}) are forbidden: RBAC does not grant get on it; events about "
            "such objects are exported without labels, annotations or owner references "
            "(retrying in {} s): {}",
            ref.kind, ref.api_version.empty() ? "v1" : ref.api_version,
            options_.forbidden_retry.count(), lookup.detail);
      }
      break;
    case Outcome::kUnknownKind:
    case Outcome::kError:
      ++stats_.errors;
      entry.expires = now + options_.error_ttl;
      if (last_error_warning_ == std::chrono::steady_clock::time_point{} ||
          now - last_error_warning_ >= kErrorWarningInterval) {
        last_error_warning_ = now;
        spdlog::warn("lookup of {} {}/{} failed, event exported without enrichment: {} ({} so far)",
                     ref.kind, ref.namespace_, ref.name, lookup.detail, stats_.errors.load());
      }
      break;
  }
  LogLookup(ref, lookup, entry);
  return entry;
}

void Enricher::LogLookup(const event::ObjectReference& ref, const Lookup& lookup,
                         const Entry& entry) {
  const char* result = "error";
  switch (entry.outcome) {
    case Outcome::kFound:
      result = "found";
      break;
    case Outcome::kNotFound:
      result = lookup.outcome == Outcome::kFound ? "deleted (uid differs)" : "deleted (not found)";
      break;
    case Outcome::kForbidden:
      result = "forbidden";
      break;
    case Outcome::kUnknownKind:
      result = "unknown kind";
      break;
    case Outcome::kError:
      break;
  }
  spdlog::debug("lookup {} {}/{}: {}{}{}", ref.kind, ref.namespace_, ref.name, result,
                lookup.detail.empty() ? "" : ": ", lookup.detail);
}

const Enricher::Entry* Enricher::FindLocked(const std::string& key,
                                            std::chrono::steady_clock::time_point now) {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  if (now >= it->second->second.expires) {
    lru_.erase(it->second);
    index_.erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->second;
}

void Enricher::StoreLocked(const std::string& key, Entry entry) {
  if (options_.cache_size == 0) return;
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->second = std::move(entry);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(key, std::move(entry));
  index_[key] = lru_.begin();
  while (lru_.size() > options_.cache_size) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

void Enricher::Apply(const Entry& entry, event::InvolvedObject* obj) {
  if (entry.outcome == Outcome::kFound) {
    obj->labels = entry.labels;
    obj->annotations = entry.annotations;
    obj->owner_references = entry.owner_references;
  }
  if (entry.deleted) obj->deleted = true;
}

namespace {

// Everything the production fetcher keeps between lookups (lookup thread only).
struct ApiFetcherState {
  ApiFetcherState(std::unique_ptr<Client> c, Clock& clock, std::chrono::milliseconds t)
      : client(std::move(c)),
        timeout(t),
        discovery(
            {}, [this](const std::string& path) { return client->Get(path, timeout); }, clock) {}
  std::unique_ptr<Client> client;
  std::chrono::milliseconds timeout;
  Discovery discovery;
  event::Decoder decoder{event::ApiGroup::kCore, false};
};

Lookup FetchMetadata(ApiFetcherState& st, const event::ObjectReference& ref) {
  Lookup out;
  for (const std::string* s : {&ref.name, &ref.namespace_}) {
    if (*s == "." || *s == "..") {  // never valid names; a URL would resolve them away
      out.detail = "invalid name or namespace '" + *s + "'";
      return out;
    }
  }
  auto resource = st.discovery.Resolve(ref.api_version, ref.kind);
  if (!resource) {
    out.outcome =
        resource.error().code == ErrorCode::kRejected ? Outcome::kUnknownKind : Outcome::kError;
    out.detail = resource.error().message;
    return out;
  }
  auto resp =
      st.client->Get(ObjectPath(*resource, ref.namespace_, ref.name), st.timeout, kAcceptMetadata);
  if (!resp) {
    out.detail = resp.error().message;
    return out;
  }
  if (resp->status == 200) {
    auto meta = st.decoder.DecodeObjectMeta(resp->body);
    if (!meta) {
      out.detail = meta.error().message;
      return out;
    }
    out.outcome = Outcome::kFound;
    out.meta = std::move(*meta);
  } else if (resp->status == 404) {
    out.outcome = Outcome::kNotFound;
  } else {
    out.outcome = resp->status == 403 ? Outcome::kForbidden : Outcome::kError;
    out.detail = DescribeFailure(*resp);
  }
  return out;
}

}  // namespace

MetadataFetcher MakeApiFetcher(std::unique_ptr<Client> client, Clock& clock,
                               std::chrono::milliseconds timeout) {
  auto state = std::make_shared<ApiFetcherState>(std::move(client), clock, timeout);
  return [state](const event::ObjectReference& ref) { return FetchMetadata(*state, ref); };
}

}  // namespace kv::kube
