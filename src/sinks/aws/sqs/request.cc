#include "sinks/aws/sqs/request.h"

#include "util/json_writer.h"

namespace kv::sinks::aws::sqs {

std::string EncodeSendMessageBatch(std::string_view queue_url,
                                   std::span<const aws::QueueMessage> messages) {
  std::string out;
  json::Writer w(&out);
  w.BeginObject();
  w.Key("QueueUrl");
  w.String(queue_url);
  w.Key("Entries");
  w.BeginArray();
  for (size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    w.BeginObject();
    w.Key("Id");
    w.String(std::to_string(i));
    w.Key("MessageBody");
    w.String(m.body);
    if (!m.attributes.empty()) {
      w.Key("MessageAttributes");
      w.BeginObject();
      for (const auto& a : m.attributes) {
        w.Key(a.name);
        w.BeginObject();
        w.Key("DataType");
        w.String("String");
        w.Key("StringValue");
        w.String(a.value);
        w.EndObject();
      }
      w.EndObject();
    }
    if (!m.deduplication_id.empty()) {
      w.Key("MessageDeduplicationId");
      w.String(m.deduplication_id);
    }
    if (!m.group_id.empty()) {
      w.Key("MessageGroupId");
      w.String(m.group_id);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

std::string EncodeGetQueueUrl(std::string_view queue_name) {
  std::string out;
  json::Writer w(&out);
  w.BeginObject();
  w.Key("QueueName");
  w.String(queue_name);
  w.EndObject();
  return out;
}

}  // namespace kv::sinks::aws::sqs
