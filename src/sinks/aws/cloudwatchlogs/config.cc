#include "sinks/aws/cloudwatchlogs/config.h"

namespace kv::sinks::aws::cloudwatchlogs {

namespace {

// Log group names: 1-512 of [A-Za-z0-9_\-/.#]; stream names: 1-512, no ':' or '*'.
bool ValidGroup(const std::string& s) {
  if (s.empty() || s.size() > 512) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '/' || c == '.' || c == '#';
    if (!ok) return false;
  }
  return true;
}

bool ValidStream(const std::string& s) {
  return !s.empty() && s.size() <= 512 && s.find_first_of(":*") == std::string::npos;
}

}  // namespace

CloudWatchLogsConfig ParseConfig(const config::Node& node) {
  std::vector<std::string_view> keys = aws::AwsKeys();
  keys.insert(keys.end(), {"logGroupName", "logStreamName", "layout", "deDot"});
  node.RejectUnknownKeys(keys);
  CloudWatchLogsConfig c;
  c.aws = aws::ParseAwsConfig(node);
  c.log_group_name = node.String("logGroupName");
  if (c.log_group_name.empty()) {
    node.Report("missing required key", "logGroupName");
  } else if (!ValidGroup(c.log_group_name)) {
    node.Report("a log group name is 1-512 characters of A-Z a-z 0-9 _ - / . #", "logGroupName");
  }
  c.log_stream_name = node.String("logStreamName", c.log_stream_name);
  if (!ValidStream(c.log_stream_name)) {
    node.Report("a log stream name is 1-512 characters without ':' or '*'", "logStreamName");
  }
  c.format = common::ParseLineFormat(node);
  return c;
}

}  // namespace kv::sinks::aws::cloudwatchlogs
