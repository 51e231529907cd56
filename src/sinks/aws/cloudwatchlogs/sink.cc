#include "sinks/aws/cloudwatchlogs/sink.h"

#include "sinks/aws/cloudwatchlogs/encoder.h"
#include "sinks/aws/cloudwatchlogs/request.h"
#include "sinks/aws/cloudwatchlogs/response.h"
#include "sinks/aws/errors.h"

namespace kv::sinks::aws::cloudwatchlogs {

namespace {

class CloudWatchLogsSink final : public Sink {
 public:
  CloudWatchLogsSink(CloudWatchLogsConfig config, std::unique_ptr<aws::Client> client, Clock& clock)
      : config_(std::move(config)), client_(std::move(client)), clock_(clock) {}

  // The API's per-request limits: a ceiling delivery.batch* may only lower.
  BatchLimits limits() const override {
    return {kMaxEntries, kMaxRequestBytes, std::chrono::milliseconds(1000), /*capped=*/true};
  }

  void Abort() override { client_->Abort(); }

  SendOutcome Send(std::span<const event::EventPtr> batch) override {
    int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
            .count();
    aws::OutcomeBuilder out(batch.size());
    std::vector<LogEvent> encoded;
    std::vector<size_t> encoded_index;
    for (size_t i = 0; i < batch.size(); ++i) {
      auto e = Encode(batch[i], config_, now_ms);
      if (!e) {
        out.Set(i, Verdict::kReject, e.error().message);
      } else if (e->cost > kMaxEventBytes) {
        out.Set(i, Verdict::kReject,
                aws::OversizeReason("cloudwatchlogs", e->cost, kMaxEventBytes));
      } else {
        encoded.push_back(std::move(*e));
        encoded_index.push_back(i);
      }
    }
    // PutLogEvents wants each request's events in chronological order.
    std::vector<LogEvent> sorted;
    std::vector<size_t> index;
    for (size_t k : ChronologicalOrder(encoded)) {
      sorted.push_back(std::move(encoded[k]));
      index.push_back(encoded_index[k]);
    }
    auto chunks = SplitLogEvents(sorted);
    aws::SendChunks(
        chunks, index,
        [&](const aws::Chunk& c) {
          std::string body =
              EncodePutLogEvents(config_.log_group_name, config_.log_stream_name,
                                 std::span<const LogEvent>(sorted.data() + c.begin, c.size()));
          auto response = client_->PostJson(kPutLogEventsTarget, kJsonVersion, body);
          if (IsResourceNotFound(response)) {
            auto created = Create();
            if (created) return std::move(*created);
            response = client_->PostJson(kPutLogEventsTarget, kJsonVersion, std::move(body));
            if (IsResourceNotFound(response)) {
              // Just created: CloudWatch may not show it yet. Try again later.
              aws::ChunkResult later;
              later.request = Verdict::kRetry;
              later.reason = "cloudwatchlogs PutLogEvents: log group or stream not visible yet";
              later.stop = true;
              return later;
            }
          }
          return ParsePutLogEvents(response, c.size());
        },
        &out);
    return out.Finish();
  }

 private:
  // Creates the log group and stream (either may exist already). nullopt
  // when both are there now; else the failure for the request's events.
  std::optional<aws::ChunkResult> Create() {
    auto group = client_->PostJson(kCreateLogGroupTarget, kJsonVersion,
                                   EncodeCreateLogGroup(config_.log_group_name));
    if (!CreatedOrExists(group)) {
      return aws::CallFailure(group, "cloudwatchlogs CreateLogGroup");
    }
    auto stream =
        client_->PostJson(kCreateLogStreamTarget, kJsonVersion,
                          EncodeCreateLogStream(config_.log_group_name, config_.log_stream_name));
    if (!CreatedOrExists(stream)) {
      return aws::CallFailure(stream, "cloudwatchlogs CreateLogStream");
    }
    return std::nullopt;
  }

  const CloudWatchLogsConfig config_;
  std::unique_ptr<aws::Client> client_;
  Clock& clock_;
};

}  // namespace

std::unique_ptr<Sink> Make(CloudWatchLogsConfig config, std::unique_ptr<aws::Client> client,
                           Clock& clock) {
  return std::make_unique<CloudWatchLogsSink>(std::move(config), std::move(client), clock);
}

Builder Parse(const config::Node& node) {
  return aws::ConnectThenMake(ParseConfig(node), "logs", &Make);
}

}  // namespace kv::sinks::aws::cloudwatchlogs
