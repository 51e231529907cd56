// The SNS/SQS family's message: body, message attributes, and the FIFO
// deduplication and group ids. Pure.
//
// Attributes (String, skipped when empty; `messageAttributes: false` turns
// them off): type, reason, kind and namespace of the involved object, and
// cluster. They let SNS filter policies and SQS consumers route without
// parsing the body.
#pragma once

#include <string>
#include <vector>

#include "event/event.h"
#include "sinks/common/document.h"
#include "util/result.h"

namespace kv::sinks::aws {

struct Attribute {
  std::string name;
  std::string value;  // DataType "String"
};

struct QueueMessage {
  std::string body;
  std::vector<Attribute> attributes;
  std::string deduplication_id;  // FIFO only
  std::string group_id;          // FIFO only
  // Bytes counted against the 256 KiB limits: the body plus each
  // attribute's name, data type and value (as SQS and SNS count them).
  size_t cost = 0;
};

struct QueueMessageOptions {
  common::LineFormat format;
  bool attributes = true;
  bool fifo = false;
};

// Error kInvalidConfig when the layout cannot render the event.
Result<QueueMessage> EncodeQueueMessage(const event::EventPtr& ev,
                                        const QueueMessageOptions& options);

}  // namespace kv::sinks::aws
