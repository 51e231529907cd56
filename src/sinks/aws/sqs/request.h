// SQS requests in the JSON protocol (x-amz-json-1.0, X-Amz-Target
// AmazonSQS.<Operation>), which SQS and moto accept alongside the older
// Query protocol. Pure.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "sinks/aws/batch.h"
#include "sinks/aws/queue_message.h"

namespace kv::sinks::aws::sqs {

// SendMessageBatch's limits: 10 messages, 256 KiB for the whole request
// (bodies plus attributes), 256 KiB for one message.
inline constexpr size_t kMaxEntries = 10;
inline constexpr size_t kMaxRequestBytes = 262144;
inline constexpr size_t kMaxMessageBytes = 262144;
inline constexpr aws::RequestLimits kLimits{kMaxEntries, kMaxRequestBytes, kMaxMessageBytes};

inline constexpr std::string_view kJsonVersion = "1.0";
inline constexpr std::string_view kSendMessageBatchTarget = "AmazonSQS.SendMessageBatch";
inline constexpr std::string_view kGetQueueUrlTarget = "AmazonSQS.GetQueueUrl";

// {"QueueUrl":...,"Entries":[{"Id":"0","MessageBody":...,
//  "MessageAttributes":{...},"MessageDeduplicationId":...,"MessageGroupId":...}]}
// Entry ids are the positions in `messages` ("0", "1", ...).
std::string EncodeSendMessageBatch(std::string_view queue_url,
                                   std::span<const aws::QueueMessage> messages);

// {"QueueName":...}
std::string EncodeGetQueueUrl(std::string_view queue_name);

}  // namespace kv::sinks::aws::sqs
