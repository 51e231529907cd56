#include "sinks/aws/sqs/sink.h"

#include "sinks/aws/common/encode_batch.h"
#include "sinks/aws/common/errors.h"
#include "sinks/aws/sqs/encoder.h"
#include "sinks/aws/sqs/request.h"
#include "sinks/aws/sqs/response.h"

namespace kv::sinks::sqs {

namespace {

class SqsSink final : public Sink {
 public:
  SqsSink(SqsConfig config, std::unique_ptr<aws_common::Client> client)
      : config_(std::move(config)), client_(std::move(client)) {
    if (config_.queue_name.rfind("http://", 0) == 0 ||
        config_.queue_name.rfind("https://", 0) == 0) {
      queue_url_ = config_.queue_name;
    }
  }

  BatchLimits limits() const override {
    return {kMaxEntries, kMaxRequestBytes, std::chrono::milliseconds(200)};
  }

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    aws_common::OutcomeBuilder out(batch.size());
    auto encoded = aws_common::EncodeBatch<aws_common::QueueMessage>(
        batch, [&](const event::EventPtr& ev) { return Encode(ev, config_); },
        [](const aws_common::QueueMessage& e) { return e.cost; }, kMaxMessageBytes, "sqs", &out);
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
    auto chunks = aws_common::Split(encoded.costs, kLimits);
    aws_common::SendChunks(
        chunks, encoded.index,
        [&](const aws_common::Chunk& c) {
          std::span<const aws_common::QueueMessage> part(messages.data() + c.begin, c.size());
          return ParseSendMessageBatch(client_->PostJson(kSendMessageBatchTarget, kJsonVersion,
                                                         EncodeSendMessageBatch(queue_url_, part)),
                                       c.size());
        },
        &out);
    return out.Finish();
  }

 private:
  const SqsConfig config_;
  std::unique_ptr<aws_common::Client> client_;
  std::string queue_url_;  // resolved on first use
};

}  // namespace

std::unique_ptr<Sink> Make(SqsConfig config, std::unique_ptr<aws_common::Client> client) {
  return std::make_unique<SqsSink>(std::move(config), std::move(client));
}

Builder Parse(const config::Node& node) {
  return aws_common::ConnectThenMake(ParseConfig(node), "sqs", &Make);
}

}  // namespace kv::sinks::sqs
