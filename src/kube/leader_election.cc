#include "kube/leader_election.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "util/files.h"
#include "util/json_writer.h"
#include "util/time.h"

namespace kv::kube {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr const char* kServiceAccountNamespaceFile =
    "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
// client-go's JitterFactor for the acquire loop.
constexpr double kJitterFactor = 1.2;

bool IsDnsSubdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

Result<void> Validate(const LeaderElectionOptions& o) {
  if (!IsDnsSubdomain(o.name)) {
    return Fail(ErrorCode::kInvalidConfig, "leader election: invalid Lease name '" + o.name + "'");
  }
  if (!IsDnsSubdomain(o.namespace_)) {
    return Fail(ErrorCode::kInvalidConfig,
                "leader election: invalid namespace '" + o.namespace_ + "'");
  }
  if (o.identity.empty()) return Fail(ErrorCode::kInvalidConfig, "leader election: no identity");
  if (o.retry_period.count() <= 0 || o.lease_duration <= o.renew_deadline ||
      o.renew_deadline.count() <= kJitterFactor * static_cast<double>(o.retry_period.count())) {
    return Fail(ErrorCode::kInvalidConfig,
                "leader election: need leaseDuration > renewDeadline > 1.2 * retryPeriod > 0");
  }
  return {};
}

std::string MakeIdentity(Rng& rng) {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == 0) std::snprintf(host, 8, "unknown");
  auto part = [&rng] { return static_cast<unsigned>(rng.Uniform() * 4294967296.0); };
  char suffix[24];
  std::snprintf(suffix, sizeof(suffix), "%08x%08x", part(), part());
  return std::string(host) + "_" + suffix;
}

std::string ChooseLeaseNamespace(std::string_view pod_namespace,
                                 std::string_view service_account_namespace,
                                 std::string_view context_namespace) {
  for (std::string_view ns : {pod_namespace, service_account_namespace, context_namespace}) {
    if (!ns.empty()) return std::string(ns);
  }
  return "default";
}

std::string DefaultLeaseNamespace(std::string_view context_namespace) {
  const char* pod_ns = std::getenv("POD_NAMESPACE");
  auto sa_ns = files::Read(kServiceAccountNamespaceFile);
  return ChooseLeaseNamespace(pod_ns ? pod_ns : "", sa_ns ? Trim(*sa_ns) : "", context_namespace);
}

std::string DescribeLeaseFailure(std::string_view verb, const std::string& namespace_,
                                 const std::string& name, const http::Response& response) {
  std::string out = "cannot " + std::string(verb) + " lease " + namespace_ + "/" + name + ": " +
                    DescribeFailure(response);
  if (response.status == 403) {
    out +=
        " (the Lease's namespace is POD_NAMESPACE, else the service account's, else the "
        "kubeconfig context's, else \"default\": set POD_NAMESPACE or the kubeconfig "
        "context's namespace to one where this identity may get, create and update Leases)";
  }
  return out;
}

std::optional<LeaseRecord> NextRecord(const std::optional<LeaseRecord>& current, bool expired,
                                      const std::string& identity, int lease_duration_seconds,
                                      int64_t now_us) {
  LeaseRecord next;
  if (current) {
    if (!current->holder.empty() && current->holder != identity && !expired) return std::nullopt;
    next = *current;  // keeps resourceVersion, labels, annotations
  }
  next.holder = identity;
  next.lease_duration_seconds = lease_duration_seconds;
  next.renew_us = now_us;
  if (!current || current->holder != identity) {
    // A take-over (or a first acquisition) starts a new term.
    next.acquire_us = now_us;
    next.transitions = current ? current->transitions + 1 : 0;
  }
  return next;
}

// ---- LeaderElector

LeaderElector::LeaderElector(LeaderElectionOptions options, Client& client, Clock& clock, Rng& rng,
                             StopSignal& stop, LeaderCallbacks callbacks)
    : options_(std::move(options)),
      client_(client),
      clock_(clock),
      rng_(rng),
      stop_(stop),
      callbacks_(std::move(callbacks)) {}

std::string LeaderElector::Leader() const {
  std::lock_guard lock(mu_);
  return leader_;
}

