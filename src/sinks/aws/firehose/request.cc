#include "sinks/aws/firehose/request.h"

#include "util/base64.h"
#include "util/json_writer.h"

namespace kv::sinks::aws::firehose {

std::string EncodePutRecordBatch(std::string_view stream_name,
                                 std::span<const std::string> records) {
  std::string out;
  json::Writer w(&out);
  w.BeginObject();
  w.Key("DeliveryStreamName");
  w.String(stream_name);
  w.Key("Records");
  w.BeginArray();
  for (const std::string& r : records) {
    w.BeginObject();
    w.Key("Data");
    w.String(base64::Encode(r));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

}  // namespace kv::sinks::aws::firehose
