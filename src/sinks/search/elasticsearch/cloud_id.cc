#include "sinks/search/elasticsearch/cloud_id.h"

#include "util/base64.h"

namespace kv::sinks::search {

Result<std::string> CloudIdUrl(std::string_view cloud_id) {
  size_t colon = cloud_id.find(':');
  if (colon == std::string_view::npos || cloud_id.find(':', colon + 1) != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidConfig, "expected <name>:<base64 data>");
  }
  auto data = base64::Decode(cloud_id.substr(colon + 1));
  if (!data) return Fail(ErrorCode::kInvalidConfig, "the part after ':' is not base64");
  size_t dollar = data->find('$');
  if (dollar == std::string::npos || dollar == 0) {
    return Fail(ErrorCode::kInvalidConfig, "the decoded data is not <host>$<uuid>[$<uuid>]");
  }
  std::string host = data->substr(0, dollar);
  std::string rest = data->substr(dollar + 1);
  std::string uuid = rest.substr(0, rest.find('$'));
  if (uuid.empty()) {
    return Fail(ErrorCode::kInvalidConfig, "the decoded data has no Elasticsearch id");
  }
  return "https://" + uuid + "." + host;
}

}  // namespace kv::sinks::search
