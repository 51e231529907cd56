# The AWS receivers (included from src/CMakeLists.txt; paths relative to src/).
# aws/common holds what all six share; each kind is its own library.
add_library(kv_sink_aws_common
  sinks/aws/common/config.cc sinks/aws/common/errors.cc
  sinks/aws/common/client.cc sinks/aws/common/batch.cc sinks/aws/common/message.cc
  sinks/aws/common/queue_message.cc sinks/aws/common/entry_results.cc
  sinks/aws/common/record_results.cc)
target_link_libraries(kv_sink_aws_common PUBLIC kv_sink_common kv_sink_aws_access kv_aws PRIVATE
  simdjson::simdjson)

foreach(kind sqs sns eventbridge kinesis firehose cloudwatchlogs)
  add_library(kv_sink_${kind}
    sinks/aws/${kind}/config.cc sinks/aws/${kind}/encoder.cc sinks/aws/${kind}/request.cc
    sinks/aws/${kind}/response.cc sinks/aws/${kind}/sink.cc)
  target_link_libraries(kv_sink_${kind} PUBLIC kv_sink_aws_common PRIVATE simdjson::simdjson)
endforeach()

add_library(kv_sinks_aws INTERFACE)
target_link_libraries(kv_sinks_aws INTERFACE kv_sink_sqs kv_sink_sns kv_sink_eventbridge kv_sink_kinesis
  kv_sink_firehose kv_sink_cloudwatchlogs)
