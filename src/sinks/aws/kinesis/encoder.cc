#include "sinks/aws/kinesis/encoder.h"

#include "sinks/aws/message.h"
#include "sinks/common/document.h"

namespace kv::sinks::aws::kinesis {

Result<Record> Encode(const event::EventPtr& ev, const KinesisConfig& config) {
  auto data = common::RenderDocument(ev, config.format);
  if (!data) return tl::unexpected(data.error());
  Record r;
  r.data = std::move(*data);
  // 256 bytes is at most 256 characters: Kinesis's partition key limit.
  r.partition_key = aws::ObjectKey(*ev, 256);
  r.cost = r.data.size() + r.partition_key.size();
  return r;
}

}  // namespace kv::sinks::aws::kinesis
