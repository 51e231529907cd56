// Firehose PutRecordBatch (JSON protocol 1.1, X-Amz-Target
// Firehose_20150804.PutRecordBatch). Pure.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "sinks/aws/batch.h"

namespace kv::sinks::aws::firehose {

// PutRecordBatch's limits: 500 records, 4 MiB for the request, 1,000 KiB
// for one record (data before base64).
inline constexpr size_t kMaxEntries = 500;
inline constexpr size_t kMaxRequestBytes = 4 * 1024 * 1024;
inline constexpr size_t kMaxRecordBytes = 1000 * 1024;
inline constexpr aws::RequestLimits kLimits{kMaxEntries, kMaxRequestBytes, kMaxRecordBytes};
inline constexpr std::string_view kJsonVersion = "1.1";
inline constexpr std::string_view kTarget = "Firehose_20150804.PutRecordBatch";

// {"DeliveryStreamName":...,"Records":[{"Data":"<base64>"}]}
std::string EncodePutRecordBatch(std::string_view stream_name,
                                 std::span<const std::string> records);

}  // namespace kv::sinks::aws::firehose
