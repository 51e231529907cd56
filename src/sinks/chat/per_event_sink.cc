#include "sinks/chat/per_event_sink.h"

#include "sinks/chat/http_target.h"

namespace kv::sinks::chat {

Plan PlanPerEvent(std::span<const event::EventPtr> batch, const BuildRequest& build) {
  Plan plan;
  plan.items.assign(batch.size(), Verdict::kDelivered);
  for (size_t i = 0; i < batch.size(); ++i) {
    auto request = build(batch[i]);
    if (!request) {
      plan.items[i] = Verdict::kReject;
      if (plan.reason.empty()) plan.reason = request.error().message;
      continue;
    }
    PlannedRequest p;
    p.what = request->method + " " + RedactUrl(request->url);
    p.request = std::move(*request);
    p.items = {i};
    plan.requests.push_back(std::move(p));
  }
  return plan;
}

PerEventSink::PerEventSink(BuildRequest build, Classifier classify, http::TlsOptions tls)
    : build_(std::move(build)), classify_(std::move(classify)), tls_(std::move(tls)) {}

SendOutcome PerEventSink::Send(std::span<const event::EventPtr> batch) {
  Plan plan = PlanPerEvent(batch, build_);
  Transport transport = [this](const http::Request& r) { return client_.Do(r, tls_); };
  return SendPlanned(plan.requests, std::move(plan.items), std::move(plan.reason), transport,
                     classify_);
}

Builder MakePerEventBuilder(BuildRequest build, Classifier classify, http::TlsOptions tls) {
  return [build = std::move(build), classify = std::move(classify),
          tls = std::move(tls)](const SinkContext&) -> Result<std::unique_ptr<Sink>> {
    return std::make_unique<PerEventSink>(build, classify, tls);
  };
}

}  // namespace kv::sinks::chat
