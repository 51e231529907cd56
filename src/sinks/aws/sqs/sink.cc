#include "sinks/aws/sqs/sink.h"

#include "sinks/aws/encode_batch.h"
#include "sinks/aws/errors.h"
#include "sinks/aws/sqs/encoder.h"
#include "sinks/aws/sqs/request.h"
#include "sinks/aws/sqs/response.h"

namespace kv::sinks::aws::sqs {

namespace {

class SqsSink final : public Sink {
 public:
  SqsSink(SqsConfig config, std::unique_ptr<aws::Client> client)
      : config_(std::move(config)), client_(std::move(client)) {
    if (config_.queue_name.rfind("http://", 0) == 0 ||
        config_.queue_name.rfind("https://", 0) == 0) {
      queue_url_ = config_.queue_name;
    }
  }

  // The API's per-request limits: a ceiling delivery.batch* may only lower.
  BatchLimits limits() const override {
    return {kMaxEntries, kMaxRequestBytes, std::chrono::milliseconds(200), /*capped=*/true};
  }

  void Abort() override { client_->Abort(); }

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    aws::OutcomeBuilder out(batch.size());
    auto encoded = aws::EncodeBatch<aws::QueueMessage>(
        batch, [&](const event::EventPtr& ev) { return Encode(ev, config_); },
        [](const aws::QueueMessage& e) { return e.cost; }, kMaxMessageBytes, "sqs", &out);
    auto& messages = encoded.entries;
    if (!messages.empty() && queue_url_.empty()) {
      auto url = ParseGetQueueUrl(client_->PostJson(kGetQueueUrlTarget, kJsonVersion,
                                                    EncodeGetQueueUrl(config_.queue_name)));
      if (!url) {
        Verdict v =
            url.error().code == ErrorCode::kUnavailable ? Verdict::kRetry : Verdict::kReject;
        for (size_t i : encoded.index) out.Set(i, v, url.error().message);
        return out.Finish();
      }
      queue_url_ = *url;
    }
    auto chunks = aws::Split(encoded.costs, kLimits);
    aws::SendChunks(
        chunks, encoded.index,
        [&](const aws::Chunk& c) {
          std::span<const aws::QueueMessage> part(messages.data() + c.begin, c.size());
          return ParseSendMessageBatch(client_->PostJson(kSendMessageBatchTarget, kJsonVersion,
                                                         EncodeSendMessageBatch(queue_url_, part)),
                                       c.size());
        },
        &out);
    return out.Finish();
  }

 private:
  const SqsConfig config_;
  std::unique_ptr<aws::Client> client_;
  std::string queue_url_;  // resolved on first use
};

}  // namespace

std::unique_ptr<Sink> Make(SqsConfig config, std::unique_ptr<aws::Client> client) {
  return std::make_unique<SqsSink>(std::move(config), std::move(client));
}

Builder Parse(const config::Node& node) {
  return aws::ConnectThenMake(ParseConfig(node), "sqs", &Make);
}

}  // namespace kv::sinks::aws::sqs
