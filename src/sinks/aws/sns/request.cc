#include "sinks/aws/sns/request.h"

#include "util/url.h"

namespace kv::sinks::aws::sns {

namespace {

// application/x-www-form-urlencoded as the AWS SDKs write it (botocore:
// urlencode with quote_plus): RFC 3986 unreserved characters kept, space as
// '+', everything else %XX. AWS signs the bytes sent, so any correct
// encoding works there; moto re-encodes the parsed form before checking the
// signature, so only the SDKs' exact encoding verifies against it.
void AppendFormValue(std::string* out, std::string_view value) {
  std::string encoded = url::PercentEncode(value);
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded.compare(i, 3, "%20") == 0) {
      out->push_back('+');
      i += 2;
    } else {
      out->push_back(encoded[i]);
    }
  }
}

void Param(std::string* out, std::string_view key, std::string_view value) {
  if (!out->empty()) out->push_back('&');
  *out += key;  // kubevents' own keys: letters, digits and dots only
  out->push_back('=');
  AppendFormValue(out, value);
}

}  // namespace

std::string EncodePublishBatch(std::string_view topic_arn,
                               std::span<const aws::QueueMessage> messages) {
  std::string out;
  Param(&out, "Action", "PublishBatch");
  Param(&out, "Version", kApiVersion);
  Param(&out, "TopicArn", topic_arn);
  for (size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    std::string p = "PublishBatchRequestEntries.member." + std::to_string(i + 1) + ".";
    Param(&out, p + "Id", std::to_string(i));
    Param(&out, p + "Message", m.body);
    for (size_t k = 0; k < m.attributes.size(); ++k) {
      std::string a = p + "MessageAttributes.entry." + std::to_string(k + 1) + ".";
      Param(&out, a + "Name", m.attributes[k].name);
      Param(&out, a + "Value.DataType", "String");
      Param(&out, a + "Value.StringValue", m.attributes[k].value);
    }
    if (!m.deduplication_id.empty()) Param(&out, p + "MessageDeduplicationId", m.deduplication_id);
    if (!m.group_id.empty()) Param(&out, p + "MessageGroupId", m.group_id);
  }
  return out;
}

}  // namespace kv::sinks::aws::sns