std::string LeaderElector::Path(bool collection) const {
  std::string p = "/apis/coordination.k8s.io/v1/namespaces/" + options_.namespace_ + "/leases";
  return collection ? p : p + "/" + options_.name;
}

milliseconds LeaderElector::Remaining(Deadline deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_.SteadyNow());
  return std::max(left, milliseconds(1));
}

void LeaderElector::Failed(const std::string& what) {
  if (!failing_) {
    spdlog::warn("leader election: {}", what);
  } else {
    spdlog::debug("leader election: {}", what);
  }
  failing_ = true;
}

void LeaderElector::Observe(const LeaseRecord& record) {
  if (!observed_ || !observed_->SameSpec(record)) observed_at_ = clock_.SteadyNow();
  if (!observed_ || observed_->resource_version != record.resource_version) stats_.observed++;
  observed_ = record;
  if (record.holder != reported_leader_) {
    reported_leader_ = record.holder;
    {
      std::lock_guard lock(mu_);
      leader_ = record.holder;
    }
    if (!record.holder.empty()) {
      spdlog::info("leader election: lease {}/{} is held by {}", options_.namespace_, options_.name,
                   record.holder);
      if (callbacks_.on_new_leader) callbacks_.on_new_leader(record.holder);
    }
  }
}

LeaderElector::Attempt LeaderElector::Write(const LeaseRecord& next, bool create,
                                            Deadline deadline) {
  std::string body = EncodeLease(options_.namespace_, options_.name, next);
  // The API server stores the write after this moment, so the other
  // replicas observe it no earlier: the renew deadline counts from here.
  const auto started = clock_.SteadyNow();
  auto resp = create ? client_.Send("POST", Path(true), body, Remaining(deadline))
                     : client_.Send("PUT", Path(false), body, Remaining(deadline));
  if (!resp) {
    stats_.errors++;
    Failed("lease " + options_.namespace_ + "/" + options_.name + ": " + resp.error().message);
    return Attempt::kFailed;
  }
  if (resp->status == 409) {
    // Someone else wrote first (or created it): read again next time.
    stats_.conflicts++;
    spdlog::debug("leader election: conflict writing lease {}/{}", options_.namespace_,
                  options_.name);
    return Attempt::kFailed;
  }
  if (resp->status != 200 && resp->status != 201) {
    stats_.errors++;
    Failed(DescribeLeaseFailure(create ? "create" : "update", options_.namespace_, options_.name,
                                *resp));
    return Attempt::kFailed;
  }
  auto written = ParseLease(resp->body);
  if (!written) {
    stats_.errors++;
    Failed("lease " + options_.namespace_ + "/" + options_.name + ": " + written.error().message);
    return Attempt::kFailed;
  }
  Observe(*written);
  renewed_at_ = started;
  failing_ = false;
  return Attempt::kOk;
}

LeaderElector::Attempt LeaderElector::TryAcquireOrRenew(Deadline deadline) {
  stats_.attempts++;
  const int duration_s = static_cast<int>(
      std::chrono::duration_cast<std::chrono::seconds>(options_.lease_duration).count());
  const int64_t now_us = timeutil::ToMicros(clock_.WallNow());

  // Fast path, as client-go: a leader writes its renewal over the version it
  // last wrote; anything unexpected falls back to reading the Lease.
  if (leading_ && observed_ && observed_->holder == options_.identity) {
    auto next = NextRecord(observed_, false, options_.identity, duration_s, now_us);
    if (Write(*next, false, deadline) == Attempt::kOk) return Attempt::kOk;
    if (clock_.SteadyNow() >= deadline) return Attempt::kFailed;
  }

  auto resp = client_.Get(Path(false), Remaining(deadline));
  if (!resp) {
    stats_.errors++;
    Failed("lease " + options_.namespace_ + "/" + options_.name + ": " + resp.error().message);
    return Attempt::kFailed;
  }
  if (resp->status == 404) {
    auto next = NextRecord(std::nullopt, false, options_.identity, duration_s, now_us);
    return Write(*next, true, deadline);
  }
  if (resp->status != 200) {
    stats_.errors++;
    Failed(DescribeLeaseFailure("get", options_.namespace_, options_.name, *resp));
    return Attempt::kFailed;
  }
  auto current = ParseLease(resp->body);
  if (!current) {
    stats_.errors++;
    Failed("lease " + options_.namespace_ + "/" + options_.name + ": " + current.error().message);
    return Attempt::kFailed;
  }
  Observe(*current);
  bool expired =
      clock_.SteadyNow() >= observed_at_ + std::chrono::seconds(current->lease_duration_seconds);
  auto next = NextRecord(*current, expired, options_.identity, duration_s, now_us);
  if (!next) {
    failing_ = false;  // a healthy answer: someone else leads
    return Attempt::kHeldByOther;
  }
  return Write(*next, false, deadline);
}

