#include "sinks/chat/webhook/sink.h"

#include "http/client.h"
#include "sinks/chat/webhook/config.h"
#include "sinks/chat/webhook/request.h"

namespace kv::sinks::chat::webhook {

namespace {

class WebhookSink final : public Sink {
 public:
  explicit WebhookSink(WebhookConfig cfg) : cfg_(std::move(cfg)) {}

  // With `batch.format`, the worker cuts batches of batch.maxEvents events
  // and batch.maxBytes bytes, a ceiling delivery.batch* may only lower (so
  // the receiver's own keys work without delivery.batchMaxEvents, and a
  // batch is one request); no linger: a batch is what is waiting. Without
  // it, one event per request whatever the batch: the defaults, uncapped.
  BatchLimits limits() const override {
    if (cfg_.batch == BatchFormat::kNone) return {};
    return {cfg_.batch_max_events, cfg_.batch_max_bytes, std::chrono::milliseconds(0),
            /*capped=*/true};
  }

  void Abort() override { client_.Abort(); }

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    chat::Plan plan = PlanRequests(batch, cfg_);
    chat::Transport transport = [this](const http::Request& r) { return client_.Do(r, cfg_.tls); };
    return chat::SendPlanned(plan.requests, std::move(plan.items), std::move(plan.reason),
                             transport, &chat::ClassifyHttpDefault);
  }

 private:
  const WebhookConfig cfg_;                        // constant after construction
  http::Client client_{http::kClassifyBodyBytes};  // owned by the worker thread
};

}  // namespace

Builder Parse(const config::Node& node) {
  WebhookConfig cfg = ParseConfig(node);
  return [cfg = std::move(cfg)](const SinkContext&) -> Result<std::unique_ptr<Sink>> {
    return std::make_unique<WebhookSink>(cfg);
  };
}

}  // namespace kv::sinks::chat::webhook
