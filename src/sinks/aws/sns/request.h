// SNS requests in the Query protocol (form-encoded POST, XML answers): SNS
// has no JSON protocol. Pure.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "sinks/aws/batch.h"
#include "sinks/aws/queue_message.h"

namespace kv::sinks::aws::sns {

// PublishBatch's limits: 10 messages, 256 KiB for the whole request
// (messages plus attributes), 256 KiB for one message.
inline constexpr size_t kMaxEntries = 10;
inline constexpr size_t kMaxRequestBytes = 262144;
inline constexpr size_t kMaxMessageBytes = 262144;
inline constexpr aws::RequestLimits kLimits{kMaxEntries, kMaxRequestBytes, kMaxMessageBytes};
inline constexpr std::string_view kApiVersion = "2010-03-31";

// Action=PublishBatch&Version=2010-03-31&TopicArn=...
// &PublishBatchRequestEntries.member.N.Id=N-1&...Message=...
// &...MessageAttributes.entry.M.Name/.Value.DataType/.Value.StringValue
// &...MessageDeduplicationId&...MessageGroupId (N, M 1-based; values
// form-encoded as the AWS SDKs do: RFC 3986 unreserved kept, space '+',
// the rest %XX). Entry ids are positions ("0", "1", ...).
std::string EncodePublishBatch(std::string_view topic_arn,
                               std::span<const aws::QueueMessage> messages);

}  // namespace kv::sinks::aws::sns
