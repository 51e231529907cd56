#include "sinks/aws/firehose/sink.h"

#include "sinks/aws/encode_batch.h"
#include "sinks/aws/errors.h"
#include "sinks/aws/firehose/encoder.h"
#include "sinks/aws/firehose/request.h"
#include "sinks/aws/firehose/response.h"

namespace kv::sinks::aws::firehose {

namespace {

class FirehoseSink final : public Sink {
 public:
  FirehoseSink(FirehoseConfig config, std::unique_ptr<aws::Client> client)
      : config_(std::move(config)), client_(std::move(client)) {}

  // The API's per-request limits: a ceiling delivery.batch* may only lower.
  BatchLimits limits() const override {
    return {kMaxEntries, kMaxRequestBytes, std::chrono::milliseconds(200), /*capped=*/true};
  }

  void Abort() override { client_->Abort(); }

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    aws::OutcomeBuilder out(batch.size());
    auto encoded = aws::EncodeBatch<std::string>(
        batch, [&](const event::EventPtr& ev) { return Encode(ev, config_); },
        [](const std::string& e) { return e.size(); }, kMaxRecordBytes, "firehose", &out);
    auto& records = encoded.entries;
    auto chunks = aws::Split(encoded.costs, kLimits);
    aws::SendChunks(
        chunks, encoded.index,
        [&](const aws::Chunk& c) {
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
  std::unique_ptr<aws::Client> client_;
};

}  // namespace

std::unique_ptr<Sink> Make(FirehoseConfig config, std::unique_ptr<aws::Client> client) {
  return std::make_unique<FirehoseSink>(std::move(config), std::move(client));
}

Builder Parse(const config::Node& node) {
  return aws::ConnectThenMake(ParseConfig(node), "firehose", &Make);
}

}  // namespace kv::sinks::aws::firehose
