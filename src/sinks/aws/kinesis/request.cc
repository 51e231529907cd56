#include "sinks/aws/kinesis/request.h"

#include "util/base64.h"
#include "util/json_writer.h"

namespace kv::sinks::aws::kinesis {

std::string EncodePutRecords(std::string_view stream_name, std::span<const Record> records) {
  std::string out;
  json::Writer w(&out);
  w.BeginObject();
  w.Key("StreamName");
  w.String(stream_name);
  w.Key("Records");
  w.BeginArray();
  for (const Record& r : records) {
    w.BeginObject();
    w.Key("Data");
    w.String(base64::Encode(r.data));
    w.Key("PartitionKey");
    w.String(r.partition_key);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

}  // namespace kv::sinks::aws::kinesis
