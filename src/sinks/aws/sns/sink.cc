#include "sinks/aws/sns/sink.h"

#include "sinks/aws/encode_batch.h"
#include "sinks/aws/errors.h"
#include "sinks/aws/sns/encoder.h"
#include "sinks/aws/sns/request.h"
#include "sinks/aws/sns/response.h"

namespace kv::sinks::aws::sns {

namespace {

class SnsSink final : public Sink {
 public:
  SnsSink(SnsConfig config, std::unique_ptr<aws::Client> client)
      : config_(std::move(config)), client_(std::move(client)) {}

  // The API's per-request limits: a ceiling delivery.batch* may only lower.
  BatchLimits limits() const override {
    return {kMaxEntries, kMaxRequestBytes, std::chrono::milliseconds(200), /*capped=*/true};
  }

  void Abort() override { client_->Abort(); }

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    aws::OutcomeBuilder out(batch.size());
    auto encoded = aws::EncodeBatch<aws::QueueMessage>(
        batch, [&](const event::EventPtr& ev) { return Encode(ev, config_); },
        [](const aws::QueueMessage& e) { return e.cost; }, kMaxMessageBytes, "sns", &out);
    auto& messages = encoded.entries;
    auto chunks = aws::Split(encoded.costs, kLimits);
    aws::SendChunks(
        chunks, encoded.index,
        [&](const aws::Chunk& c) {
          std::span<const aws::QueueMessage> part(messages.data() + c.begin, c.size());
          return ParsePublishBatch(client_->PostForm(EncodePublishBatch(config_.topic_arn, part)),
                                   c.size());
        },
        &out);
    return out.Finish();
  }

 private:
  const SnsConfig config_;
  std::unique_ptr<aws::Client> client_;
};

}  // namespace

std::unique_ptr<Sink> Make(SnsConfig config, std::unique_ptr<aws::Client> client) {
  return std::make_unique<SnsSink>(std::move(config), std::move(client));
}

Builder Parse(const config::Node& node) {
  return aws::ConnectThenMake(ParseConfig(node), "sns", &Make);
}

}  // namespace kv::sinks::aws::sns