bool LeaderElector::Campaign() {
  spdlog::info("leader election: {} campaigning for lease {}/{}", options_.identity,
               options_.namespace_, options_.name);
  for (;;) {
    if (stop_.Stopped()) return false;
    Deadline deadline = clock_.SteadyNow() + options_.renew_deadline;
    if (TryAcquireOrRenew(deadline) == Attempt::kOk) return true;
    // client-go's JitterUntil: retry_period plus up to 1.2x more, so
    // candidates do not move in lockstep.
    auto wait = std::chrono::duration_cast<milliseconds>(options_.retry_period *
                                                         (1.0 + kJitterFactor * rng_.Uniform()));
    if (WaitForChange(wait)) return false;
  }
}

Clock::SteadyTime LeaderElector::Expiry() const {
  if (!observed_ || observed_->holder.empty() || observed_->holder == options_.identity) {
    return Clock::SteadyTime::max();  // free (or ours): no expiry to wait for
  }
  return observed_at_ + std::chrono::seconds(observed_->lease_duration_seconds);
}

bool LeaderElector::WaitForChange(milliseconds wait) {
  const auto begun = clock_.SteadyNow();
  const auto poll_at = begun + wait;
  for (;;) {
    // Wake at the next poll or exactly when the Lease expires on our clock,
    // whichever comes first: a take-over is not rounded up to a poll. An
    // expiry already past when the wait began is the one the attempt just
    // failed to use (a 409, an error): the next try is at the poll.
    const auto now = clock_.SteadyNow();
    const auto expiry = Expiry() > begun ? Expiry() : Clock::SteadyTime::max();
    const auto until = std::max(std::min(poll_at, expiry), now);
    if (until <= now) return stop_.Stopped();
    auto sleep_rest = [&] {
      auto left = until - clock_.SteadyNow();
      return left.count() > 0 ? stop_.WaitFor(left, clock_) : stop_.Stopped();
    };
    // The server ends the watch (timeoutSeconds, whole seconds): before the
    // expiry, whose last fraction of a second is slept (a renewal then is
    // seen by the read that follows), or just after the poll, so that the
    // watch covers the whole wait and every renewal is seen as it happens.
    // Without a version to watch from, the whole wait is slept.
    const bool to_expiry = expiry < poll_at;
    const auto span = until - now;
    int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(span).count();
    if (!to_expiry && std::chrono::seconds(seconds) < span) ++seconds;
    if (seconds < 1 || !observed_ || observed_->resource_version.empty()) {
      if (sleep_rest()) return true;
      if (clock_.SteadyNow() >= poll_at) return false;
      continue;
    }
    // A watch of this one Lease from the version last seen. Every renewal is
    // observed as it happens (one small frame), so the expiry counts from
    // within a round trip of the holder's last write rather than from the
    // poll that happened to see it; a release, a deletion or a new holder
    // ends the wait at once.
    const std::string holder = observed_->holder;
    std::string path = Path(true) + "?watch=true&fieldSelector=metadata.name%3D" + options_.name +
                       "&resourceVersion=" + observed_->resource_version +
                       "&timeoutSeconds=" + std::to_string(seconds);
    bool changed = false;
    std::string buffer;
    simdjson::dom::parser parser;
    auto on_chunk = [&](std::string_view chunk) {
      buffer.append(chunk);
      for (size_t nl; (nl = buffer.find('\n')) != std::string::npos; buffer.erase(0, nl + 1)) {
        simdjson::dom::element ev;
        if (parser.parse(buffer.data(), nl).get(ev) != simdjson::SUCCESS) continue;
        std::string_view type;
        if (ev["type"].get(type) != simdjson::SUCCESS || type == "BOOKMARK") continue;
        simdjson::dom::element object;
        if (type == "ERROR" || type == "DELETED" || ev["object"].get(object) != simdjson::SUCCESS) {
          changed = true;
          return false;
        }
        auto record = ParseLease(simdjson::minify(object));
        if (!record || record->holder != holder) {
          changed = true;
          return false;
        }
        Observe(*record);  // a renewal: the expiry moves on from now
      }
      return true;
    };
    auto resp = client_.Watch(path, on_chunk, std::chrono::seconds(seconds + 10), [&] {
      return stop_.Stopped() || (to_expiry && clock_.SteadyNow() >= until);
    });
    if (stop_.Stopped()) return true;
    if (changed) return false;
    if (!resp || resp->status != 200) {
      if (!watch_failing_) {
        spdlog::warn(
            "leader election: cannot watch lease {}/{} ({}); renewals and a released lease are "
            "noticed at the next poll instead",
            options_.namespace_, options_.name,
            resp ? std::to_string(resp->status) : resp.error().message);
        watch_failing_ = true;
      }
      // Polls only, but still wakes exactly at the expiry.
      if (sleep_rest()) return true;
      if (clock_.SteadyNow() >= poll_at) return false;
      continue;
    }
    watch_failing_ = false;
    if (clock_.SteadyNow() >= poll_at) return false;
    if (clock_.SteadyNow() < now + std::chrono::seconds(seconds)) {
      // The server ended the watch early: no new one before `until`, so a
      // server that keeps doing so is not asked in a loop.
      if (sleep_rest()) return true;
      if (clock_.SteadyNow() >= poll_at) return false;
    }
  }
}

