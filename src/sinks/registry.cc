#include "sinks/registry.h"

#include <vector>

#include "sinks/aws/cloudwatchlogs/sink.h"
#include "sinks/aws/eventbridge/sink.h"
#include "sinks/aws/firehose/sink.h"
#include "sinks/aws/kinesis/sink.h"
#include "sinks/aws/sns/sink.h"
#include "sinks/aws/sqs/sink.h"
#include "sinks/chat/chime/sink.h"
#include "sinks/chat/opsgenie/sink.h"
#include "sinks/chat/slack/sink.h"
#include "sinks/chat/teams/sink.h"
#include "sinks/chat/webhook/sink.h"
#include "sinks/file/sink.h"
#include "sinks/pending.h"
#include "sinks/pipe/sink.h"
#include "sinks/search/elasticsearch/sink.h"
#include "sinks/search/opensearch/sink.h"
#include "sinks/stdout/sink.h"

namespace kv::sinks {

namespace {

// Every receiver kind of the reference exporter, so its configs are
// recognised; kinds without a parser yet are named in a clear refusal.
constexpr ReceiverKind kReceiverKinds[] = {
    {"stdout", &stdout_sink::Parse},
    {"file", &file::Parse},
    {"pipe", &pipe::Parse},
    {"syslog", nullptr},
    {"webhook", &chat::webhook::Parse},
    {"elasticsearch", &search::elasticsearch::Parse},
    {"opensearch", &search::opensearch::Parse},
    {"kinesis", &aws::kinesis::Parse},
    {"firehose", &aws::firehose::Parse},
    {"sns", &aws::sns::Parse},
    {"sqs", &aws::sqs::Parse},
    {"eventbridge", &aws::eventbridge::Parse},
    {"cloudwatchlogs", &aws::cloudwatchlogs::Parse},
    {"opscenter", nullptr},
    {"kafka", nullptr},
    {"pubsub", nullptr},
    {"bigquery", nullptr},
    {"slack", &chat::slack::Parse, true},
    {"opsgenie", &chat::opsgenie::Parse, true},
    {"teams", &chat::teams::Parse, true},
    {"chime", &chat::chime::Parse, true},  // kubevents's own
    {"loki", nullptr},
    {"inMemory", nullptr},
};

}  // namespace

std::span<const ReceiverKind> ReceiverKinds() { return kReceiverKinds; }

const ReceiverKind* KindOf(const config::Node& node) {
  if (!node.IsMap()) return nullptr;
  const ReceiverKind* found = nullptr;
  for (const auto& k : kReceiverKinds) {
    if (!node.Has(k.key)) continue;
    if (found) return nullptr;
    found = &k;
  }
  return found;
}

Builder ParseReceiver(const config::Node& node) {
  if (!node.IsMap()) {
    node.Report("expected a receiver (a map with name and one receiver kind)");
    return {};
  }
  // `delivery` (spool, batch and retry settings) and `updates` (which of
  // an event's updates it gets) are read by app/config.
  std::vector<std::string_view> known{"name", "delivery", "updates"};
  for (const auto& k : kReceiverKinds) known.push_back(k.key);
  node.RejectUnknownKeys(known);
  const ReceiverKind* found = nullptr;
  int count = 0;
  for (const auto& k : kReceiverKinds) {
    if (node.Has(k.key)) {
      found = &k;
      ++count;
    }
  }
  if (count == 0) {
    node.Report("receiver has no kind: add one of stdout, file, pipe, webhook, opensearch, ...");
    return {};
  }
  if (count > 1) {
    node.Report("receiver has " + std::to_string(count) + " kinds; a receiver takes exactly one");
    return {};
  }
  config::Node body = node.Child(found->key);
  if (found->parse == nullptr) {
    // Validate its keys anyway, so every problem shows up at once.
    if (body.IsMap()) CheckKeys(body, PendingKeys(found->key));
    node.Report("receiver kind '" + std::string(found->key) +
                    "' is not implemented in this kubevents version yet",
                found->key);
    return {};
  }
  if (!body.Defined()) {
    // `stdout: {}` and a bare `stdout:` both mean "all defaults".
    body =
        config::Node(YAML::Node(YAML::NodeType::Map), body.file(), body.path(), body.diagnostics());
  } else if (!body.IsMap()) {
    node.Report("expected a map of settings", found->key);
    return {};
  }
  return found->parse(body);
}

}  // namespace kv::sinks
