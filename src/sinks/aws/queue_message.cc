#include "sinks/aws/queue_message.h"

#include "sinks/aws/message.h"
#include "sinks/common/document.h"

namespace kv::sinks::aws {

Result<QueueMessage> EncodeQueueMessage(const event::EventPtr& ev,
                                        const QueueMessageOptions& options) {
  auto body = common::RenderDocument(ev, options.format);
  if (!body) return tl::unexpected(body.error());
  QueueMessage m;
  m.body = std::move(*body);
  m.cost = m.body.size();
  if (options.attributes) {
    auto add = [&](const char* name, const std::string& value) {
      if (value.empty()) return;
      m.attributes.push_back({name, value});
      m.cost += m.attributes.back().name.size() + 6 /* "String" */ + value.size();
    };
    add("type", ev->type);
    add("reason", ev->reason);
    add("kind", ev->involved_object.kind);
    add("namespace", ev->involved_object.namespace_);
    add("cluster", ev->cluster_name);
  }
  if (options.fifo) {
    m.deduplication_id = DeduplicationId(*ev);
    m.group_id = ObjectKey(*ev, 128);
  }
  return m;
}

}  // namespace kv::sinks::aws
