#include "sinks/aws/kinesis/sink.h"

#include <algorithm>

#include "sinks/aws/encode_batch.h"
#include "sinks/aws/errors.h"
#include "sinks/aws/kinesis/encoder.h"
#include "sinks/aws/kinesis/request.h"
#include "sinks/aws/kinesis/response.h"

namespace kv::sinks::aws::kinesis {

namespace {

class KinesisSink final : public Sink {
 public:
  KinesisSink(KinesisConfig config, std::unique_ptr<aws::Client> client)
      : config_(std::move(config)), client_(std::move(client)) {}

  // The API's per-request limits: a ceiling delivery.batch* may only lower.
  BatchLimits limits() const override {
    return {kMaxEntries, kMaxRequestBytes, std::chrono::milliseconds(200), /*capped=*/true};
  }

  void Abort() override { client_->Abort(); }

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    aws::OutcomeBuilder out(batch.size());
    auto encoded = aws::EncodeBatch<Record>(
        batch, [&](const event::EventPtr& ev) { return Encode(ev, config_); },
        [](const Record& e) { return e.cost; }, kMaxRecordBytes, "kinesis", &out);
    auto& records = encoded.entries;
    auto chunks = aws::Split(encoded.costs, kLimits);
    aws::SendChunks(
        chunks, encoded.index,
        [&](const aws::Chunk& c) {
          std::span<const Record> part(records.data() + c.begin, c.size());
          auto r = ParsePutRecords(
              client_->PostJson(kTarget, kJsonVersion, EncodePutRecords(config_.stream_name, part)),
              c.size());
          // Records to retry: send nothing after them in this batch, so one
          // object's records do not overtake each other.
          if (std::find(r.items.begin(), r.items.end(), Verdict::kRetry) != r.items.end()) {
            r.stop = true;
          }
          return r;
        },
        &out);
    return out.Finish();
  }

 private:
  const KinesisConfig config_;
  std::unique_ptr<aws::Client> client_;
};

}  // namespace

std::unique_ptr<Sink> Make(KinesisConfig config, std::unique_ptr<aws::Client> client) {
  return std::make_unique<KinesisSink>(std::move(config), std::move(client));
}

Builder Parse(const config::Node& node) {
  return aws::ConnectThenMake(ParseConfig(node), "kinesis", &Make);
}

}  // namespace kv::sinks::aws::kinesis
