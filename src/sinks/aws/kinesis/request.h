// Kinesis Data Streams PutRecords (JSON protocol 1.1, X-Amz-Target
// Kinesis_20131202.PutRecords). Pure.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "sinks/aws/batch.h"
#include "sinks/aws/kinesis/encoder.h"

namespace kv::sinks::aws::kinesis {

// PutRecords' limits: 500 records, 5 MiB for the request and 1 MiB for
// one record, both counting data and partition keys.
inline constexpr size_t kMaxEntries = 500;
inline constexpr size_t kMaxRequestBytes = 5 * 1024 * 1024;
inline constexpr size_t kMaxRecordBytes = 1024 * 1024;
inline constexpr aws::RequestLimits kLimits{kMaxEntries, kMaxRequestBytes, kMaxRecordBytes};
inline constexpr std::string_view kJsonVersion = "1.1";
inline constexpr std::string_view kTarget = "Kinesis_20131202.PutRecords";

// {"StreamName":...,"Records":[{"Data":"<base64>","PartitionKey":...}]}
std::string EncodePutRecords(std::string_view stream_name, std::span<const Record> records);

}  // namespace kv::sinks::aws::kinesis
