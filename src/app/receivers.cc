#include "app/receivers.h"

#include <spdlog/spdlog.h>

#include "delivery/disk_budget.h"

namespace kv::app {

Receivers::Receivers(delivery::Hub& hub, server::Registry& registry, Clock& clock)
    : hub_(hub),
      registry_(registry),
      clock_(clock),
      aws_(clock),
      histograms_(RegisterReceiverHistograms(registry)),
      reshaped_(RegisterReshapedCounter(registry)) {
  hub_.SetSendObserver([this](size_t i, size_t events, std::chrono::nanoseconds took) {
    ObserveSend(i, events, took);
  });
}

void Receivers::ObserveSend(size_t index, size_t events, std::chrono::nanoseconds took) {
  server::Histogram* batch = nullptr;
  server::Histogram* latency = nullptr;
  {
    std::lock_guard lock(mu_);
    if (index < batch_size_.size()) batch = batch_size_[index], latency = send_seconds_[index];
  }
  if (batch) batch->Observe(static_cast<double>(events));
  if (latency) latency->Observe(std::chrono::duration<double>(took).count());
}

Result<std::unique_ptr<sinks::Sink>> Receivers::Build(const ReceiverConfig& rc) {
  sinks::SinkContext ctx{rc.name, &clock_, &aws_, {}};
  if (reshaped_) {
    // The child is made at the sink's first call (its build), so only the
    // kinds that reshape show the series.
    ctx.count_reshaped = [family = reshaped_, name = rc.name,
                          counter = static_cast<server::Counter*>(nullptr)](uint64_t n) mutable {
      if (!counter) counter = &family->WithLabels({name});
      counter->Inc(n);
    };
  }
  auto sink = rc.build(ctx);
  if (!sink) return Fail(sink.error().code, "receiver " + rc.name + ": " + sink.error().message);
  return sink;
}

Result<void> Receivers::Add(const ReceiverConfig& rc, size_t count,
                            std::unique_ptr<sinks::Sink> sink) {
  delivery::DeliveryConfig delivery = rc.delivery;
  if (delivery::ShareDiskBudget(disk_budget_, count, &delivery)) {
    spdlog::info(
        "receiver {}: its share of the data dir's {} byte budget caps its spool at {} bytes "
        "(segments {}) and its dead-letter file at {}",
        rc.name, disk_budget_, delivery.max_spool_bytes, delivery.segment_bytes,
        delivery.dead_letter_max_bytes);
  }
  if (auto r = hub_.Add(rc.name, std::move(sink), delivery); !r) {
    return Fail(r.error().code, "receiver " + rc.name + ": " + r.error().message);
  }
  size_t i = hub_.size() - 1;
  ExportReceiver(registry_, hub_, i);
  std::lock_guard lock(mu_);
  batch_size_.resize(i + 1, nullptr);
  send_seconds_.resize(i + 1, nullptr);
  if (histograms_.batch_size) batch_size_[i] = &histograms_.batch_size->WithLabels({rc.name});
  if (histograms_.send_seconds) send_seconds_[i] = &histograms_.send_seconds->WithLabels({rc.name});
  return {};
}

Result<void> Receivers::AddAll(const Config& config) {
  for (const auto& rc : config.receivers) {
    auto sink = Build(rc);
    if (!sink) return tl::unexpected(sink.error());
    if (auto r = Add(rc, config.receivers.size(), std::move(*sink)); !r) return r;
  }
  return {};
}

bool Receivers::Unchanged(const Config& running, const ReceiverConfig& rc) const {
  int at = hub_.Find(rc.name);
  if (at < 0 || hub_.retired(static_cast<size_t>(at))) return false;
  for (const auto& old : running.receivers) {
    if (old.name == rc.name) return old.fingerprint == rc.fingerprint;
  }
  return false;
}

Result<void> Receivers::Apply(const Config& running, const Config& next,
                              std::chrono::milliseconds grace) {
  // Build every new or changed receiver first: if one fails, nothing changes.
  std::vector<std::pair<const ReceiverConfig*, std::unique_ptr<sinks::Sink>>> built;
  for (const auto& rc : next.receivers) {
    if (Unchanged(running, rc)) continue;
    auto sink = Build(rc);
    if (!sink) return tl::unexpected(sink.error());
    built.emplace_back(&rc, std::move(*sink));
  }
  for (auto& [rc, sink] : built) {
    if (int at = hub_.Find(rc->name); at >= 0) {
      hub_.Replace(static_cast<size_t>(at), std::move(sink), rc->delivery, grace);
      spdlog::info("config reload: receiver {} updated", rc->name);
    } else if (auto r = Add(*rc, next.receivers.size(), std::move(sink)); r) {
      spdlog::info("config reload: receiver {} added", rc->name);
    } else {
      spdlog::error("config reload: {}", r.error().message);
    }
  }
  for (size_t i = 0; i < hub_.size(); ++i) {
    bool kept = false;
    for (const auto& rc : next.receivers) kept |= rc.name == hub_.name(i);
    if (!kept && !hub_.retired(i)) {
      hub_.Retire(i, grace);
      spdlog::info("config reload: receiver {} removed", hub_.name(i));
    }
  }
  return {};
}

void Receivers::LogSummary() const {
  for (size_t i = 0; i < hub_.size(); ++i) {
    const auto& ws = hub_.worker_stats(i);
    const auto& ss = hub_.spool(i).stats();
    spdlog::info(
        "receiver {}: {} delivered, {} retried, {} dead-lettered, {} dropped, {} still spooled",
        hub_.name(i), ws.delivered.load(), ws.retried.load(), ws.dead_lettered.load(),
        ss.dropped.load(), ss.pending_events.load());
  }
}

}  // namespace kv::app
