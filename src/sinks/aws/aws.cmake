# The AWS receivers (included from src/CMakeLists.txt; paths relative to src/).
# sinks/aws/ itself holds what all six share (kv_sink_aws); each kind is its own library.
add_library(kv_sink_aws
  sinks/aws/config.cc sinks/aws/errors.cc
  sinks/aws/client.cc sinks/aws/batch.cc sinks/aws/message.cc
  sinks/aws/queue_message.cc sinks/aws/entry_results.cc
  sinks/aws/record_results.cc)
target_link_libraries(kv_sink_aws PUBLIC kv_sink_common kv_sink_aws_access kv_aws PRIVATE
  simdjson::simdjson)

foreach(kind sqs sns eventbridge kinesis firehose cloudwatchlogs)
  add_library(kv_sink_${kind}
    sinks/aws/${kind}/config.cc sinks/aws/${kind}/encoder.cc sinks/aws/${kind}/request.cc
    sinks/aws/${kind}/response.cc sinks/aws/${kind}/sink.cc)
  target_link_libraries(kv_sink_${kind} PUBLIC kv_sink_aws PRIVATE simdjson::simdjson)
endforeach()

add_library(kv_sinks_aws INTERFACE)
target_link_libraries(kv_sinks_aws INTERFACE kv_sink_sqs kv_sink_sns kv_sink_eventbridge kv_sink_kinesis
  kv_sink_firehose kv_sink_cloudwatchlogs)
