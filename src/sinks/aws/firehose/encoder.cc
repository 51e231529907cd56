#include "sinks/aws/firehose/encoder.h"

#include "sinks/aws/message.h"
#include "sinks/common/document.h"

namespace kv::sinks::aws::firehose {

Result<std::string> Encode(const event::EventPtr& ev, const FirehoseConfig& config) {
  auto data = common::RenderDocument(ev, config.format);
  if (!data) return tl::unexpected(data.error());
  data->push_back('\n');
  return data;
}

}  // namespace kv::sinks::aws::firehose