void LeaderElector::Lead() {
  leading_ = true;
  stats_.acquisitions++;
  spdlog::info("leader election: {} is now the leader (lease {}/{})", options_.identity,
               options_.namespace_, options_.name);
  if (callbacks_.on_started_leading) callbacks_.on_started_leading();
  for (;;) {
    if (stop_.WaitFor(options_.retry_period, clock_)) return;
    for (;;) {
      // The deadline counts from the start of the last successful write:
      // no later than the moment the other replicas observed it.
      Deadline deadline = renewed_at_ + options_.renew_deadline;
      if (clock_.SteadyNow() >= deadline) {
        stats_.losses++;
        spdlog::error("leader election: {} could not renew lease {}/{} within {} ms: stepping down",
                      options_.identity, options_.namespace_, options_.name,
                      options_.renew_deadline.count());
        return;
      }
      Attempt a = TryAcquireOrRenew(deadline);
      if (a == Attempt::kOk) break;
      if (a == Attempt::kHeldByOther) {
        stats_.losses++;
        spdlog::error("leader election: lease {}/{} was taken by {}: stepping down",
                      options_.namespace_, options_.name, Leader());
        return;
      }
      auto left = deadline - clock_.SteadyNow();
      auto wait = std::min<std::chrono::nanoseconds>(options_.retry_period, left);
      if (wait.count() > 0 && stop_.WaitFor(wait, clock_)) return;
    }
  }
}

void LeaderElector::Release() {
  if (!observed_ || observed_->holder != options_.identity) return;
  LeaseRecord r = *observed_;
  int64_t now_us = timeutil::ToMicros(clock_.WallNow());
  r.holder.clear();
  r.lease_duration_seconds = 1;
  r.acquire_us = now_us;
  r.renew_us = now_us;
  Deadline deadline = clock_.SteadyNow() + options_.renew_deadline;
  if (Write(r, false, deadline) == Attempt::kOk) {
    spdlog::info("leader election: {} released lease {}/{}", options_.identity, options_.namespace_,
                 options_.name);
  } else {
    spdlog::warn(
        "leader election: could not release lease {}/{}; a successor waits for it to "
        "expire",
        options_.namespace_, options_.name);
  }
}

Result<void> LeaderElector::Run() {
  if (auto v = Validate(options_); !v) return v;
  while (!stop_.Stopped()) {
    if (!Campaign()) break;
    Lead();
    leading_ = false;
    spdlog::info("leader election: {} stopped leading", options_.identity);
    if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
    if (stop_.Stopped()) {
      if (options_.release_on_stop) Release();
      break;
    }
  }
  return {};
}

}  // namespace kv::kube
