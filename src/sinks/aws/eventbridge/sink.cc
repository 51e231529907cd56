#include "sinks/aws/eventbridge/sink.h"

#include "sinks/aws/errors.h"
#include "sinks/aws/eventbridge/encoder.h"
#include "sinks/aws/eventbridge/request.h"
#include "sinks/aws/eventbridge/response.h"

namespace kv::sinks::aws::eventbridge {

namespace {

class EventBridgeSink final : public Sink {
 public:
  EventBridgeSink(EventBridgeConfig config, std::unique_ptr<aws::Client> client, Clock& clock)
      : config_(std::move(config)), client_(std::move(client)), clock_(clock) {}

  // The API's per-request limits: a ceiling delivery.batch* may only lower.
  BatchLimits limits() const override {
    return {kMaxEntries, kMaxRequestBytes, std::chrono::milliseconds(200), /*capped=*/true};
  }

  void Abort() override { client_->Abort(); }

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
            .count();
    aws::OutcomeBuilder out(batch.size());
    std::vector<Entry> entries;
    std::vector<size_t> index, costs;
    for (size_t i = 0; i < batch.size(); ++i) {
      auto e = Encode(batch[i], config_, now_ms);
      if (!e) {
        out.Set(i, Verdict::kReject, e.error().message);
      } else if (e->cost > kMaxEntryBytes) {
        out.Set(i, Verdict::kReject, aws::OversizeReason("eventbridge", e->cost, kMaxEntryBytes));
      } else {
        costs.push_back(e->cost);
        index.push_back(i);
        entries.push_back(std::move(*e));
      }
    }
    auto chunks = aws::Split(costs, kLimits);
    aws::SendChunks(
        chunks, index,
        [&](const aws::Chunk& c) {
          std::span<const Entry> part(entries.data() + c.begin, c.size());
          return ParsePutEvents(
              client_->PostJson(kTarget, kJsonVersion, EncodePutEvents(config_, part)), c.size());
        },
        &out);
    return out.Finish();
  }

 private:
  const EventBridgeConfig config_;
  std::unique_ptr<aws::Client> client_;
  Clock& clock_;
};

}  // namespace

std::unique_ptr<Sink> Make(EventBridgeConfig config, std::unique_ptr<aws::Client> client,
                           Clock& clock) {
  return std::make_unique<EventBridgeSink>(std::move(config), std::move(client), clock);
}

Builder Parse(const config::Node& node) {
  return aws::ConnectThenMake(ParseConfig(node), "events", &Make);
}

}  // namespace kv::sinks::aws::eventbridge
