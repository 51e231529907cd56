#include "sinks/aws/firehose/sink.h"

#include "sinks/aws/common/encode_batch.h"
#include "sinks/aws/common/errors.h"
#include "sinks/aws/firehose/encoder.h"
#include "sinks/aws/firehose/request.h"
#include "sinks/aws/firehose/response.h"

namespace kv::sinks::firehose {

namespace {

class FirehoseSink final : public Sink {
 public:
  FirehoseSink(FirehoseConfig config, std::unique_ptr<aws_common::Client> client)
      : config_(std::move(config)), client_(std::move(client)) {}

  BatchLimits limits() const override {
    return {kMaxEntries, kMaxRequestBytes, std::chrono::milliseconds(200)};
  }

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    aws_common::OutcomeBuilder out(batch.size());
    auto encoded = aws_common::EncodeBatch<std::string>(
        batch, [&](const event::EventPtr& ev) { return Encode(ev, config_); },
        [](const std::string& e) { return e.size(); }, kMaxRecordBytes, "firehose", &out);
    auto& records = encoded.entries;
    auto chunks = aws_common::Split(encoded.costs, kLimits);
    aws_common::SendChunks(
        chunks, encoded.index,
        [&](const aws_common::Chunk& c) {
          std::span<const std::string> part(records.data() + c.begin, c.size());
          return ParsePutRecordBatch(
              client_->PostJson(kTarget, kJsonVersion,
                                EncodePutRecordBatch(config_.delivery_stream_name, part)),
              c.size());
        },
        &out);
    return out.Finish();
  }

 private:
  const FirehoseConfig config_;
  std::unique_ptr<aws_common::Client> client_;
};

}  // namespace

std::unique_ptr<Sink> Make(FirehoseConfig config, std::unique_ptr<aws_common::Client> client) {
  return std::make_unique<FirehoseSink>(std::move(config), std::move(client));
}

Builder Parse(const config::Node& node) {
  return aws_common::ConnectThenMake(ParseConfig(node), "firehose", &Make);
}

}  // namespace kv::sinks::firehose
