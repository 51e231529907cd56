// Event -> Kinesis record. Pure.
#pragma once

#include <string>

#include "event/event.h"
#include "sinks/aws/kinesis/config.h"
#include "util/result.h"

namespace kv::sinks::aws::kinesis {

struct Record {
  std::string data;  // the event JSON (sent base64-encoded)
  // The involved object's uid (else Kind/namespace/name): all events of one
  // object go to one shard, in order.
  std::string partition_key;
  size_t cost = 0;  // data + partition key bytes, as Kinesis counts them
};

// Error kInvalidConfig when the layout cannot render the event.
Result<Record> Encode(const event::EventPtr& ev, const KinesisConfig& config);

}  // namespace kv::sinks::aws::kinesis
