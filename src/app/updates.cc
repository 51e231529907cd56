#include "app/updates.h"

namespace kv::app {

namespace {

constexpr int64_t kMaxIntervalSeconds = 86400;

// `name` as a policy, or false.
bool PolicyOf(std::string_view name, UpdatePolicy* out) {
  if (name == "all") {
    *out = UpdatePolicy::kAll;
  } else if (name == "new") {
    *out = UpdatePolicy::kNew;
  } else if (name == "throttled") {
    *out = UpdatePolicy::kThrottled;
  } else {
    return false;
  }
  return true;
}

}  // namespace

UpdatesConfig DefaultUpdates(bool chat) {
  UpdatesConfig u;
  if (chat) u.policy = UpdatePolicy::kThrottled;
  return u;
}

UpdatesConfig ParseUpdates(const config::Node& node, UpdatesConfig dflt) {
  if (!node.Defined()) return dflt;
  UpdatesConfig u = dflt;
  constexpr const char* kExpected = "expected all, new or throttled";
  if (node.IsScalar()) {
    std::string name = node.AsString();
    if (!PolicyOf(name, &u.policy)) node.Report(std::string(kExpected) + ", got '" + name + "'");
    return u;
  }
  if (!node.IsMap()) {
    node.Report("expected a policy (all, new, throttled) or a map {policy, intervalSeconds}");
    return dflt;
  }
  node.RejectUnknownKeys({"policy", "intervalSeconds"});
  if (node.Has("policy")) {
    std::string name = node.String("policy");
    if (!PolicyOf(name, &u.policy)) {
      node.Report(std::string(kExpected) + ", got '" + name + "'", "policy");
    }
  }
  u.interval =
      std::chrono::seconds(node.Int("intervalSeconds", u.interval.count(), 1, kMaxIntervalSeconds));
  if (node.Has("intervalSeconds") && u.policy != UpdatePolicy::kThrottled) {
    node.Warn("does nothing unless policy is throttled", "intervalSeconds");
  }
  return u;
}

void UpdateThrottle::Expire(std::chrono::seconds interval, Clock::SteadyTime now) {
  while (!order_.empty() &&
         (order_.size() > max_entries_ || Clock::Later(order_.front().sent, interval) <= now)) {
    index_.erase(order_.front().uid);
    order_.pop_front();
  }
}

bool UpdateThrottle::Admit(const std::string& uid, bool update, std::chrono::seconds interval,
                           Clock::SteadyTime now) {
  Expire(interval, now);
  auto it = index_.find(uid);
  // Still in the map: it went out less than `interval` ago.
  if (update && it != index_.end()) return false;
  if (it != index_.end()) {
    order_.erase(it->second);
    index_.erase(it);
  }
  order_.push_back({uid, now});
  index_.emplace(uid, std::prev(order_.end()));
  if (order_.size() > max_entries_) Expire(interval, now);
  return true;
}

bool AdmitUpdate(const UpdatesConfig& cfg, UpdateThrottle* throttle, const std::string& uid,
                 bool update, Clock::SteadyTime now) {
  switch (cfg.policy) {
    case UpdatePolicy::kAll:
      return true;
    case UpdatePolicy::kNew:
      return !update;
    case UpdatePolicy::kThrottled:
      return throttle == nullptr || throttle->Admit(uid, update, cfg.interval, now);
  }
  return true;
}

}  // namespace kv::app
